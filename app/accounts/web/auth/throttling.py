"""Sign-in throttling (decision 0006): what each failure counts against, and known devices.

Failed sign-ins are counted per client address, per account *and* address, and per account
from browsers that have never signed in to it. A browser that has signed in to an account
before carries a signed "known device" cookie for it: it is counted on its own and never
locked out by failures elsewhere, so nobody can keep the owner out by failing on purpose.
The counters live in the limiter's storage (Redis in production, shared by every worker).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.accounts.services.addresses import normalise_email

DEVICE_COOKIE = "known_device"
DEVICE_COOKIE_SECONDS = 60 * 60 * 24 * 365
# Accounts one browser remembers (a family computer, a shared office machine), newest first.
DEVICE_ACCOUNTS = 5
_SALT = "known-device"


def limit_per_ip() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_IP"])


def limit_per_account() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])


def limit_per_account_from_new_devices() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_ACCOUNT_NEW_DEVICES"])


def failed(response: Any) -> bool:
    """Only failed attempts count: a redirect means success, and a refused (throttled) attempt
    checked no password, so it must not count either (or one address could use up the
    account-wide allowance just by being refused)."""
    return response.status_code not in (302, 429)


def _typed_account() -> str:
    return normalise_email(request.form.get("email", ""))[:254]


def account_and_address_key() -> str:
    return f"login-account-ip:{_typed_account()}|{get_remote_address()}"


def account_key() -> str:
    return f"login-account:{_typed_account()}"


def known_device_key() -> str:
    return f"login-device:{known_device() or ''}|{_typed_account()}"


def _account_tag(email: str) -> str:
    # Keyed, so the cookie names no address in clear.
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, normalise_email(email).encode(), hashlib.sha256).hexdigest()[:32]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _device_cookie() -> dict[str, Any] | None:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=DEVICE_COOKIE_SECONDS)
    except BadSignature:
        return None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("d"), str)
        or not isinstance(data.get("a"), list)
    ):
        return None
    return data


def known_device() -> str | None:
    """The id of this browser when it has signed in to the typed account before, else None."""
    if "known_device" not in g:
        data = _device_cookie()
        known = data is not None and _account_tag(_typed_account()) in data["a"]
        g.known_device = data["d"] if known and data is not None else None
    device: str | None = g.known_device
    return device


def on_known_device() -> bool:
    return known_device() is not None


def on_new_device() -> bool:
    return known_device() is None


def remember_device(response: Any, email: str) -> Any:
    """Mark this browser as known for ``email`` (after a sign-in or a reset by e-mailed link)."""
    data = _device_cookie() or {"d": secrets.token_urlsafe(16), "a": []}
    tag = _account_tag(email)
    accounts = [tag, *(known for known in data["a"] if known != tag)][:DEVICE_ACCOUNTS]
    config = current_app.config
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps({"d": data["d"], "a": accounts}),
        max_age=DEVICE_COOKIE_SECONDS,
        secure=bool(config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
    return response
