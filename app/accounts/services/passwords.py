"""Passwords: the policy a new one must meet, how it is hashed, and setting one (reset,
invitation or change)."""

from __future__ import annotations

from werkzeug.security import generate_password_hash

from app.accounts.models import User
from app.accounts.services.addresses import normalise_email
from app.audit.services import record_event
from app.platform.db import utcnow
from app.platform.errors import N_, ValidationFailed
from app.platform.extensions import db

PASSWORD_MIN_LENGTH = 12


def check_password_policy(
    password: str, *, email: str, min_length: int = PASSWORD_MIN_LENGTH
) -> None:
    if len(password) < min_length:
        raise ValidationFailed(
            N_("Choose a password of at least %(count)s characters."), count=min_length
        )
    lowered = password.strip().lower()
    if lowered == normalise_email(email) or lowered == normalise_email(email).split("@")[0]:
        raise ValidationFailed(N_("Your password must not be your e-mail address."))


def hash_password(password: str) -> str:
    # Werkzeug's default is scrypt, a memory-hard KDF.
    return generate_password_hash(password)


def set_password(
    *, user: User, password: str, actor: User | None = None, min_length: int = PASSWORD_MIN_LENGTH
) -> None:
    """Set a new password (reset, invitation, or change) and end every other session."""
    check_password_policy(password, email=user.email, min_length=min_length)
    user.password_hash = hash_password(password)
    user.session_version += 1
    # Following an e-mailed link proves the address as well as confirming it would.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    record_event(
        actor=actor or user, action="user.password_set", subject=user, summary="password changed"
    )
    db.session.flush()
