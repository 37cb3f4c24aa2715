"""The reports a grantee owes: narrative, people assisted (counted, never described),
expenditure per budget line and attached files.

People assisted are one cross table, sex x age x form of exploitation, each cell split into the
people new in the report's period and those continuing from an earlier one (ReportPeople). Every
other count of people (by sex and age, by exploitation, the total) is derived from it, so two
tables of one report can never disagree; the fund adds up only the new (docs/decisions/0111).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.platform.categories import AgeGroup, FormOfExploitation, Sex
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
    """What a ReportFigure counts. Only ASSISTANCE is written: people by sex x age and by form of
    exploitation are derived from the cross table (ReportPeople); the two old values remain only
    so that the migration's downgrade can write the old tables back."""

    SEX_AGE = "sex_age"
    EXPLOITATION = "exploitation"
    ASSISTANCE = "assistance"


# The column of the cross table for people whose form of exploitation is not known (and where
# reports written before the cross table put their sex x age counts).
NOT_RECORDED = "not_recorded"
# The forms of exploitation of the cross table, in the order the form shows them.
EXPLOITATION_COLUMNS: tuple[str, ...] = (*(f.value for f in FormOfExploitation), NOT_RECORDED)


def sex_age_code(sex: Sex | str, age: AgeGroup | str) -> str:
    """The key of a sex x age total: ``female.adult``."""
    return f"{Sex(sex).value}.{AgeGroup(age).value}"


@dataclass(frozen=True)
class PeopleTable:
    """A cross table of people and every total derived from it.

    ``cells`` maps (form of exploitation, sex, age) to (new, continuing). The totals are
    computed, never stored, so they always equal the sums of the cells.
    """

    cells: Mapping[tuple[str, Sex, AgeGroup], tuple[int, int]]

    @property
    def new(self) -> int:
        return sum(new for new, _ in self.cells.values())

    @property
    def continuing(self) -> int:
        return sum(continuing for _, continuing in self.cells.values())

    @property
    def total(self) -> int:
        """The people assisted in the period: new and continuing."""
        return self.new + self.continuing

    def cell(self, exploitation: str, sex: Sex, age: AgeGroup) -> tuple[int, int]:
        return self.cells.get((exploitation, sex, age), (0, 0))

    def by_sex_age(self, *, new_only: bool = False) -> dict[str, int]:
        """Every sex x age total (``female.adult``), zero where nobody is counted."""
        totals = {sex_age_code(s, a): 0 for s in Sex for a in AgeGroup}
        for (_, sex, age), (new, continuing) in self.cells.items():
            totals[sex_age_code(sex, age)] += new if new_only else new + continuing
        return totals

    def by_exploitation(self, *, new_only: bool = False) -> dict[str, int]:
        """Every form of exploitation's total ("not recorded" included), zero where none."""
        totals = dict.fromkeys(EXPLOITATION_COLUMNS, 0)
        for (exploitation, _, _), (new, continuing) in self.cells.items():
            totals[exploitation] = totals.get(exploitation, 0) + (
                new if new_only else new + continuing
            )
        return totals

    def exploitation_total(self, exploitation: str) -> tuple[int, int]:
        """(new, continuing) for one form of exploitation."""
        rows = [v for (e, _, _), v in self.cells.items() if e == exploitation]
        return sum(n for n, _ in rows), sum(c for _, c in rows)

    def sex_age_total(self, sex: Sex, age: AgeGroup) -> tuple[int, int]:
        """(new, continuing) for one sex x age group."""
        rows = [v for (_, s, a), v in self.cells.items() if (s, a) == (sex, age)]
        return sum(n for n, _ in rows), sum(c for _, c in rows)


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
    people: Mapped[list[ReportPeople]] = relationship(
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
    def people_table(self) -> PeopleTable:
        return PeopleTable(
            {
                (row.exploitation, row.sex, row.age): (row.new_people, row.continuing_people)
                for row in self.people
            }
        )

    @property
    def people_assisted(self) -> int:
        """The people assisted in the report's period, new and continuing: the cross table's sum."""
        return self.people_table.total

    @property
    def expenditure_total(self) -> int:
        return sum(row.amount for row in self.expenditures)

    def __repr__(self) -> str:
        return f"<GrantReport {self.id} {self.kind} {self.number} {self.status}>"


class ReportPeople(Model):
    """One cell of the cross table of people assisted in a report's period: a form of
    exploitation (or NOT_RECORDED), a sex, an age group, and how many of those people are new
    in the period and how many continue from an earlier period of the grant. Only cells with
    someone in them are stored."""

    __tablename__ = "grant_report_people"
    __table_args__ = (
        sa.UniqueConstraint("report_id", "exploitation", "sex", "age"),
        sa.CheckConstraint("new_people >= 0", name="new_not_negative"),
        sa.CheckConstraint("continuing_people >= 0", name="continuing_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("grant_reports.id", ondelete="CASCADE"), index=True
    )
    exploitation: Mapped[str] = mapped_column(sa.String(32))
    sex: Mapped[Sex] = mapped_column(str_enum(Sex, "report_people_sex"))
    age: Mapped[AgeGroup] = mapped_column(str_enum(AgeGroup, "report_people_age"))
    new_people: Mapped[int] = mapped_column(default=0)
    continuing_people: Mapped[int] = mapped_column(default=0)

    report: Mapped[GrantReport] = relationship(back_populates="people")


class ReportFigure(Model):
    """How many of the people assisted in the period received one type of assistance (a person
    may receive several, so each is at most the people assisted, never their sum)."""

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
