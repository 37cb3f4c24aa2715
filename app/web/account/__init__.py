"""account pages."""
