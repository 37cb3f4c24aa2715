"""organisations pages."""
