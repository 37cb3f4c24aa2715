"""Grants: the award, its agreement, tranches, grantee reports, amendments and closure refunds.

Amounts are integer minor units of the functional currency (grants are awarded only in it).
Every status column moves through app/grants/workflow.py, never by assignment elsewhere.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.applications.models import Application, BudgetCategory, RiskRating
from app.platform.db import Model, Money, TimestampMixin, UTCDateTime, str_enum, utcnow


class GrantStatus(StrEnum):
    AWARDED = "awarded"
    AGREEMENT_SENT = "agreement_sent"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSING = "closing"
    CLOSED = "closed"


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


class ReportKind(StrEnum):
    PROGRESS = "progress"
    FINANCIAL = "financial"
    FINAL = "final"


# The reports that end a grant: the final narrative and the final financial report.
END_OF_GRANT_REPORTS = frozenset({ReportKind.FINAL, ReportKind.FINANCIAL})


class ReportStatus(StrEnum):
    DUE = "due"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    CHANGES_REQUESTED = "changes_requested"


# The grantee still has to (re)submit a report in these states.
REPORT_OUTSTANDING = frozenset({ReportStatus.DUE, ReportStatus.CHANGES_REQUESTED})


class FigureDimension(StrEnum):
    """How the people assisted are counted: sex x age, form of exploitation, assistance."""

    SEX_AGE = "sex_age"
    EXPLOITATION = "exploitation"
    ASSISTANCE = "assistance"


class AmendmentKind(StrEnum):
    BUDGET_REALLOCATION = "budget_reallocation"
    NO_COST_EXTENSION = "no_cost_extension"


class AmendmentStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


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


class GrantReport(Model):
    """A report the grantee owes: progress (before a later tranche), financial or final.

    People assisted are counted, never described (DESIGN.md §6): see ReportFigure.
    """

    __tablename__ = "grant_reports"
    __table_args__ = (
        sa.CheckConstraint("safeguarding_incidents >= 0", name="incidents_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("grants.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ReportKind] = mapped_column(str_enum(ReportKind, "grant_report_kind"))
    # 1, 2, ... within its kind ("Progress report 2").
    number: Mapped[int] = mapped_column(default=1)
    status: Mapped[ReportStatus] = mapped_column(
        str_enum(ReportStatus, "grant_report_status"), default=ReportStatus.DUE, index=True
    )
    due_date: Mapped[date] = mapped_column(sa.Date, index=True)
    # The tranche that cannot be requested until this report is accepted.
    gates_tranche_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("grant_tranches.id", ondelete="SET NULL")
    )
    results: Mapped[str] = mapped_column(sa.Text, default="")
    challenges: Mapped[str] = mapped_column(sa.Text, default="")
    lessons: Mapped[str] = mapped_column(sa.Text, default="")
    # Shown to the fund manager only (and to the organisation that wrote it).
    safeguarding_incidents: Mapped[int] = mapped_column(default=0)
    safeguarding_details: Mapped[str] = mapped_column(sa.Text, default="")
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    review_comment: Mapped[str] = mapped_column(sa.Text, default="")
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    grant: Mapped[Grant] = relationship(back_populates="reports")
    gates_tranche: Mapped[Tranche | None] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    figures: Mapped[list[ReportFigure]] = relationship(
        back_populates="report", cascade="all, delete-orphan"
    )
    expenditures: Mapped[list[ReportExpenditure]] = relationship(
        back_populates="report", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[ReportAttachment]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportAttachment.id"
    )

    @property
    def has_narrative(self) -> bool:
        return self.kind in (ReportKind.PROGRESS, ReportKind.FINAL)

    @property
    def has_expenditure(self) -> bool:
        return self.kind in (ReportKind.PROGRESS, ReportKind.FINANCIAL)

    def figure(self, dimension: FigureDimension, code: str) -> int:
        for row in self.figures:
            if row.dimension == dimension and row.code == code:
                return row.count
        return 0

    def figures_of(self, dimension: FigureDimension) -> dict[str, int]:
        return {row.code: row.count for row in self.figures if row.dimension == dimension}

    @property
    def people_assisted(self) -> int:
        return sum(self.figures_of(FigureDimension.SEX_AGE).values())

    @property
    def expenditure_total(self) -> int:
        return sum(row.amount for row in self.expenditures)

    def __repr__(self) -> str:
        return f"<GrantReport {self.id} {self.kind} {self.number} {self.status}>"


class ReportFigure(Model):
    """An aggregate count of people assisted; sex x age codes read ``female.adult``."""

    __tablename__ = "grant_report_figures"
    __table_args__ = (
        sa.UniqueConstraint("report_id", "dimension", "code"),
        sa.CheckConstraint("count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("grant_reports.id", ondelete="CASCADE"), index=True
    )
    dimension: Mapped[FigureDimension] = mapped_column(
        str_enum(FigureDimension, "figure_dimension")
    )
    code: Mapped[str] = mapped_column(sa.String(64))
    count: Mapped[int] = mapped_column()

    report: Mapped[GrantReport] = relationship(back_populates="figures")


class ReportExpenditure(Model):
    """What the grantee spent on one budget line, cumulatively, up to the report."""

    __tablename__ = "grant_report_expenditures"
    __table_args__ = (
        sa.UniqueConstraint("report_id", "budget_line_id"),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("grant_reports.id", ondelete="CASCADE"), index=True
    )
    budget_line_id: Mapped[int] = mapped_column(sa.ForeignKey("grant_budget_lines.id"))
    amount: Mapped[int] = mapped_column(Money())

    report: Mapped[GrantReport] = relationship(back_populates="expenditures")
    budget_line: Mapped[GrantBudgetLine] = relationship(lazy="joined")


class ReportAttachment(Model):
    """A file attached to a report; the bytes are in private storage under ``storage_key``."""

    __tablename__ = "grant_report_attachments"
    __table_args__ = (sa.CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("grant_reports.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    report: Mapped[GrantReport] = relationship(back_populates="attachments")


class Amendment(Model):
    """A change to an active grant asked by the grantee; numbered, so the grant is versioned."""

    __tablename__ = "grant_amendments"
    __table_args__ = (sa.UniqueConstraint("grant_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("grants.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column()
    kind: Mapped[AmendmentKind] = mapped_column(str_enum(AmendmentKind, "amendment_kind"))
    status: Mapped[AmendmentStatus] = mapped_column(
        str_enum(AmendmentStatus, "amendment_status"),
        default=AmendmentStatus.REQUESTED,
        index=True,
    )
    reason: Mapped[str] = mapped_column(sa.Text)
    # No-cost extension: the end date before and after.
    old_end_date: Mapped[date | None] = mapped_column(sa.Date)
    new_end_date: Mapped[date | None] = mapped_column(sa.Date)
    # Budget reallocation: the version it changes and {position: new amount}.
    base_budget_version: Mapped[int | None] = mapped_column()
    new_budget_version: Mapped[int | None] = mapped_column()
    proposed_amounts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_comment: Mapped[str] = mapped_column(sa.Text, default="")

    grant: Mapped[Grant] = relationship(back_populates="amendments")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def proposed_amount(self, position: int) -> int | None:
        value = self.proposed_amounts.get(str(position))
        return None if value is None else int(value)


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
