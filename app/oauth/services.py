"""Registering, rotating and revoking OAuth clients, and issuing their short-lived tokens.

A client acts through its own program account (``User.is_program``) holding the one staff role
or the one organisation membership the administrator chose, so every permission check of the
app applies to it unchanged. Its access tokens are rows of ``api_tokens`` for that account:
the Bearer authentication of /api/v1 accepts them as it accepts personal tokens, with the
scopes the client was granted (decision 0102).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.accounts.models import Membership, MembershipRole, Organisation, Role, User, UserRole
from app.accounts.permissions import Permission, ensure_permission
from app.audit.services import record_event
from app.oauth.models import ClientRole, OAuthClient
from app.platform.db import utcnow
from app.platform.errors import N_, NotFound, ValidationFailed
from app.platform.extensions import db
from app.tokens.models import AREA_SCOPES, ApiToken, TokenScope, with_areas
from app.tokens.services import TOKEN_PREFIX, hash_token, revoke_every_token_of

CLIENT_ID_PREFIX = "tfc_"
# An hour: long enough for a nightly batch, short enough that a leaked token soon dies.
DEFAULT_TOKEN_SECONDS = 3600


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def register_client(
    *,
    actor: User,
    name: str,
    scopes: Iterable[TokenScope],
    role: ClientRole | None = None,
    organisation: Organisation | None = None,
    now: datetime | None = None,
) -> tuple[OAuthClient, str]:
    """A new client and its secret, which is never stored: show it once."""
    ensure_permission(actor, Permission.MANAGE_USERS)
    name = name.strip()
    chosen = with_areas(set(scopes))
    if not name:
        raise ValidationFailed(N_("Give the client a name."))
    if not set(chosen) - AREA_SCOPES:
        raise ValidationFailed(N_("Choose at least one scope."))
    if (role is None) == (organisation is None):
        raise ValidationFailed(N_("Choose either the staff role or the organisation it acts for."))
    now = now or utcnow()
    client_id = CLIENT_ID_PREFIX + secrets.token_hex(12)
    account = User(
        # Not a mailbox: the account is told nothing and cannot ask for a password.
        email=f"{client_id}@oauth-clients.invalid",
        full_name=f"{name} (API client)",
        password_hash=None,
        is_active=True,
        is_program=True,
    )
    db.session.add(account)
    db.session.flush()
    if role is not None:
        db.session.add(UserRole(user_id=account.id, role=Role(role.value), granted_by_id=actor.id))
    else:
        assert organisation is not None
        db.session.add(UserRole(user_id=account.id, role=Role.APPLICANT, granted_by_id=actor.id))
        db.session.add(
            Membership(
                organisation_id=organisation.id, user_id=account.id, role=MembershipRole.MEMBER
            )
        )
    secret = _new_secret()
    client = OAuthClient(
        client_id=client_id,
        name=name,
        secret_hash=_hash(secret),
        scopes=" ".join(chosen),
        role=role,
        organisation_id=organisation.id if organisation else None,
        user_id=account.id,
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(client)
    db.session.flush()
    db.session.expire(account)
    record_event(
        actor=actor,
        action="oauth_client.registered",
        subject=client,
        summary=f"API client {client_id} '{name}' registered",
        changes={
            "scopes": chosen,
            "role": role.value if role else None,
            "organisation_id": organisation.id if organisation else None,
        },
    )
    return client, secret


def clients() -> list[OAuthClient]:
    """Every client, newest first, revoked ones included."""
    return list(
        db.session.scalars(
            sa.select(OAuthClient).order_by(OAuthClient.created_at.desc(), OAuthClient.id.desc())
        )
    )


def get_client(client_pk: int) -> OAuthClient:
    client = db.session.get(OAuthClient, client_pk)
    if client is None:
        raise NotFound(N_("There is no such client."))
    return client


def rotate_secret(
    *, actor: User, client: OAuthClient, now: datetime | None = None
) -> tuple[OAuthClient, str]:
    """A new secret for ``client``; the old one stops working, and so do the tokens it got."""
    ensure_permission(actor, Permission.MANAGE_USERS)
    if client.revoked_at is not None:
        raise ValidationFailed(N_("This client is revoked."))
    now = now or utcnow()
    secret = _new_secret()
    client.secret_hash = _hash(secret)
    client.secret_rotated_at = now
    revoked = revoke_every_token_of(client.user, now=now)
    record_event(
        actor=actor,
        action="oauth_client.secret_rotated",
        subject=client,
        summary=f"API client {client.client_id} '{client.name}': secret rotated",
        changes={"tokens_revoked": revoked},
    )
    db.session.flush()
    return client, secret


def revoke_client(*, actor: User, client: OAuthClient, now: datetime | None = None) -> OAuthClient:
    """Stop ``client`` for good: no new token, and every token it holds refused at once."""
    ensure_permission(actor, Permission.MANAGE_USERS)
    if client.revoked_at is None:
        now = now or utcnow()
        client.revoked_at = now
        client.user.is_active = False
        revoked = revoke_every_token_of(client.user, now=now)
        record_event(
            actor=actor,
            action="oauth_client.revoked",
            subject=client,
            summary=f"API client {client.client_id} '{client.name}' revoked",
            changes={"tokens_revoked": revoked},
        )
        db.session.flush()
    return client


def find_client(client_id: str) -> OAuthClient | None:
    # Anything but a plausible id is unknown before it reaches the database (a NUL byte, say,
    # which PostgreSQL refuses in a string).
    if not client_id or len(client_id) > 40 or not client_id.isprintable():
        return None
    return db.session.scalars(
        sa.select(OAuthClient).where(OAuthClient.client_id == client_id)
    ).one_or_none()


def secret_matches(client: OAuthClient, secret: str) -> bool:
    return client.revoked_at is None and hmac.compare_digest(client.secret_hash, _hash(secret))


def new_access_token() -> str:
    """A token's secret: the personal tokens' shape, so /api/v1 reads both alike."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def allowed_scopes(client: OAuthClient, requested: str | None) -> list[TokenScope] | None:
    """The scopes a token request gets: all the client's when it names none, else those it
    names, or ``None`` when it names one the client was not granted (or no such scope)."""
    if not requested or not requested.strip():
        return sorted(client.scope_set)
    names = set(requested.split())
    if not names <= {scope.value for scope in client.scope_set}:
        return None
    asked = {TokenScope(name) for name in names}
    # Naming no area asks for the client's areas, as naming no scope asks for them all.
    if not asked & AREA_SCOPES:
        asked |= client.scope_set & AREA_SCOPES
    return sorted(asked)


def record_token(
    *,
    client: OAuthClient,
    raw: str,
    scopes: Iterable[TokenScope],
    seconds: int = DEFAULT_TOKEN_SECONDS,
    now: datetime | None = None,
) -> ApiToken:
    """Keep the hash of a bearer token just issued to the authenticated ``client``: it acts
    through the client's account with ``scopes`` (a subset of the client's) until it expires."""
    now = now or utcnow()
    chosen = sorted(set(scopes) & client.scope_set)
    token = ApiToken(
        user_id=client.user_id,
        name=f"OAuth: {client.name}"[:100],
        prefix=raw[:12],
        token_hash=hash_token(raw),
        scopes=" ".join(chosen),
        created_at=now,
        expires_at=now + timedelta(seconds=seconds),
    )
    db.session.add(token)
    client.last_token_at = now
    db.session.flush()
    record_event(
        actor=client.user,
        action="oauth_client.token_issued",
        subject=client,
        summary=f"API client {client.client_id} got token {token.prefix}…",
        changes={"scopes": chosen, "expires_at": token.expires_at.isoformat()},
    )
    return token
