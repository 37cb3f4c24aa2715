"""Grantee reports (progress, financial, final), their review, attachments and reminders.

People assisted are aggregate counts only (DESIGN.md §6): one cross table of sex x age x form
of exploitation, new or continuing, and people per type of assistance; the forms never ask for,
and the tables cannot hold, a person. Totals are derived from the cross table, never entered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.accounts.models import User
from app.accounts.permissions import Permission, ensure_permission, has_permission, is_member
from app.applications.services.documents import store_uploaded_file
from app.audit.services import record_event
from app.grants import notices
from app.grants.models import (
    EXPLOITATION_COLUMNS,
    REPORT_OUTSTANDING,
    FigureDimension,
    GrantBudgetLine,
    GrantReport,
    GrantStatus,
    PeopleTable,
    ReportAttachment,
    ReportExpenditure,
    ReportFigure,
    ReportKind,
    ReportPeople,
    ReportStatus,
    TrancheStatus,
)
from app.grants.services.common import report_title
from app.grants.services.schedule import scale_amounts
from app.grants.workflow import REPORT_WORKFLOW
from app.platform.categories import AgeGroup, AssistanceType, Sex
from app.platform.db import lock_rows, utcnow
from app.platform.errors import N_, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.platform.money import apply_rate
from app.platform.settings import settings
from app.platform.storage import Storage
from app.results.services import actuals_problems

MAX_COUNT = 10_000_000
MAX_TEXT = 20_000
# Grants accept reports and amendments while they run (suspension included), not before the
# agreement is accepted nor once closure starts.
REPORTING_STATES = frozenset({GrantStatus.ACTIVE, GrantStatus.SUSPENDED})

# A cell of the cross table: (form of exploitation or NOT_RECORDED, sex, age group).
PeopleKey = tuple[str, Sex, AgeGroup]


@dataclass(frozen=True)
class ReportData:
    """What the report form sends: the cross table of people, as (new, continuing) per cell;
    people per type of assistance; the narrative; spending by budget line id."""

    results: str = ""
    challenges: str = ""
    lessons: str = ""
    safeguarding_incidents: int = 0
    safeguarding_details: str = ""
    people: Mapping[PeopleKey, tuple[int, int]] = field(default_factory=dict)
    assistance: Mapping[str, int] = field(default_factory=dict)
    expenditures: Mapping[int, int] = field(default_factory=dict)


class PeopleCountsRefused(ValidationFailed):
    """Counts of people that cannot be right, each refusal under the name of what it is about:
    ``assistance.<code>``, ``continuing``, or ``people.<exploitation>.<sex>.<age>``."""

    def __init__(self, problems: dict[str, ValidationFailed]) -> None:
        first = next(iter(problems.values()))
        super().__init__(first.template, **first.params)
        self.problems = problems


def _count(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        return None
    return value


def _earlier_new_people(report: GrantReport) -> int:
    """The people counted as new by the grant's reports of earlier periods."""
    return sum(
        other.people_table.new
        for other in report.grant.reports
        if other.id != report.id
        and other.has_narrative
        and (other.due_date, other.id or 0) < (report.due_date, report.id or 0)
    )


