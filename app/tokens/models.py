"""A personal access token: who it acts for, what it may do, until when. Only its hash is kept."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.platform.db import Model, UTCDateTime, utcnow


class TokenScope(StrEnum):
    """What a token may do. Only reading is served yet; ``write`` is recorded for later."""

    READ = "read"
    WRITE = "write"


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
    scopes: Mapped[str] = mapped_column(sa.String(50))
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
