"""Payment files made for the bank, the tranches in each, and the statements imported."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.donations.models import BankReceipt, Pledge
from app.grants.models import Tranche
from app.platform.db import Model, Money, UTCDateTime, str_enum, utcnow


class BatchStatus(StrEnum):
    # The file was made and its tranches sent: waiting for the bank's statement.
    OPEN = "open"
    # Every tranche in it is paid or failed.
    DONE = "done"
    # Withdrawn before the bank executed it: its tranches were recorded as failed.
    CANCELLED = "cancelled"


class PaymentBatch(Model):
    """One pain.001 file: the approved tranches of one currency, paid from one fund account."""

    __tablename__ = "bank_payment_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    # GrpHdr/MsgId of the file (at most 35 characters, unique for the bank).
    message_id: Mapped[str] = mapped_column(sa.String(35), unique=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    debtor_account: Mapped[str] = mapped_column(sa.String(40))
    total: Mapped[int] = mapped_column(Money())
    count: Mapped[int] = mapped_column()
    execution_date: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[BatchStatus] = mapped_column(
        str_enum(BatchStatus, "payment_batch_status"), default=BatchStatus.OPEN, index=True
    )
    # The file as made (UTF-8 XML), downloadable again unchanged.
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancellation_reason: Mapped[str | None] = mapped_column(sa.Text)

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
    items: Mapped[list[PaymentBatchItem]] = relationship(
        back_populates="batch", order_by="PaymentBatchItem.id"
    )

    @property
    def filename(self) -> str:
        return f"{self.message_id}.xml"


class PaymentBatchItem(Model):
    """One tranche (one attempt of it) in a file, under the EndToEndId the statement returns."""

    __tablename__ = "bank_payment_batch_items"
    __table_args__ = (sa.UniqueConstraint("tranche_id", "attempt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("bank_payment_batches.id", ondelete="CASCADE"), index=True
    )
    tranche_id: Mapped[int] = mapped_column(sa.ForeignKey("grant_tranches.id"), index=True)
    # A failed tranche requested again is a new attempt, which may go in a new file.
    attempt: Mapped[int] = mapped_column()
    end_to_end_id: Mapped[str] = mapped_column(sa.String(35), unique=True)
    amount: Mapped[int] = mapped_column(Money())

    batch: Mapped[PaymentBatch] = relationship(back_populates="items")
    tranche: Mapped[Tranche] = relationship()


class EntryOutcome(StrEnum):
    # Debits: the tranche is recorded paid; or was paid already; or something is off.
    TRANCHE_PAID = "tranche_paid"
    ALREADY_PAID = "already_paid"
    # Credits: a pledge is proposed; finance confirmed or dismissed it.
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    # Nothing here matches it: finance looks into it.
    UNMATCHED = "unmatched"


class BankStatement(Model):
    """One camt.053 statement imported (its entries below); imported once only."""

    __tablename__ = "bank_statements"
    __table_args__ = (sa.UniqueConstraint("account", "statement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(sa.String(35))
    statement_id: Mapped[str] = mapped_column(sa.String(35))
    account: Mapped[str] = mapped_column(sa.String(40))
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    filename: Mapped[str] = mapped_column(sa.String(200))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    imported_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    imported_by: Mapped[User] = relationship()
    entries: Mapped[list[StatementEntry]] = relationship(
        back_populates="statement", order_by="StatementEntry.id"
    )


class StatementEntry(Model):
    """One booked transaction of a statement and what was made of it."""

    __tablename__ = "bank_statement_entries"
    __table_args__ = (
        # The same transaction in a later, overlapping statement is recognised and skipped.
        sa.UniqueConstraint("account", "entry_key"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("bank_statements.id", ondelete="CASCADE"), index=True
    )
    account: Mapped[str] = mapped_column(sa.String(40))
    # The bank's reference of the transaction (AcctSvcrRef), else the entry's own.
    entry_key: Mapped[str] = mapped_column(sa.String(120))
    credit: Mapped[bool] = mapped_column()
    amount: Mapped[int] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))
    booking_date: Mapped[date] = mapped_column(sa.Date)
    bank_reference: Mapped[str] = mapped_column(sa.String(100))
    end_to_end_id: Mapped[str | None] = mapped_column(sa.String(35))
    counterparty: Mapped[str | None] = mapped_column(sa.String(140))
    remittance: Mapped[str | None] = mapped_column(sa.String(500))
    outcome: Mapped[EntryOutcome] = mapped_column(
        str_enum(EntryOutcome, "statement_entry_outcome"), index=True
    )
    # Why it is unmatched, or why the pledge was proposed (English, for the page and the audit).
    note: Mapped[str | None] = mapped_column(sa.Text)
    tranche_id: Mapped[int | None] = mapped_column(sa.ForeignKey("grant_tranches.id"))
    pledge_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pledges.id"))
    bank_receipt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bank_receipts.id"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    statement: Mapped[BankStatement] = relationship(back_populates="entries")
    tranche: Mapped[Tranche | None] = relationship()
    pledge: Mapped[Pledge | None] = relationship()
    bank_receipt: Mapped[BankReceipt | None] = relationship()
