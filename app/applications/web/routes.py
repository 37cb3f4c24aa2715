"""Registers every application route on one blueprint (listed in app/bootstrap.py)."""

from __future__ import annotations

from app.applications.web.blueprint import bp
from app.applications.web.views import (  # noqa: F401 - each adds its routes to the blueprint
    attachments,
    bulk,
    concepts,
    lists,
    messages,
    pages,
    sections,
)

__all__ = ["bp"]
