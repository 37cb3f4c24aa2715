"""Tools for development and tests, never shipped in the production image."""
