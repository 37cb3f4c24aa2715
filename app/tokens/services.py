"""Making, listing, revoking and checking personal access tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import User
from app.accounts.services.two_factor import verify_second_factor
from app.audit.services import record_event
from app.platform.db import utcnow
from app.platform.errors import N_, DomainError, NotFound, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.tokens.models import AREA_SCOPES, ApiToken, TokenScope, with_areas

TOKEN_PREFIX = "tfg_"  # noqa: S105 - the public marker every token starts with, not a secret
DEFAULT_DAYS = 90
MAX_DAYS = 365
# Writing the last use on every request would turn each read into a write; once a minute
# says as much to the person looking at their list.
LAST_USED_EVERY = timedelta(minutes=1)


class TokenRefused(DomainError):
    """The token presented is unknown, expired or revoked, or its owner may no longer use it."""

    status_code = 401


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(
    *,
    actor: User,
    name: str,
    scopes: Iterable[TokenScope],
    days: int = DEFAULT_DAYS,
    second_factor: str | None = None,
    staff_requires_2fa: bool = False,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``actor`` and its secret, which is never stored: show it once.

    Staff whose two-factor authentication is mandatory confirm with a current code: a token
    outlives the session it was made in, so a stolen session must not be enough to mint one.
    """
    name = name.strip()
    # The areas it may use (decision 0117): every one when the caller names none.
    chosen = with_areas(set(scopes))
    if not name:
        raise ValidationFailed(N_("Give the token a name."))
    if not set(chosen) - AREA_SCOPES:
        raise ValidationFailed(N_("Choose at least one scope."))
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(N_("A token lasts from 1 to %(days)d days."), days=MAX_DAYS)
    if (
        staff_requires_2fa
        and actor.is_staff
        and not verify_second_factor(user=actor, code=(second_factor or "").strip())
    ):
        raise PermissionDenied(N_("Enter a current code from your authenticator app."))
    now = now or utcnow()
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=actor.id,
        name=name,
        prefix=raw[:12],
        token_hash=hash_token(raw),
        scopes=" ".join(chosen),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    record_event(
        actor=actor,
        action="api_token.created",
        subject=token,
        summary=f"API token {token.prefix}… '{name}' created",
        changes={"scopes": chosen, "expires_at": token.expires_at.isoformat()},
    )
    return token, raw


def tokens_of(user: User) -> list[ApiToken]:
    """The person's tokens, newest first, revoked and expired ones included."""
    return list(
        db.session.execute(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        ).scalars()
    )


def revoke_token(*, actor: User, token_id: int, now: datetime | None = None) -> ApiToken:
    """Revoke one of ``actor``'s own tokens; another person's is not found."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.id:
        raise NotFound(N_("There is no such token."))
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        record_event(
            actor=actor,
            action="api_token.revoked",
            subject=token,
            summary=f"API token {token.prefix}… '{token.name}' revoked",
        )
        db.session.flush()
    return token


def revoke_every_token_of(user: User, *, now: datetime | None = None) -> int:
    """Revoke all of ``user``'s tokens still in force (their account is closed); how many."""
    in_force = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for token in in_force:
        token.revoked_at = now or utcnow()
    return len(in_force)


def find_token(raw: str) -> ApiToken | None:
    """The token with this secret, whatever its state."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    digest = hash_token(raw)
    token = db.session.execute(
        sa.select(ApiToken).where(ApiToken.token_hash == digest)
    ).scalar_one_or_none()
    # The lookup is by an index; compare again in constant time all the same.
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    return token


def check_token(token: ApiToken | None, *, now: datetime, staff_requires_2fa: bool) -> ApiToken:
    """``token`` if it may be used now, else ``TokenRefused`` saying why."""
    if token is None:
        raise TokenRefused(N_("This token is not known."))
    if token.revoked_at is not None:
        raise TokenRefused(N_("This token was revoked."))
    if now >= token.expires_at:
        raise TokenRefused(N_("This token has expired."))
    user = token.user
    if not user.is_active:
        raise TokenRefused(N_("This token's account is closed or suspended."))
    if staff_requires_2fa and user.is_staff and not user.totp_enabled and not user.is_program:
        raise TokenRefused(N_("Staff tokens work only while two-factor authentication is on."))
    return token


def note_use(token: ApiToken, *, now: datetime) -> None:
    """Record that the token was used, at most once a minute (a conditional UPDATE, so
    concurrent requests do not both write)."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    db.session.execute(
        sa.update(ApiToken)
        .where(
            ApiToken.id == token.id,
            sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USED_EVERY),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(token, "last_used_at", now)
