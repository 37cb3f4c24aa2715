"""Who sees copied-proposal flags: the fund's screeners of both applications, never anyone of
either organisation (decision 0086)."""

from __future__ import annotations

from typing import Any

from app.accounts.permissions import can_screen_application
from app.applications.models import Application
from app.copies.models import CopyFlag


def can_see_copies(actor: Any, application: Application) -> bool:
    """The fund's screeners, never anyone of the organisation (nor of the other one)."""
    return can_screen_application(actor, application)


def may_see_pair(actor: Any, flag: CopyFlag) -> bool:
    return can_see_copies(actor, flag.first) and can_see_copies(actor, flag.second)
