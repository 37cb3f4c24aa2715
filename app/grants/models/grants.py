"""A grant: the award, its agreement and closure (``Grant``), its number in the year and
its budget, one version per amendment."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.applications.models import Application, BudgetCategory, RiskRating
from app.grants.models.tranches import TrancheStatus
from app.platform.db import Model, Money, TimestampMixin, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from app.grants.models.amendments import Amendment
    from app.grants.models.refunds import GrantRefund
    from app.grants.models.reports import GrantReport
    from app.grants.models.tranches import Tranche


class GrantStatus(StrEnum):
    AWARDED = "awarded"
    AGREEMENT_SENT = "agreement_sent"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSING = "closing"
    CLOSED = "closed"


class GrantSequence(Model):
    """The last grant number used in a year; incremented in one UPDATE, so never twice."""

    __tablename__ = "grant_sequences"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Grant(TimestampMixin, Model):
    """An approved application turned into a commitment of the fund, with its agreement."""

    __tablename__ = "grants"
    __table_args__ = (
        sa.UniqueConstraint("year", "number"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("psc_amount >= 0", name="psc_not_negative"),
        sa.CheckConstraint("end_date >= start_date", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(30), unique=True)
    year: Mapped[int] = mapped_column()
    number: Mapped[int] = mapped_column()
    # One grant per application, whatever two fund managers click at the same moment.
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), unique=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    # The Board decision it implements: traceability from the decision to the bank reference.
    board_decision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("board_decisions.id"))
    status: Mapped[GrantStatus] = mapped_column(
        str_enum(GrantStatus, "grant_status"), default=GrantStatus.AWARDED, index=True
    )
    title: Mapped[str] = mapped_column(sa.String(300))
    currency: Mapped[str] = mapped_column(sa.String(3))
    amount: Mapped[int] = mapped_column(Money())
    psc_rate: Mapped[Decimal] = mapped_column(sa.Numeric(6, 4))
    psc_amount: Mapped[int] = mapped_column(Money())
    conditions: Mapped[str] = mapped_column(sa.Text, default="")
    # Copied at award: the schedule was built from it, even if the rating changes later.
    risk_rating: Mapped[RiskRating] = mapped_column(str_enum(RiskRating, "grant_risk_rating"))
    start_date: Mapped[date] = mapped_column(sa.Date)
    end_date: Mapped[date] = mapped_column(sa.Date)
    budget_version: Mapped[int] = mapped_column(default=1)

    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    awarded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    agreement_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    agreement_sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # SHA-256 of the agreement's terms when sent: what the signatory accepted, provably.
    agreement_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    signatory_name: Mapped[str | None] = mapped_column(sa.String(200))
    signatory_title: Mapped[str | None] = mapped_column(sa.String(200))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    accepted_ip: Mapped[str | None] = mapped_column(sa.String(45))
    suspension_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Filled when closure starts: what was paid, what the grantee spent, what it owes back.
    closing_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reported_expenditure: Mapped[int | None] = mapped_column(Money())
    unspent_amount: Mapped[int | None] = mapped_column(Money())
    released_amount: Mapped[int | None] = mapped_column(Money())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    application: Mapped[Application] = relationship(lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    awarded_by: Mapped[User | None] = relationship(foreign_keys=[awarded_by_id])
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])
    tranches: Mapped[list[Tranche]] = relationship(
        back_populates="grant", cascade="all, delete-orphan", order_by="Tranche.number"
    )
    reports: Mapped[list[GrantReport]] = relationship(
        back_populates="grant",
        cascade="all, delete-orphan",
        order_by="[GrantReport.due_date, GrantReport.id]",
    )
    budget_lines: Mapped[list[GrantBudgetLine]] = relationship(
        back_populates="grant",
        cascade="all, delete-orphan",
        order_by="[GrantBudgetLine.version, GrantBudgetLine.position]",
    )
    amendments: Mapped[list[Amendment]] = relationship(
        back_populates="grant", cascade="all, delete-orphan", order_by="Amendment.number"
    )
    refunds: Mapped[list[GrantRefund]] = relationship(
        back_populates="grant", cascade="all, delete-orphan", order_by="GrantRefund.id"
    )

    @property
    def commitment(self) -> int:
        """What the fund set aside: the grant plus its programme support cost."""
        return self.amount + self.psc_amount

    @property
    def current_budget(self) -> list[GrantBudgetLine]:
        return [line for line in self.budget_lines if line.version == self.budget_version]

    @property
    def paid_amount(self) -> int:
        return sum(t.amount for t in self.tranches if t.status == TrancheStatus.PAID)

    @property
    def psc_charged(self) -> int:
        return sum(t.psc_amount for t in self.tranches if t.status == TrancheStatus.PAID)

    @property
    def refunded_amount(self) -> int:
        return sum(refund.amount for refund in self.refunds)

    @property
    def is_closed(self) -> bool:
        return self.status == GrantStatus.CLOSED

    def __repr__(self) -> str:
        return f"<Grant {self.id} {self.reference} {self.status}>"


class GrantBudgetLine(Model):
    """One line of a grant's budget, in one version; amendments add a version, never edit."""

    __tablename__ = "grant_budget_lines"
    __table_args__ = (
        sa.UniqueConstraint("grant_id", "version", "position"),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("grants.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column()
    position: Mapped[int] = mapped_column()
    category: Mapped[BudgetCategory] = mapped_column(
        str_enum(BudgetCategory, "grant_budget_category")
    )
    description: Mapped[str] = mapped_column(sa.String(300))
    amount: Mapped[int] = mapped_column(Money())

    grant: Mapped[Grant] = relationship(back_populates="budget_lines")
