"""The first-steps banner on every page of a first-time NGO (app/templates/base.html)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_login import current_user

from app.applications.services.guidance import FIRST_STEPS, first_steps


def first_steps_context() -> dict[str, Any]:
    """A context processor (app/bootstrap.py): the NGO's step, for signed-in pages only."""
    if request.blueprint in (None, "static") or not current_user.is_authenticated:
        return {}
    steps = first_steps(current_user)
    return {"first_steps": steps, "first_steps_order": FIRST_STEPS} if steps else {}
