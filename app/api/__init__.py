"""The JSON API, versioned under /api/v1. Read-only and public so far: the calls feed."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    from app.api.v1 import bp as v1

    app.register_blueprint(v1)
