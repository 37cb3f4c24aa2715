"""An OAuth 2 client: a program that acts, through its own account, as a staff role or as a
member of one organisation. Only the hash of its secret is kept."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, Role, User
from app.platform.db import Model, UTCDateTime, str_enum, utcnow
from app.tokens.models import TokenScope


class ClientRole(StrEnum):
    """The staff roles a client may act as. Never admin (a program does not manage people), and
    not reviewer or board: a review or a vote is a person's own judgement (decision 0102)."""

    FUND_MANAGER = Role.FUND_MANAGER.value
    FINANCE = Role.FINANCE.value
    AUDITOR = Role.AUDITOR.value


class OAuthClient(Model):
    __tablename__ = "oauth_clients"
    __table_args__ = (
        sa.CheckConstraint(
            "(role IS NULL) <> (organisation_id IS NULL)", name="acts_as_role_or_organisation"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public half of the credentials, sent as the Basic user name.
    client_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    # SHA-256 of the secret, hex: 256 random bits, so a fast hash is enough (as for tokens).
    secret_hash: Mapped[str] = mapped_column(sa.String(64))
    # Space-separated TokenScope values the client may ask for.
    scopes: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[ClientRole | None] = mapped_column(str_enum(ClientRole, "oauth_client_role"))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    # The program account the client's tokens act through: its permissions are exactly those of
    # a person with the same role or membership, so no rule is written twice.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    secret_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_token_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def scope_set(self) -> frozenset[TokenScope]:
        return frozenset(TokenScope(value) for value in self.scopes.split())

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
