"""The numbered receipts issued for gifts and bank receipts, and their yearly sequence."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.donations.models.bank_receipts import BankReceipt
from app.donations.models.donors import Donor
from app.donations.models.gifts import Gift
from app.platform.db import Model, UTCDateTime, utcnow


class DonationReceipt(Model):
    """The numbered receipt for a succeeded gift or a bank receipt (one sequence per year)."""

    __tablename__ = "donation_receipts"
    __table_args__ = (
        sa.UniqueConstraint("year", "number"),
        sa.CheckConstraint("(gift_id IS NULL) <> (bank_receipt_id IS NULL)", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column()
    number: Mapped[int] = mapped_column()
    gift_id: Mapped[int | None] = mapped_column(sa.ForeignKey("gifts.id"), unique=True)
    bank_receipt_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("bank_receipts.id"), unique=True
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    gift: Mapped[Gift | None] = relationship(lazy="joined")
    bank_receipt: Mapped[BankReceipt | None] = relationship(lazy="joined")

    @property
    def reference(self) -> str:
        return f"{self.year}-{self.number:06d}"

    @property
    def donor(self) -> Donor | None:
        if self.gift is not None:
            return self.gift.donor
        return self.bank_receipt.donor if self.bank_receipt is not None else None

    @property
    def donor_name(self) -> str | None:
        """Who the receipt is made out to: the person who gave (for a gift, the name typed for
        it), else the bank receipt's donor."""
        if self.gift is not None:
            return self.gift.donor_name
        donor = self.donor
        return donor.name if donor is not None else None

    @property
    def amount(self) -> int:
        if self.gift is not None:
            return self.gift.amount
        return self.bank_receipt.amount if self.bank_receipt is not None else 0

    @property
    def currency(self) -> str:
        if self.gift is not None:
            return self.gift.currency
        return self.bank_receipt.currency if self.bank_receipt is not None else ""


class ReceiptSequence(Model):
    """The last receipt number used in a year; incremented in one UPDATE, so never twice."""

    __tablename__ = "receipt_sequences"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)
