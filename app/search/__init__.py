"""Staff search across applications, organisations, grants, donors and contributions."""
