"""calls pages."""
