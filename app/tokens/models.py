"""A personal access token: who it acts for, what it may do, until when. Only its hash is kept."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.platform.db import Model, UTCDateTime, utcnow


class TokenScope(StrEnum):
    """What a token may do: ``read`` the GET routes, ``write`` the others, and only in the
    areas it names (docs/api.md, decision 0117): a route of an area wants that area's scope."""

    READ = "read"
    WRITE = "write"
    # Areas: applications (with their documents), grants (with their reports), reviews,
    # donations (gifts, pledges, bank transfers, receipts, a donor's own), finance
    # (disbursements, exchange rates, the ledger).
    APPLICATIONS = "applications"
    GRANTS = "grants"
    REVIEWS = "reviews"
    DONATIONS = "donations"
    FINANCE = "finance"


AREA_SCOPES: frozenset[TokenScope] = frozenset(
    {
        TokenScope.APPLICATIONS,
        TokenScope.GRANTS,
        TokenScope.REVIEWS,
        TokenScope.DONATIONS,
        TokenScope.FINANCE,
    }
)


def with_areas(scopes: frozenset[TokenScope] | set[TokenScope]) -> list[TokenScope]:
    """``scopes`` in order, with every area added when they name none: a caller that names only
    ``read``/``write`` means the whole API (the pages always name the areas)."""
    chosen = set(scopes)
    if not chosen & AREA_SCOPES:
        chosen |= AREA_SCOPES
    return sorted(chosen)


class ApiToken(Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    # The first characters of the token, shown in the list so its owner can tell tokens apart;
    # too short to help anyone guess the rest.
    prefix: Mapped[str] = mapped_column(sa.String(12))
    # SHA-256 of the whole token, hex. The token is 256 random bits, so a fast unsalted hash is
    # enough: nobody can search that space, unlike a password's.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # Space-separated TokenScope values, as OAuth writes scopes.
    scopes: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def scope_set(self) -> frozenset[TokenScope]:
        return frozenset(TokenScope(value) for value in self.scopes.split())

    def is_usable_at(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


class IdempotencyKey(Model):
    """The first answer to a POST sent with an ``Idempotency-Key``: a retry of the same request
    gets it again instead of creating a second record (docs/api.md, decision 0097).

    The row is written in the transaction that does the work, before the work: a second request
    with the same key waits on the unique index until the first commits, then finds its answer.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The person the request acted for: their tokens share their keys.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(255))
    # SHA-256 of the method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    response_status: Mapped[int | None] = mapped_column(sa.Integer)
    response_body: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
