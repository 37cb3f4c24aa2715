"""Configuration classes for the Flask app factory."""
