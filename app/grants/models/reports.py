"""The reports a grantee owes: narrative, people assisted (counted, never described),
expenditure per budget line and attached files."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.platform.db import Model, Money, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from app.grants.models.grants import Grant, GrantBudgetLine
    from app.grants.models.tranches import Tranche


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