def check_people(
    report: GrantReport, data: ReportData
) -> tuple[dict[tuple[str, Sex, AgeGroup], tuple[int, int]], dict[str, int]]:
    """The cross table and the assistance counts, or PeopleCountsRefused saying what is wrong.

    Nothing else is taken: totals by sex and age or by exploitation are derived from the cells,
    so they cannot disagree. A person may receive several types of assistance, so each type
    counts at most the people assisted in the period. People continuing from an earlier period
    were counted as new by an earlier report of the grant, so there cannot be more of them."""
    problems: dict[str, ValidationFailed] = {}
    cells: dict[tuple[str, Sex, AgeGroup], tuple[int, int]] = {}
    for key, value in data.people.items():
        exploitation, sex_value, age_value = (str(part) for part in key)
        name = f"people.{exploitation}.{sex_value}.{age_value}"
        if (
            exploitation not in EXPLOITATION_COLUMNS
            or sex_value not in {s.value for s in Sex}
            or age_value not in {a.value for a in AgeGroup}
        ):
            problems[name] = ValidationFailed(
                N_("%(code)s is not one of the counted categories."), code=name
            )
            continue
        new, continuing = (_count(v) for v in value)
        if new is None or continuing is None:
            problems[name] = ValidationFailed(N_("Counts are whole numbers from 0 up."))
            continue
        if new or continuing:
            cells[(exploitation, Sex(sex_value), AgeGroup(age_value))] = (new, continuing)
    table = PeopleTable(cells)
    if table.total > MAX_COUNT:
        problems.setdefault(
            "continuing", ValidationFailed(N_("Counts are whole numbers from 0 up."))
        )
    earlier = _earlier_new_people(report)
    if table.continuing > earlier:
        problems["continuing"] = ValidationFailed(
            N_(
                "%(continuing)s people are counted as continuing from an earlier period, but the "
                "grant's earlier reports count %(earlier)s new people. Count the others as new."
            ),
            continuing=table.continuing,
            earlier=earlier,
        )
    assistance: dict[str, int] = {}
    known = {t.value for t in AssistanceType}
    for code, typed in data.assistance.items():
        name = f"assistance.{code}"
        count = _count(typed)
        if str(code) not in known:
            problems[name] = ValidationFailed(
                N_("%(code)s is not one of the counted categories."), code=code
            )
        elif count is None:
            problems[name] = ValidationFailed(N_("Counts are whole numbers from 0 up."))
        elif count > table.total:
            problems[name] = ValidationFailed(
                N_(
                    "At most %(total)s: a person may receive several types of assistance, but "
                    "no more people received one than were assisted in the period."
                ),
                total=table.total,
            )
        elif count:
            assistance[str(code)] = count
    if problems:
        raise PeopleCountsRefused(problems)
    return cells, assistance


def can_edit_report(actor: Any, report: GrantReport) -> bool:
    return (
        has_permission(actor, Permission.SUBMIT_GRANT_REPORT)
        and is_member(actor, report.grant.organisation_id)
        and report.status in REPORT_OUTSTANDING
        and report.grant.status in REPORTING_STATES
    )


def _ensure_editable(actor: User, report: GrantReport) -> None:
    ensure_permission(actor, Permission.SUBMIT_GRANT_REPORT)
    if not is_member(actor, report.grant.organisation_id):
        raise PermissionDenied(N_("Only the grantee organisation's own staff can do this."))
    if report.grant.status not in REPORTING_STATES:
        raise InvalidTransition(
            N_("Reports of %(reference)s cannot change while the grant is %(status)s."),
            reference=report.grant.reference,
            status=str(report.grant.status).replace("_", " "),
        )
    if report.status not in REPORT_OUTSTANDING:
        raise InvalidTransition(
            N_("%(report)s is %(status)s and can no longer be changed."),
            report=report_title(report),
            status=str(report.status).replace("_", " "),
        )


