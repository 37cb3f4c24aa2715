"""Registers every donations route on one blueprint (listed in app/bootstrap.py)."""

from __future__ import annotations

from app.donations.web import finance, give, portal  # noqa: F401 - they add the routes
from app.donations.web.blueprint import bp

__all__ = ["bp"]
