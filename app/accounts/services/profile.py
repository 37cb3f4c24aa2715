"""A person's own profile: their name, language and time zone."""

from __future__ import annotations

from app.accounts.models import User
from app.audit.services import record_event
from app.platform.extensions import db


def update_profile(*, actor: User, full_name: str, locale: str | None, timezone: str) -> None:
    changes: dict[str, list[str | None]] = {}
    for attr, value in (
        ("full_name", full_name.strip()),
        ("locale", locale),
        ("timezone", timezone),
    ):
        if getattr(actor, attr) != value:
            changes[attr] = [getattr(actor, attr), value]
            setattr(actor, attr, value)
    if changes:
        record_event(
            actor=actor,
            action="user.profile_updated",
            subject=actor,
            summary="profile updated",
            changes=changes,
        )
    db.session.flush()