def save_report(*, actor: User, report: GrantReport, data: ReportData) -> GrantReport:
    """Save the draft of a report (people, narrative, safeguarding, spending per line). Every
    check runs before anything is written, so a refusal leaves the report as it was."""
    lock_rows(report)
    _ensure_editable(actor, report)
    if report.has_narrative:
        cells, assistance = check_people(report, data)
    incidents = int(data.safeguarding_incidents or 0)
    if not 0 <= incidents <= MAX_COUNT:
        raise ValidationFailed(N_("The number of safeguarding incidents cannot be negative."))
    lines = {line.id: line for line in report.grant.current_budget}
    spending: dict[int, int] = {}
    for line_id, amount in data.expenditures.items():
        if line_id not in lines:
            raise NotFound(N_("That budget line is not in the grant's current budget."))
        if amount is None or amount < 0:
            raise ValidationFailed(N_("Spending on a budget line cannot be negative."))
        spending[line_id] = int(amount)
    if report.has_narrative:
        report.results = (data.results or "").strip()[:MAX_TEXT]
        report.challenges = (data.challenges or "").strip()[:MAX_TEXT]
        report.lessons = (data.lessons or "").strip()[:MAX_TEXT]
        report.safeguarding_incidents = incidents
        report.safeguarding_details = (data.safeguarding_details or "").strip()[:MAX_TEXT]
        report.people.clear()
        report.figures.clear()
        db.session.flush()
        report.people.extend(
            ReportPeople(
                exploitation=exploitation,
                sex=sex,
                age=age,
                new_people=new,
                continuing_people=continuing,
            )
            for (exploitation, sex, age), (new, continuing) in sorted(cells.items())
        )
        report.figures.extend(
            ReportFigure(dimension=FigureDimension.ASSISTANCE, code=code, count=count)
            for code, count in sorted(assistance.items())
        )
    if report.has_expenditure:
        report.expenditures.clear()
        db.session.flush()
        report.expenditures.extend(
            ReportExpenditure(budget_line_id=line_id, amount=spending.get(line_id, 0))
            for line_id in lines
        )
    report.saved_at = utcnow()
    db.session.flush()
    record_event(
        actor=actor,
        action="grant_report.saved",
        subject=report,
        summary=f"{report.grant.reference}: {report_title(report)} saved",
    )
    return report


def report_problems(report: GrantReport) -> list[ValidationFailed]:
    """What still stops the report from being submitted (empty when it can be)."""
    problems: list[ValidationFailed] = []
    if report.saved_at is None:
        problems.append(ValidationFailed(N_("Fill in the report and save it first.")))
        return problems
    if report.has_narrative and not report.results:
        problems.append(ValidationFailed(N_("Describe the results achieved.")))
    if report.has_narrative and report.safeguarding_incidents and not report.safeguarding_details:
        problems.append(
            ValidationFailed(
                N_("Say what was done about the safeguarding incidents (without personal data).")
            )
        )
    if report.has_expenditure and not report.expenditures:
        problems.append(ValidationFailed(N_("Give the spending on each budget line.")))
    # The results framework's actuals (app/results), on progress and final reports.
    problems.extend(
        ValidationFailed(message, **params) for message, params in actuals_problems(report)
    )
    return problems


def submit_report(*, actor: User, report: GrantReport, now: datetime | None = None) -> GrantReport:
    lock_rows(report)
    _ensure_editable(actor, report)
    problems = report_problems(report)
    if problems:
        raise problems[0]
    REPORT_WORKFLOW.transition(report, ReportStatus.SUBMITTED, actor=actor)
    report.submitted_at = now or utcnow()
    report.submitted_by_id = actor.id
    db.session.flush()
    return report


def accept_report(
    *, actor: User, report: GrantReport, comment: str = "", now: datetime | None = None
) -> GrantReport:
    """The fund manager accepts the report; a tranche it gates may now be requested."""
    lock_rows(report)
    REPORT_WORKFLOW.transition(report, ReportStatus.ACCEPTED, actor=actor)
    report.review_comment = (comment or "").strip()[:MAX_TEXT]
    report.reviewed_at = now or utcnow()
    report.reviewed_by_id = actor.id
    db.session.flush()
    return report


def request_report_changes(
    *, actor: User, report: GrantReport, comment: str, now: datetime | None = None
) -> GrantReport:
    lock_rows(report)
    comment = (comment or "").strip()[:MAX_TEXT]
    if not comment:
        raise ValidationFailed(N_("Say what the organisation should change."))
    REPORT_WORKFLOW.transition(report, ReportStatus.CHANGES_REQUESTED, actor=actor, reason=comment)
    report.review_comment = comment
    report.reviewed_at = now or utcnow()
    report.reviewed_by_id = actor.id
    db.session.flush()
    return report


