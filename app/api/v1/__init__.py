"""Version 1 of the JSON API. Errors come back as ``{"error": {"status", "message"}}``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")

from app.api.v1 import calls, transparency  # noqa: E402, F401 - registers the routes on bp
