"""Pledges: promises to give, paid by bank transfer, and when the donor intends to pay."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.donations.models.donors import Donor
from app.donations.models.exchange_rates import Rate
from app.platform.db import Model, Money, TimestampMixin, str_enum

if TYPE_CHECKING:
    from app.donations.models.bank_receipts import BankReceiptAllocation


class PledgeStatus(StrEnum):
    PLEDGED = "pledged"
    CONFIRMED = "confirmed"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    CANCELLED = "cancelled"
    WRITTEN_OFF = "written_off"


# A bank receipt can be applied to a pledge in these states.
PAYABLE_PLEDGE_STATUSES = frozenset({PledgeStatus.CONFIRMED, PledgeStatus.PARTIALLY_PAID})


class Pledge(TimestampMixin, Model):
    """A promise to give (Member States by letter or Note Verbale), paid by bank transfer."""

    __tablename__ = "pledges"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_plausible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    donor_id: Mapped[int] = mapped_column(sa.ForeignKey("donors.id"), index=True)
    amount: Mapped[int] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(sa.String(3))
    year: Mapped[int] = mapped_column(index=True)
    # A Theme code (app/platform/categories.py) or None for unearmarked money (preferred).
    earmark: Mapped[str | None] = mapped_column(sa.String(40))
    status: Mapped[PledgeStatus] = mapped_column(
        str_enum(PledgeStatus, "pledge_status"), default=PledgeStatus.PLEDGED, index=True
    )
    note: Mapped[str | None] = mapped_column(sa.Text)
    # The pledge letter or agreement, in private storage (app/platform/storage.py).
    letter_key: Mapped[str | None] = mapped_column(sa.String(64))
    letter_filename: Mapped[str | None] = mapped_column(sa.String(200))
    letter_content_type: Mapped[str | None] = mapped_column(sa.String(100))
    letter_size: Mapped[int | None] = mapped_column()
    # Set on confirmation: the receivable booked, in the functional currency, and its rate.
    functional_amount: Mapped[int | None] = mapped_column(Money)
    fx_rate: Mapped[Decimal | None] = mapped_column(Rate)
    confirmed_on: Mapped[date | None] = mapped_column(sa.Date)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # What was left on the receivable when the pledge was cancelled or written off.
    closed_functional_amount: Mapped[int | None] = mapped_column(Money)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    donor: Mapped[Donor] = relationship(lazy="joined")
    instalments: Mapped[list[PledgeInstalment]] = relationship(
        back_populates="pledge", cascade="all, delete-orphan", order_by="PledgeInstalment.due_on"
    )
    allocations: Mapped[list[BankReceiptAllocation]] = relationship(
        back_populates="pledge", order_by="BankReceiptAllocation.id"
    )

    @property
    def paid_amount(self) -> int:
        return sum(a.amount for a in self.allocations)

    @property
    def outstanding_amount(self) -> int:
        if self.status in (PledgeStatus.CANCELLED, PledgeStatus.WRITTEN_OFF):
            return 0
        return max(0, self.amount - self.paid_amount)

    @property
    def paid_functional_amount(self) -> int:
        return sum(a.functional_amount for a in self.allocations)

    @property
    def carrying_amount(self) -> int:
        """What is still on the donor's receivable for this pledge (functional currency)."""
        if self.functional_amount is None:
            return 0
        return (
            self.functional_amount
            - sum(a.carrying_amount for a in self.allocations)
            - (self.closed_functional_amount or 0)
        )


class PledgeInstalment(Model):
    """When the donor intends to pay which part (informative: payments match the pledge)."""

    __tablename__ = "pledge_instalments"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pledges.id", ondelete="CASCADE"), index=True
    )
    due_on: Mapped[date] = mapped_column(sa.Date)
    amount: Mapped[int] = mapped_column(Money)

    pledge: Mapped[Pledge] = relationship(back_populates="instalments")
