"""The unread count on every signed-in page's notice badge, read with the user when possible.

The user's loader asks for the count in its own query (one round trip fewer on every signed-in
page). That count is what the database held when the request began: a commit during the request
(a notice sent or read) forgets it, and the badge asks again.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_app_context
from sqlalchemy.orm import Session

from app.notifications import services as notices

_KEY = "unread_notifications"


def remember_unread_count(count: int) -> None:
    setattr(g, _KEY, int(count or 0))


def unread_count_for_badge(user: Any) -> int:
    remembered = g.get(_KEY)
    if remembered is not None:
        return int(remembered)
    return notices.unread_count(user)


def forget_unread_count(_session: Session) -> None:
    """After every commit (app/bootstrap.py)."""
    if has_app_context():
        g.pop(_KEY, None)
