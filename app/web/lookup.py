"""Loading a record for a page: a record the visitor may not see is answered like a missing one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from app.platform.extensions import db

T = TypeVar("T")


def visible_or_404(model: type[T], ident: int, may_see: Callable[[Any, T], bool]) -> T:
    """The record, or 404 when it does not exist *or* ``may_see`` says no.

    A 403 would confirm that the id exists: an NGO guessing another NGO's ids learns nothing.
    """
    record = db.session.get(model, ident)
    if record is None or not may_see(current_user, record):
        abort(404)
    return record
