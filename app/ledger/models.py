"""Ledger tables: accounts with running totals, append-only transfers and seal checkpoints.

Modelled on TigerBeetle (DESIGN.md §4). Amounts are integer minor units of the functional
currency. The CHECK constraints, the unique index on ``pending_id`` and the append-only triggers
(see the migration) hold even when the application is bypassed.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.platform.db import APPEND_ONLY, Model, Money, UTCDateTime, str_enum, utcnow

# PostgreSQL numbers transfers from this sequence; SQLite (writes serialised) uses max + 1.
TRANSFER_SEQUENCE = "ledger_transfers_sequence_seq"


class AccountType(StrEnum):
    """The accounting class of an account; it decides on which side its balance is normal."""

    ASSET = "asset"
    LIABILITY = "liability"
    NET_ASSETS = "net_assets"
    REVENUE = "revenue"
    EXPENSE = "expense"

    @property
    def debit_normal(self) -> bool:
        return self in (AccountType.ASSET, AccountType.EXPENSE)


class TransferKind(StrEnum):
    SINGLE = "single"
    PENDING = "pending"
    POST_PENDING = "post_pending"
    VOID_PENDING = "void_pending"


class TransferCode(StrEnum):
    """What kind of money movement a transfer records (DESIGN.md §4 table)."""

    GIFT = "GIFT"
    FEE = "FEE"
    PLEDGE = "PLEDGE"
    PLEDGE_PAYMENT = "PLEDGE_PAYMENT"
    PLEDGE_WRITE_OFF = "PLEDGE_WRITE_OFF"
    COMMITMENT = "COMMITMENT"
    DISBURSEMENT = "DISBURSEMENT"
    PSC = "PSC"
    RELEASE = "RELEASE"
    REFUND = "REFUND"
    CHARGEBACK = "CHARGEBACK"
    PAYOUT = "PAYOUT"
    REVERSAL = "REVERSAL"
    ADJUSTMENT = "ADJUSTMENT"


class Account(Model):
    """A ledger account. Its four totals only ever change together with a new transfer."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        sa.CheckConstraint(
            "debits_pending >= 0 AND debits_posted >= 0 "
            "AND credits_pending >= 0 AND credits_posted >= 0",
            name="totals_non_negative",
        ),
        # Pending amounts count, as in TigerBeetle: money on its way out is not available.
        sa.CheckConstraint(
            "NOT debits_must_not_exceed_credits "
            "OR debits_pending + debits_posted <= credits_posted",
            name="debits_within_credits",
        ),
        sa.CheckConstraint(
            "NOT credits_must_not_exceed_debits "
            "OR credits_pending + credits_posted <= debits_posted",
            name="credits_within_debits",
        ),
        sa.CheckConstraint(
            "NOT (debits_must_not_exceed_credits AND credits_must_not_exceed_debits)",
            name="one_limit_flag",
        ),
        sa.Index("ix_ledger_accounts_owner", "owner_type", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable address used by the code: "fund:available", "grant:14", "receivable:3".
    key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    # Chart-of-accounts number (1110 cash at Stripe, 3100 fund available, ...).
    code: Mapped[int] = mapped_column(sa.Integer, index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    type: Mapped[AccountType] = mapped_column(str_enum(AccountType, "ledger_account_type"))
    owner_type: Mapped[str | None] = mapped_column(sa.String(40))
    owner_id: Mapped[int | None] = mapped_column(sa.Integer)
    currency: Mapped[str] = mapped_column(sa.String(3))
    debits_pending: Mapped[int] = mapped_column(Money, default=0)
    debits_posted: Mapped[int] = mapped_column(Money, default=0)
    credits_pending: Mapped[int] = mapped_column(Money, default=0)
    credits_posted: Mapped[int] = mapped_column(Money, default=0)
    debits_must_not_exceed_credits: Mapped[bool] = mapped_column(default=False)
    credits_must_not_exceed_debits: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.key}>"


class Transfer(Model):
    """One movement of money from a debit account to a credit account. Never updated."""

    __tablename__ = "ledger_transfers"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("debit_account_id <> credit_account_id", name="accounts_differ"),
        sa.CheckConstraint(
            "(kind IN ('single', 'pending') AND pending_id IS NULL) OR "
            "(kind IN ('post_pending', 'void_pending') AND pending_id IS NOT NULL)",
            name="pending_id_matches_kind",
        ),
        sa.Index("ix_ledger_transfers_debit_account", "debit_account_id", "sequence"),
        sa.Index("ix_ledger_transfers_credit_account", "credit_account_id", "sequence"),
        sa.Index("ix_ledger_transfers_document", "document_type", "document_id"),
        APPEND_ONLY,
    )

    # The idempotency key, chosen by the caller (see services.posting.transfer_id).
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    # Increases with every transfer: the order of the seal's hash chain and of statements.
    sequence: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    debit_account_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_accounts.id"))
    credit_account_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_accounts.id"))
    amount: Mapped[int] = mapped_column(Money)
    code: Mapped[TransferCode] = mapped_column(str_enum(TransferCode, "ledger_transfer_code"))
    kind: Mapped[TransferKind] = mapped_column(str_enum(TransferKind, "ledger_transfer_kind"))
    # Unique: a pending transfer is posted or voided at most once, whoever races for it.
    pending_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("ledger_transfers.id"), unique=True
    )
    batch_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    document_type: Mapped[str | None] = mapped_column(sa.String(40))
    document_id: Mapped[str | None] = mapped_column(sa.String(60))
    # No foreign key, as in the audit log: the ledger outlives whoever posted to it.
    actor_id: Mapped[int | None] = mapped_column(sa.Integer)
    memo: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    debit_account: Mapped[Account] = relationship(foreign_keys=[debit_account_id])
    credit_account: Mapped[Account] = relationship(foreign_keys=[credit_account_id])
    pending: Mapped[Transfer | None] = relationship(remote_side=[id], foreign_keys=[pending_id])

    def __repr__(self) -> str:
        return f"<Transfer {self.sequence} {self.kind} {self.code} {self.amount}>"


class DailyMovement(Model):
    """What the posted transfers of one UTC day moved, per code, kind and pair of accounts.

    Written only by the database: a trigger on ``ledger_transfers`` adds each posted transfer
    (single, or post_pending on the day it is posted) to its row as it is inserted (migration
    b7d1e2f3a4c5, decision 0121). Reports read it instead of every transfer of a period.
    """

    __tablename__ = "ledger_daily_movements"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    code: Mapped[TransferCode] = mapped_column(
        str_enum(TransferCode, "ledger_transfer_code"), primary_key=True
    )
    kind: Mapped[TransferKind] = mapped_column(
        str_enum(TransferKind, "ledger_transfer_kind"), primary_key=True
    )
    debit_account_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    credit_account_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    # For GIFT transfers, the kind of the documented gift's donor as posted; '' otherwise (and
    # for a gift transfer whose gift is not found).
    donor_kind: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    amount: Mapped[int] = mapped_column(Money)
    transfers: Mapped[int] = mapped_column(sa.Integer)


class Checkpoint(Model):
    """A seal: the hash chain over every transfer up to ``last_sequence``. Append-only."""

    __tablename__ = "ledger_checkpoints"
    __table_args__ = (APPEND_ONLY,)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Transfers with first_sequence <= sequence <= last_sequence are covered by this seal.
    first_sequence: Mapped[int] = mapped_column(sa.BigInteger)
    last_sequence: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    transfer_count: Mapped[int] = mapped_column(sa.Integer)
    previous_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sealed_by_id: Mapped[int | None] = mapped_column(sa.Integer)
