"""A grant's tranches: each instalment, paid by two finance officers (maker and checker)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.platform.db import Model, Money, UTCDateTime, str_enum

if TYPE_CHECKING:
    from app.grants.models.grants import Grant


class TrancheStatus(StrEnum):
    SCHEDULED = "scheduled"
    REQUESTED = "requested"
    APPROVED = "approved"
    SENT = "sent"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"


# A tranche in these states has a request, an approval or a bank transfer under way.
TRANCHES_IN_FLIGHT = frozenset(
    {TrancheStatus.REQUESTED, TrancheStatus.APPROVED, TrancheStatus.SENT}
)


class Tranche(Model):
    """One instalment of a grant, paid by two finance officers (maker and checker)."""

    __tablename__ = "grant_tranches"
    __table_args__ = (
        sa.UniqueConstraint("grant_id", "number"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("psc_amount >= 0", name="psc_not_negative"),
        sa.CheckConstraint("attempt >= 1", name="attempt_positive"),
        # The database, too, refuses a checker who is the maker.
        sa.CheckConstraint(
            "approved_by_id IS NULL OR requested_by_id IS NULL"
            " OR approved_by_id <> requested_by_id",
            name="checker_is_not_maker",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("grants.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column()
    amount: Mapped[int] = mapped_column(Money())
    planned_date: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[TrancheStatus] = mapped_column(
        str_enum(TrancheStatus, "tranche_status"), default=TrancheStatus.SCHEDULED, index=True
    )
    # A failed bank transfer may be requested again; each attempt has its own ledger transfers.
    attempt: Mapped[int] = mapped_column(default=1)
    psc_amount: Mapped[int] = mapped_column(Money(), default=0)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The grantee's bank account the checker approved the payment to: sending and recording the
    # payment are refused once the grantee's account is another one, until approved again.
    approved_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bank_accounts.id"))
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    bank_reference: Mapped[str | None] = mapped_column(sa.String(100))
    failure_reason: Mapped[str | None] = mapped_column(sa.Text)
    cancellation_reason: Mapped[str | None] = mapped_column(sa.Text)

    grant: Mapped[Grant] = relationship(back_populates="tranches")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])

    @property
    def reference(self) -> str:
        return f"{self.grant.reference}/T{self.number}"

    def __repr__(self) -> str:
        return f"<Tranche {self.id} {self.number} {self.status}>"
