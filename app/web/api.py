"""Version 1 of the JSON API: the blueprint each feature's ``api.py`` adds its routes to (they
are imported in app/bootstrap.py). Errors come back as ``{"error": {"status", "message"}}``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
