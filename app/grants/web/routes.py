"""Registers every grants route on one blueprint (listed in app/bootstrap.py)."""

from __future__ import annotations

from app.grants.web.blueprint import bp
from app.grants.web.views import (  # noqa: F401 - each adds its routes to the blueprint
    agreement,
    amendments,
    awards,
    bulk,
    closure,
    overview,
    reports,
    tranches,
)

__all__ = ["bp"]
