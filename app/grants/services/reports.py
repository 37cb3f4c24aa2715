"""Grantee reports (progress, financial, final), their review, attachments and reminders.

People assisted are aggregate counts only, by sex x age, form of exploitation and type of
assistance (DESIGN.md §6): the forms never ask for, and the tables cannot hold, a person.
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
    REPORT_OUTSTANDING,
    FigureDimension,
    GrantBudgetLine,
    GrantReport,
    GrantStatus,
    ReportAttachment,
    ReportExpenditure,
    ReportFigure,
    ReportKind,
    ReportStatus,
    TrancheStatus,
)
from app.grants.services.common import report_title
from app.grants.services.schedule import scale_amounts
from app.grants.workflow import REPORT_WORKFLOW
from app.platform.categories import AgeGroup, AssistanceType, FormOfExploitation, Sex
from app.platform.db import lock_rows, utcnow
from app.platform.errors import N_, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.platform.money import apply_rate
from app.platform.settings import settings
from app.platform.storage import Storage

MAX_COUNT = 10_000_000
MAX_TEXT = 20_000
# Grants accept reports and amendments while they run (suspension included), not before the
# agreement is accepted nor once closure starts.
REPORTING_STATES = frozenset({GrantStatus.ACTIVE, GrantStatus.SUSPENDED})


def sex_age_code(sex: Sex, age: AgeGroup) -> str:
    return f"{sex.value}.{age.value}"


# Every figure a report may carry: (dimension, code).
FIGURE_CODES: frozenset[tuple[FigureDimension, str]] = frozenset(
    {(FigureDimension.SEX_AGE, sex_age_code(s, a)) for s in Sex for a in AgeGroup}
    | {(FigureDimension.EXPLOITATION, f.value) for f in FormOfExploitation}
    | {(FigureDimension.ASSISTANCE, t.value) for t in AssistanceType}
)


@dataclass(frozen=True)
class ReportData:
    """What the report form sends; counts keyed by (dimension, code), spending by line id."""

    results: str = ""
    challenges: str = ""
    lessons: str = ""
    safeguarding_incidents: int = 0
    safeguarding_details: str = ""
    figures: Mapping[tuple[FigureDimension, str], int] = field(default_factory=dict)
    expenditures: Mapping[int, int] = field(default_factory=dict)


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
    """Save the draft of a report (counts, narrative, safeguarding, spending per line)."""
    lock_rows(report)
    _ensure_editable(actor, report)
    figures: dict[tuple[FigureDimension, str], int] = {}
    for (dimension, code), count in data.figures.items():
        key = (FigureDimension(dimension), str(code))
        if key not in FIGURE_CODES:
            raise ValidationFailed(N_("%(code)s is not one of the counted categories."), code=code)
        if count is None or not 0 <= int(count) <= MAX_COUNT:
            raise ValidationFailed(N_("Counts are whole numbers from 0 up."))
        if count:
            figures[key] = int(count)
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
        report.figures.clear()
        db.session.flush()
        report.figures.extend(
            ReportFigure(dimension=dimension, code=code, count=count)
            for (dimension, code), count in sorted(figures.items())
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
