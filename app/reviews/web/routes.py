"""Registers every selection route on one blueprint (listed in app/bootstrap.py)."""

from __future__ import annotations

from app.reviews.web.blueprint import bp
from app.reviews.web.views import (  # noqa: F401 - each adds its routes to the blueprint
    assignment,
    board,
    bulk,
    letter,
    overview,
    ranking,
    reviewer,
    screening,
)

__all__ = ["bp"]
