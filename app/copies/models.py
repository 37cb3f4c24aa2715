"""Copied proposals: each submitted application's MinHash signature and its LSH band hashes
(indexed, so likely copies are found by a look-up), and the pairs found to share long passages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.applications.models import Application
from app.platform.db import Model, UTCDateTime, str_enum, utcnow


class CopyDecision(StrEnum):
    """What a screener made of a flag: not a concern (a consortium's shared text, a quoted
    law), or a copy the fund acts on. A flag without a decision is waiting."""

    CLEARED = "cleared"
    CONFIRMED = "confirmed"


class TextSignature(Model):
    """An application's text as last submitted, summed up as a MinHash signature."""

    __tablename__ = "copy_signatures"

    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    # How it was made (library, scheme, permutations, shingle): another method signs again.
    method: Mapped[str] = mapped_column(sa.String(60))
    signature: Mapped[bytes] = mapped_column(sa.LargeBinary)
    token_count: Mapped[int] = mapped_column()
    text_sha256: Mapped[str] = mapped_column(sa.String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TextBand(Model):
    """One band of a signature, hashed: two texts with an equal band are likely copies."""

    __tablename__ = "copy_bands"
    __table_args__ = (sa.Index("ix_copy_bands_hash", "band_hash", "application_id"),)

    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("copy_signatures.application_id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    band_hash: Mapped[int] = mapped_column(sa.BigInteger)


class CopyFlag(Model):
    """Two applications found to share long passages; ``first`` is the one with the lower id."""

    __tablename__ = "copy_flags"
    __table_args__ = (
        sa.UniqueConstraint("first_id", "second_id"),
        sa.CheckConstraint("first_id < second_id", name="ordered_pair"),
        sa.CheckConstraint("first_share BETWEEN 0 AND 1", name="first_share_fraction"),
        sa.CheckConstraint("second_share BETWEEN 0 AND 1", name="second_share_fraction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"))
    second_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    # The share of each one's text that lies in the passages it shares with the other.
    first_share: Mapped[float] = mapped_column(sa.Float)
    second_share: Mapped[float] = mapped_column(sa.Float)
    passages: Mapped[int] = mapped_column()
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decision: Mapped[CopyDecision | None] = mapped_column(
        str_enum(CopyDecision, "copy_decision"), index=True
    )
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    first: Mapped[Application] = relationship(foreign_keys=[first_id])
    second: Mapped[Application] = relationship(foreign_keys=[second_id])
    decided_by: Mapped[User | None] = relationship()

    def other(self, application_id: int) -> Application:
        return self.second if application_id == self.first_id else self.first

    def share_of(self, application_id: int) -> float:
        return self.first_share if application_id == self.first_id else self.second_share

    def shown_share_of(self, application_id: int) -> Decimal:
        return whole_percent(self.share_of(application_id))

    @property
    def share(self) -> float:
        return max(self.first_share, self.second_share)


def whole_percent(fraction: float) -> Decimal:
    """A share as shown (the page's ``percent`` filter): 0.6327 → Decimal("0.63")."""
    return Decimal(round(fraction * 100)) / 100
