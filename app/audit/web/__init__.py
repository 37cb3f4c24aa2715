"""audit pages."""
