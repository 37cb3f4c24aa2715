"""applications pages."""