# --- spending against the budget -------------------------------------------------------------


@dataclass(frozen=True)
class VarianceLine:
    line: GrantBudgetLine
    budget: int  # the line's budget
    expected: int  # what the line could have spent by now (the whole budget at the end)
    spent: int
    variance: Decimal | None  # (spent - expected) / expected
    flagged: bool


def _paid_share(report: GrantReport) -> Decimal:
    """Share of the grant paid before the report: for a progress report, the tranches before
    the one it unlocks; for the final financial report, everything."""
    grant = report.grant
    if report.kind == ReportKind.FINANCIAL or grant.amount <= 0:
        return Decimal(1)
    gated = report.gates_tranche
    if gated is not None:
        paid = sum(t.amount for t in grant.tranches if t.number < gated.number)
    else:
        paid = sum(t.amount for t in grant.tranches if t.status == TrancheStatus.PAID)
    return Decimal(paid) / Decimal(grant.amount)


def expenditure_variance(report: GrantReport) -> list[VarianceLine]:
    """Spending per budget line against what the line allows so far; beyond the threshold
    (GRANT_VARIANCE_THRESHOLD, 20 %) either way the line is flagged for the fund manager."""
    threshold = settings().grants.variance_threshold
    share = _paid_share(report)
    spent_by_position = {row.budget_line.position: row.amount for row in report.expenditures}
    lines = (
        [row.budget_line for row in report.expenditures]
        if report.status not in REPORT_OUTSTANDING and report.expenditures
        else report.grant.current_budget
    )
    lines = sorted(lines, key=lambda item: item.position)
    # What the lines could have spent together, shared out so the column adds up to the cent.
    allowed = scale_amounts(
        [line.amount for line in lines], apply_rate(sum(line.amount for line in lines), share)
    )
    result = []
    for line, expected in zip(lines, allowed, strict=True):
        spent = spent_by_position.get(line.position, 0)
        variance: Decimal | None = None
        if expected > 0:
            ratio = ((Decimal(spent) - expected) / expected).quantize(
                Decimal("0.0001"), rounding=ROUND_HALF_UP
            )
            variance, flagged = ratio, abs(ratio) > threshold
        else:
            flagged = spent > 0
        result.append(VarianceLine(line, line.amount, expected, spent, variance, flagged))
    return result


# --- attachments -----------------------------------------------------------------------------


def attach_report_file(
    *, actor: User, report: GrantReport, filename: str, data: bytes, storage: Storage
) -> ReportAttachment:
    """Check a file as every file sent to the fund is checked, and keep it privately."""
    _ensure_editable(actor, report)
    inspected, stored = store_uploaded_file(
        actor=actor, filename=filename, data=data, storage=storage
    )
    attachment = ReportAttachment(**stored)
    report.attachments.append(attachment)
    db.session.flush()
    record_event(
        actor=actor,
        action="grant_report.attachment_added",
        subject=report,
        summary=f"{report.grant.reference}: {report_title(report)}: {inspected.filename} attached",
        changes={"sha256": [None, inspected.sha256]},
    )
    return attachment


def remove_report_file(*, actor: User, attachment: ReportAttachment) -> str:
    """Remove an attachment of a report not yet submitted; returns the storage key to delete
    once the removal is committed."""
    report = attachment.report
    _ensure_editable(actor, report)
    record_event(
        actor=actor,
        action="grant_report.attachment_removed",
        subject=report,
        summary=f"{report.grant.reference}: {attachment.filename} removed",
    )
    key = attachment.storage_key
    report.attachments.remove(attachment)
    db.session.flush()
    return key


# --- reminders -------------------------------------------------------------------------------


def remind_report(*, report: GrantReport, at: datetime | None = None) -> None:
    """Tell the grantee's staff the report is due (or overdue), and remember when."""
    notices.report_due(report, title=report_title(report))
    report.last_reminded_at = at or utcnow()
    db.session.flush()
