"""Signing in and out: the password check and the trace each attempt leaves.

The second factor asked after the password is in ``two_factor``.
"""

from __future__ import annotations

import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.models import User
from app.accounts.services.addresses import normalise_email
from app.audit.services import record_event
from app.platform.db import utcnow
from app.platform.extensions import db

# Verifying against this keeps a failed login for an unknown e-mail as slow as for a known one,
# so response times do not reveal which addresses have accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password-" + secrets.token_hex(8))


def verify_password(user: User | None, password: str) -> bool:
    if user is None or user.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(user.password_hash, password)


def record_login(*, user: User) -> None:
    user.last_login_at = utcnow()
    record_event(actor=user, action="user.login", subject=user, summary="signed in")
    db.session.flush()


def record_failed_login(*, email: str, user: User | None, reason: str) -> None:
    record_event(
        actor=None,
        action="user.login_failed",
        subject_type="users",
        subject_id=user.id if user else None,
        summary=f"failed sign-in for {normalise_email(email)[:200]}: {reason}",
    )
    db.session.flush()


def record_logout(*, user: User) -> None:
    """Sign out on the server: a copy of the session or remember-me cookie dies with it, and so
    does every other device's session (decision 0001)."""
    user.session_version += 1
    record_event(actor=user, action="user.logout", subject=user, summary="signed out")
    db.session.flush()
