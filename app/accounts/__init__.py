"""Users, organisations, memberships, roles and permissions."""
