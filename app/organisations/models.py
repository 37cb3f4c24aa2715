"""An organisation's bank accounts: each change proposed, confirmed by a second person, kept."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.platform.db import Model, UTCDateTime, utcnow

# A row is pending (neither confirmed nor rejected), rejected, or confirmed; a confirmed row is
# current until a later confirmed row supersedes it. Only ``superseded_at`` is ever set on a
# confirmed row, so the history says which account every past payment went to.
_PENDING = sa.text("confirmed_at IS NULL AND rejected_at IS NULL")
_CURRENT = sa.text("confirmed_at IS NOT NULL AND superseded_at IS NULL")


class BankAccount(Model):
    __tablename__ = "bank_accounts"
    __table_args__ = (
        sa.CheckConstraint("iban IS NOT NULL OR account_number IS NOT NULL", name="number"),
        # Segregation of duties held by the database too: the proposer never confirms.
        sa.CheckConstraint(
            "confirmed_by_id IS NULL OR confirmed_by_id <> proposed_by_id",
            name="second_person",
        ),
        sa.CheckConstraint(
            "NOT (confirmed_at IS NOT NULL AND rejected_at IS NOT NULL)",
            name="confirmed_or_rejected",
        ),
        # At most one change waiting, and one account in use, per organisation.
        sa.Index(
            "uq_bank_accounts_pending",
            "organisation_id",
            unique=True,
            sqlite_where=_PENDING,
            postgresql_where=_PENDING,
        ),
        sa.Index(
            "uq_bank_accounts_current",
            "organisation_id",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    holder_name: Mapped[str] = mapped_column(sa.String(200))
    # IBAN in its electronic form (no spaces), or a national account number where IBANs are
    # not used (then with the bank's BIC).
    iban: Mapped[str | None] = mapped_column(sa.String(34))
    account_number: Mapped[str | None] = mapped_column(sa.String(40))
    bic: Mapped[str] = mapped_column(sa.String(11))
    bank_name: Mapped[str] = mapped_column(sa.String(200))
    # ISO 3166-1 alpha-2 country of the bank.
    country: Mapped[str] = mapped_column(sa.String(2))
    # The same account however it was typed: the IBAN, or "<BIC's first 8>:<number>"; two
    # organisations with the same key are flagged.
    account_key: Mapped[str] = mapped_column(sa.String(60), index=True)

    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Payments to this account may go from this moment: confirmed_at + BANK_CHANGE_HOLD_DAYS.
    active_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejected_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text())
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    rejected_by: Mapped[User | None] = relationship(foreign_keys=[rejected_by_id])

    @property
    def is_pending(self) -> bool:
        return self.confirmed_at is None and self.rejected_at is None

    @property
    def is_current(self) -> bool:
        return self.confirmed_at is not None and self.superseded_at is None

    def __repr__(self) -> str:
        return f"<BankAccount {self.id} of organisation {self.organisation_id}>"
