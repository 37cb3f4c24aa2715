"""Closure refunds: unspent money the grantee paid back, as received on the fund's account."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.platform.db import Model, Money, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.grants.models.grants import Grant


class GrantRefund(Model):
    """Unspent money the grantee paid back at closure, as received on the fund's bank account."""

    __tablename__ = "grant_refunds"
    __table_args__ = (
        sa.UniqueConstraint("grant_id", "bank_reference"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("psc_reversed >= 0", name="psc_reversed_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("grants.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[int] = mapped_column(Money())
    # The support cost charged on the refunded money, given back to the fund with it.
    psc_reversed: Mapped[int] = mapped_column(Money(), default=0)
    bank_reference: Mapped[str] = mapped_column(sa.String(100))
    received_on: Mapped[date] = mapped_column(sa.Date)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    grant: Mapped[Grant] = relationship(back_populates="refunds")
    recorded_by: Mapped[User | None] = relationship()
