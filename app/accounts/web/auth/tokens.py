"""Signed, expiring tokens for the links we e-mail (confirmation, password reset, invitation)."""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.accounts.models import User
from app.platform.extensions import db

CONFIRM = "confirm-email"
RESET = "reset-password"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def _fingerprint(user: User) -> str:
    # Reset links die once the password changes: the token binds to the current hash.
    basis = f"{user.id}:{user.email}:{user.password_hash or ''}:{user.session_version}"
    return hashlib.sha256(basis.encode()).hexdigest()[:16]


def make_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"uid": user.id, "fp": _fingerprint(user)})


def read_token(token: str, purpose: str, max_age: int) -> tuple[User | None, str | None]:
    """Return (user, None) for a good token, or (None, reason) with "expired" or "invalid"."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        return None, "expired"
    except BadSignature:
        return None, "invalid"
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or data.get("fp") != _fingerprint(user):
        return None, "invalid"
    return user, None
