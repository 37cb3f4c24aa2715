"""Registers every grants route on one blueprint (listed in app/bootstrap.py)."""

from __future__ import annotations

from app.web.grants.blueprint import bp
from app.web.grants.views import (  # noqa: F401 - each adds its routes to the blueprint
    agreement,
    amendments,
    awards,
    closure,
    overview,
    reports,
    tranches,
)

__all__ = ["bp"]
