"""Registers every grants route on one blueprint (see app/web/__init__.py), and the
``flask grants`` commands on its command group."""

from __future__ import annotations

from app.web.grants import cli  # noqa: F401 - adds `flask grants remind` to the blueprint
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
