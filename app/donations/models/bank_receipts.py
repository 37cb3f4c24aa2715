"""Bank receipts: money that reached the fund's account, and the parts applied to pledges."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.donations.models.donors import Donor
from app.donations.models.exchange_rates import Rate
from app.donations.models.pledges import Pledge
from app.platform.db import Model, Money, TimestampMixin, UTCDateTime, utcnow


class BankReceipt(TimestampMixin, Model):
    """Money that arrived on the fund's bank account, as on the bank statement."""

    __tablename__ = "bank_receipts"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None while finance does not know who sent it.
    donor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("donors.id"), index=True)
    value_date: Mapped[date] = mapped_column(sa.Date, index=True)
    amount: Mapped[int] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(sa.String(3))
    bank_reference: Mapped[str] = mapped_column(sa.String(100))
    # Its letters and digits in upper case (services.reference_key): the same reference typed
    # twice, or written another way, is caught.
    reference_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    payer_name: Mapped[str | None] = mapped_column(sa.String(300))
    note: Mapped[str | None] = mapped_column(sa.Text)
    functional_amount: Mapped[int] = mapped_column(Money)
    fx_rate: Mapped[Decimal] = mapped_column(Rate)
    fx_month: Mapped[date | None] = mapped_column(sa.Date)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    donor: Mapped[Donor | None] = relationship(lazy="joined")
    allocations: Mapped[list[BankReceiptAllocation]] = relationship(
        back_populates="bank_receipt", order_by="BankReceiptAllocation.id"
    )

    @property
    def allocated_amount(self) -> int:
        return sum(a.amount for a in self.allocations)

    @property
    def unapplied_amount(self) -> int:
        """Received but not (yet) applied to a pledge: over-payments and unmatched money."""
        return self.amount - self.allocated_amount

    @property
    def unapplied_functional_amount(self) -> int:
        return self.functional_amount - sum(a.functional_amount for a in self.allocations)


class BankReceiptAllocation(Model):
    """Part of a bank receipt applied to a pledge; the ledger moves when it is made."""

    __tablename__ = "bank_receipt_allocations"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("bank_receipts.id"), index=True)
    pledge_id: Mapped[int] = mapped_column(sa.ForeignKey("pledges.id"), index=True)
    # In the pledge's (and the receipt's) currency.
    amount: Mapped[int] = mapped_column(Money)
    # Converted at the rate in force on the value date: the cash that reached the fund.
    functional_amount: Mapped[int] = mapped_column(Money)
    # The part of the pledge's receivable (booked at the confirmation rate) this settles; the
    # difference with functional_amount is the exchange gain or loss.
    carrying_amount: Mapped[int] = mapped_column(Money)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    bank_receipt: Mapped[BankReceipt] = relationship(back_populates="allocations")
    pledge: Mapped[Pledge] = relationship(back_populates="allocations")
