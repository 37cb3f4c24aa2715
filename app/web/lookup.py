"""Loading a record for a page: a record the visitor may not see is answered like a missing one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from app.platform.extensions import db

T = TypeVar("T")


def visible_or_404(model: type[T], ident: int, may_see: Callable[[Any, T], bool]) -> T:
    """The record, or 404 when it does not exist *or* ``may_see`` says no.

    A 403 would confirm that the id exists: an NGO guessing another NGO's ids learns nothing.
    An id beyond what the key's column holds is missing too (PostgreSQL would refuse to compare
    it: found by Schemathesis, /api/v1/applications/99999999999).
    """
    if not 0 <= ident <= _largest_id(model):
        abort(404)
    record = db.session.get(model, ident)
    if record is None or not may_see(current_user, record):
        abort(404)
    return record


def _largest_id(model: type[Any]) -> int:
    key = sa.inspect(model).primary_key[0]
    return 2**63 - 1 if isinstance(key.type, sa.BigInteger) else 2**31 - 1
