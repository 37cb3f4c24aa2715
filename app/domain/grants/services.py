"""Where money leaves the fund: award, schedule, agreement, tranche disbursements, closure.

Every function takes the acting user explicitly, flushes, and leaves the commit to its caller.
Money operations lock the grant row and then the tranche row (always in that order), re-read
them, decide, and post to the ledger with deterministic transfer ids: a double click, a second
tab or a concurrent request waits for the first, then finds the work done and is refused.
"""

from __future__ import annotations

import calendar
import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.db import lock_rows, utcnow
from app.domain.accounts.models import MembershipRole, User
from app.domain.accounts.permissions import (
    Permission,
    ensure_permission,
    is_member,
)
from app.domain.applications.models import (
    Application,
    ApplicationStatus,
    BudgetCategory,
    RiskRating,
)
from app.domain.applications.services import profile_of
from app.domain.audit.services import record_event
from app.domain.errors import (
    N_,
    Conflict,
    InvalidTransition,
    PermissionDenied,
    SegregationOfDuties,
    ValidationFailed,
)
from app.domain.grants import notices
from app.domain.grants.models import (
    END_OF_GRANT_REPORTS,
    REPORT_OUTSTANDING,
    TRANCHES_IN_FLIGHT,
    AmendmentStatus,
    Grant,
    GrantBudgetLine,
    GrantRefund,
    GrantReport,
    GrantSequence,
    GrantStatus,
    ReportKind,
    ReportStatus,
    Tranche,
    TrancheStatus,
)
from app.domain.grants.workflow import CLOSURE_TRANCHE_WORKFLOW, GRANT_WORKFLOW, TRANCHE_WORKFLOW
from app.domain.ledger import chart
from app.domain.ledger.models import TransferCode, TransferKind
from app.domain.ledger.services import (
    TransferSpec,
    TransferStatus,
    account_balance,
    post_transfers,
    require_accepted,
    transfer_id,
)
from app.domain.money import apply_rate, to_major
from app.extensions import db

MAX_TRANCHES = 12
MAX_TEXT = 5000


# --- small helpers --------------------------------------------------------------------------


def today() -> date:
    """The fund's calendar day (UTC, like every deadline: docs/decisions 0013)."""
    return utcnow().date()


def format_money(amount: int, currency: str) -> str:
    """``USD 1,234.56`` for messages; pages use the reader's locale (app/web/display.py)."""
    major = to_major(amount, currency)
    return f"{currency} {major:,}"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to the day after ``end`` (a grant's duration)."""
    after = end + timedelta(days=1)
    return max(1, (after.year - start.year) * 12 + after.month - start.month)


def _setting(name: str) -> Any:
    return current_app.config[name]


def _clean_text(value: str | None, *, limit: int = MAX_TEXT) -> str:
    return (value or "").strip()[:limit]


def _next_grant_number(year: int) -> int:
    """One more number in the year's grant sequence (the UPDATE serialises concurrent awards)."""
    table = cast(sa.Table, GrantSequence.__table__)
    insert = (
        postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    db.session.execute(
        insert(table)
        .values(year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    number = db.session.execute(
        sa.update(table)
        .where(table.c.year == year)
        .values(last_number=table.c.last_number + 1)
        .returning(table.c.last_number)
    ).scalar_one()
    return int(number)


def grant_reference(year: int, number: int) -> str:
    return f"{_setting('GRANT_REFERENCE_PREFIX')}/{year}/{number:03d}"


def report_title(report: GrantReport) -> str:
    """The report's name in messages (the pages show a translated one)."""
    if report.kind == ReportKind.PROGRESS:
        return f"Progress report {report.number}"
    if report.kind == ReportKind.FINANCIAL:
        return "Final financial report"
    return "Final narrative report"


def tranche_title(tranche: Tranche) -> str:
    return f"tranche {tranche.number} ({tranche.reference})"


# --- ledger ----------------------------------------------------------------------------------


def grant_ledger_account(grant: Grant) -> Any:
    return chart.grant_account(
        grant_id=grant.id, name=f"{grant.reference} {grant.organisation.name}: {grant.title}"
    )


def fund_available() -> int:
    """What the fund could commit now (received money not yet committed)."""
    return account_balance(account=chart.account_by_key(chart.FUND_AVAILABLE)).available


def _commitment_id(grant: Grant) -> Any:
    return transfer_id("grant", grant.id, "commitment")


def _send_id(tranche: Tranche) -> Any:
    return transfer_id("tranche", tranche.id, tranche.attempt, "send")


# --- the Board decision (reviews area) -------------------------------------------------------


def approved_decision(application: Application) -> Any:
    """The Board's approving decision for the application, or None (reviews area contract)."""
    from app.domain.reviews.services import approved_decision_for

    return approved_decision_for(application)


def grant_for_application(application: Application) -> Grant | None:
    return db.session.execute(
        sa.select(Grant).where(Grant.application_id == application.id)
    ).scalar_one_or_none()


# --- schedule --------------------------------------------------------------------------------


def tranche_shares(rating: RiskRating | str) -> list[Decimal]:
    """The tranche shares for a risk rating, from GRANT_TRANCHE_SHARES."""
    shares = [Decimal(str(s)) for s in _setting("GRANT_TRANCHE_SHARES")[RiskRating(rating).value]]
    if not shares or any(s <= 0 for s in shares) or sum(shares) != 1:
        raise ValidationFailed(
            N_("The tranche shares for %(rating)s risk must be positive and add up to 1."),
            rating=str(rating),
        )
    return shares


def split_amount(amount: int, shares: Sequence[Decimal]) -> list[int]:
    """Minor units per share, adding up to ``amount`` exactly.

    Each boundary is the cumulative share rounded once, half up (the rounding rule of
    ``money.apply_rate``); a tranche is the difference between two boundaries.
    """
    parts: list[int] = []
    previous = 0
    cumulative = Decimal(0)
    for index, share in enumerate(shares):
        cumulative += share
        last = index == len(shares) - 1
        boundary = amount if last else apply_rate(amount, cumulative)
        parts.append(boundary - previous)
        previous = boundary
    return parts


def scale_amounts(amounts: Sequence[int], total: int) -> list[int]:
    """``amounts`` scaled to add up to ``total`` exactly (largest remainders get the extra)."""
    base = sum(amounts)
    if base == total or not amounts:
        return list(amounts)
    if base == 0:
        return split_amount(total, [Decimal(1) / len(amounts)] * len(amounts))
    exact = [Decimal(a) * total / base for a in amounts]
    floors = [int(value) for value in exact]
    short = total - sum(floors)
    order = sorted(range(len(amounts)), key=lambda i: (exact[i] - floors[i], -i), reverse=True)
    for i in order[:short]:
        floors[i] += 1
    return floors


def default_start_date(day: date) -> date:
    """Projects start on the first day of the month after the award."""
    return add_months(day.replace(day=1), 1)


def _build_schedule(grant: Grant, shares: Sequence[Decimal]) -> None:
    """Tranches from ``shares`` spread over the project, a progress report before each later
    tranche, and the final narrative and financial reports after the end date."""
    for report in list(grant.reports):
        grant.reports.remove(report)
    for tranche in list(grant.tranches):
        grant.tranches.remove(tranche)
    db.session.flush()
    months = months_between(grant.start_date, grant.end_date)
    count = len(shares)
    lead = timedelta(days=int(_setting("GRANT_REPORT_LEAD_DAYS")))
    tranches = []
    for index, amount in enumerate(split_amount(grant.amount, shares)):
        planned = add_months(grant.start_date, (index * months) // count)
        tranche = Tranche(number=index + 1, amount=amount, planned_date=planned)
        grant.tranches.append(tranche)
        tranches.append(tranche)
    db.session.flush()
    for index, tranche in enumerate(tranches[1:], start=1):
        grant.reports.append(
            GrantReport(
                kind=ReportKind.PROGRESS,
                number=index,
                due_date=max(grant.start_date, tranche.planned_date - lead),
                gates_tranche_id=tranche.id,
            )
        )
    final_due = grant.end_date + timedelta(days=int(_setting("GRANT_FINAL_REPORT_DAYS")))
    grant.reports.append(GrantReport(kind=ReportKind.FINAL, number=1, due_date=final_due))
    grant.reports.append(GrantReport(kind=ReportKind.FINANCIAL, number=1, due_date=final_due))
    db.session.flush()


def _require_status(grant: Grant, *allowed: GrantStatus, message: str) -> None:
    if grant.status not in allowed:
        raise InvalidTransition(message, reference=grant.reference, status=str(grant.status))


def _ensure_fund_staff(actor: User, grant: Grant, permission: Permission) -> None:
    ensure_permission(actor, permission)
    if is_member(actor, grant.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to the grantee organisation, so another colleague must do this.")
        )


# --- award -----------------------------------------------------------------------------------


def award_grant(
    *,
    actor: User,
    application: Application,
    start_date: date | None = None,
    now: datetime | None = None,
) -> Grant:
    """Turn a Board-approved application into a grant and commit its money on the ledger.

    Amount and conditions come from the Board's approving decision. The commitment is the
    grant plus the programme support cost at PSC_RATE, posted ``fund:available`` →
    ``grant:<id>``; when the fund cannot cover it nothing is recorded, and the application
    stays approved, waiting for funds.
    """
    ensure_permission(actor, Permission.AWARD_GRANT)
    if is_member(actor, application.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to this organisation, so another fund manager must award the grant.")
        )
    now = now or utcnow()
    lock_rows(application)
    if application.status != ApplicationStatus.APPROVED:
        raise InvalidTransition(
            N_(
                "Only an application the Board approved can become a grant; this one is %(status)s."
            ),
            status=str(application.status).replace("_", " "),
        )
    existing = grant_for_application(application)
    if existing is not None:
        raise Conflict(
            N_("This application is already grant %(reference)s."), reference=existing.reference
        )
    decision = approved_decision(application)
    if decision is None:
        raise ValidationFailed(
            N_(
                "There is no approving Board decision for this application, "
                "so it cannot be awarded."
            )
        )
    functional = str(_setting("FUNCTIONAL_CURRENCY"))
    if application.call.currency.upper() != functional.upper():
        raise ValidationFailed(
            N_(
                "Grants are paid in %(functional)s only, and this call is in %(currency)s: "
                "the Board must approve an amount in %(functional)s before it can be awarded."
            ),
            functional=functional,
            currency=application.call.currency,
        )
    amount = int(decision.approved_amount or 0)
    if amount <= 0:
        raise ValidationFailed(
            N_("The Board decision approves no amount, so there is nothing to award.")
        )
    profile = profile_of(application.organisation)
    if profile is None or profile.risk_rating is None:
        raise ValidationFailed(
            N_("Set the organisation's risk rating first: it decides the tranche schedule.")
        )
    rate = Decimal(str(_setting("PSC_RATE")))
    psc = apply_rate(amount, rate)
    available = fund_available()
    if available < amount + psc:
        raise _pending_funds(available=available, needed=amount + psc, currency=functional)

    start = start_date or default_start_date(now.date())
    duration = application.duration_months or application.call.max_duration_months
    number = _next_grant_number(now.year)
    grant = Grant(
        reference=grant_reference(now.year, number),
        year=now.year,
        number=number,
        application_id=application.id,
        organisation_id=application.organisation_id,
        board_decision_id=getattr(decision, "id", None),
        status=GrantStatus.AWARDED,
        title=application.title or application.reference,
        currency=functional,
        amount=amount,
        psc_rate=rate,
        psc_amount=psc,
        conditions=str(getattr(decision, "conditions", "") or ""),
        risk_rating=profile.risk_rating,
        start_date=start,
        end_date=add_months(start, duration) - timedelta(days=1),
        awarded_at=now,
        awarded_by_id=actor.id,
    )
    db.session.add(grant)
    db.session.flush()
    lines = [(line.category, line.description) for line in application.budget_lines]
    amounts = scale_amounts([line.amount for line in application.budget_lines], amount)
    if not lines:
        # Spending is reported per line: a budget without lines becomes one line.
        lines, amounts = [(BudgetCategory.OTHER, "Approved budget")], [amount]
    for position, ((category, description), scaled) in enumerate(
        zip(lines, amounts, strict=True), start=1
    ):
        grant.budget_lines.append(
            GrantBudgetLine(
                version=1,
                position=position,
                category=category,
                description=description,
                amount=scaled,
            )
        )
    _build_schedule(grant, tranche_shares(grant.risk_rating))
    account = grant_ledger_account(grant)
    results = post_transfers(
        [
            TransferSpec(
                id=_commitment_id(grant),
                code=TransferCode.COMMITMENT,
                amount=grant.commitment,
                debit_account_id=chart.account_by_key(chart.FUND_AVAILABLE).id,
                credit_account_id=account.id,
                document_type="grant",
                document_id=str(grant.id),
                memo=f"{grant.reference}: grant {format_money(amount, functional)} "
                f"+ PSC {format_money(psc, functional)}",
            )
        ],
        actor=actor,
    )
    if any(result.status == TransferStatus.EXCEEDS_CREDITS for result in results):
        # Another award took the money between our check and the posting.
        raise _pending_funds(
            available=fund_available(), needed=grant.commitment, currency=functional
        )
    require_accepted(results)
    record_event(
        actor=actor,
        action="grant.awarded",
        subject=grant,
        summary=f"{grant.reference} awarded to {application.organisation.name}: "
        f"{format_money(amount, functional)} + PSC {format_money(psc, functional)}",
        changes={
            "application_id": [None, application.id],
            "amount": [None, amount],
            "psc_amount": [None, psc],
        },
    )
    return grant


def _pending_funds(*, available: int, needed: int, currency: str) -> Conflict:
    return Conflict(
        N_(
            "The fund cannot cover this grant: it needs %(needed)s (grant plus support cost) "
            "and %(available)s is available. Nothing was awarded; the application stays "
            "approved until funds arrive."
        ),
        needed=format_money(needed, currency),
        available=format_money(max(available, 0), currency),
    )


# --- schedule editing (before the agreement is sent) ----------------------------------------


@dataclass(frozen=True)
class TrancheRow:
    number: int
    amount: int
    planned_date: date


@dataclass(frozen=True)
class ReportRow:
    report_id: int
    due_date: date


def _ensure_schedule_editable(actor: User, grant: Grant) -> None:
    _ensure_fund_staff(actor, grant, Permission.AWARD_GRANT)
    _require_status(
        grant,
        GrantStatus.AWARDED,
        message=N_(
            "The schedule of %(reference)s is fixed once the agreement is sent (it is "
            "%(status)s): changes need an amendment."
        ),
    )


def update_schedule(
    *,
    actor: User,
    grant: Grant,
    start_date: date,
    end_date: date,
    tranches: Sequence[TrancheRow],
    reports: Sequence[ReportRow],
) -> Grant:
    """The fund manager's edits of dates and tranche amounts; the tranches must still add up
    to the grant exactly, and each progress report must fall due before its tranche."""
    lock_rows(grant)
    _ensure_schedule_editable(actor, grant)
    if end_date < start_date:
        raise ValidationFailed(N_("The project must end after it starts."))
    by_number = {t.number: t for t in grant.tranches}
    if sorted(row.number for row in tranches) != sorted(by_number):
        raise ValidationFailed(N_("Give an amount and a date for every tranche."))
    total = sum(row.amount for row in tranches)
    if any(row.amount <= 0 for row in tranches):
        raise ValidationFailed(N_("Every tranche must be more than zero."))
    if total != grant.amount:
        raise ValidationFailed(
            N_("The tranches add up to %(total)s; they must add up to the grant, %(amount)s."),
            total=format_money(total, grant.currency),
            amount=format_money(grant.amount, grant.currency),
        )
    ordered = sorted(tranches, key=lambda row: row.number)
    for earlier, later in itertools.pairwise(ordered):
        if later.planned_date < earlier.planned_date:
            raise ValidationFailed(
                N_("Tranche %(number)s cannot be planned before tranche %(earlier)s."),
                number=later.number,
                earlier=earlier.number,
            )
    if ordered and ordered[0].planned_date < start_date:
        raise ValidationFailed(N_("The first tranche cannot be paid before the project starts."))
    reports_by_id = {r.id: r for r in grant.reports}
    if sorted(row.report_id for row in reports) != sorted(reports_by_id):
        raise ValidationFailed(N_("Give a due date for every report."))
    planned = {row.number: row.planned_date for row in tranches}
    for row in reports:
        report = reports_by_id[row.report_id]
        if row.due_date < start_date:
            raise ValidationFailed(
                N_("%(report)s cannot be due before the project starts."),
                report=report_title(report),
            )
        gated = report.gates_tranche
        if gated is not None and row.due_date > planned[gated.number]:
            raise ValidationFailed(
                N_("%(report)s must be due on or before the date of tranche %(number)s."),
                report=report_title(report),
                number=gated.number,
            )
    before = _schedule_snapshot(grant)
    grant.start_date, grant.end_date = start_date, end_date
    for tranche_row in tranches:
        by_number[tranche_row.number].amount = tranche_row.amount
        by_number[tranche_row.number].planned_date = tranche_row.planned_date
    for report_row in reports:
        reports_by_id[report_row.report_id].due_date = report_row.due_date
    db.session.flush()
    record_event(
        actor=actor,
        action="grant.schedule_updated",
        subject=grant,
        summary=f"{grant.reference}: schedule edited",
        changes={"schedule": [before, _schedule_snapshot(grant)]},
    )
    return grant


def rebuild_schedule(*, actor: User, grant: Grant, tranche_count: int | None = None) -> Grant:
    """Start the schedule again: from the risk rating, or ``tranche_count`` equal tranches."""
    lock_rows(grant)
    _ensure_schedule_editable(actor, grant)
    if tranche_count is None:
        shares = tranche_shares(grant.risk_rating)
    else:
        if not 1 <= tranche_count <= MAX_TRANCHES:
            raise ValidationFailed(
                N_("A grant is paid in 1 to %(max)s tranches."), max=MAX_TRANCHES
            )
        # Exact thirds (and so on): split_amount rounds each boundary once.
        shares = [Decimal(1) / tranche_count] * tranche_count
    before = _schedule_snapshot(grant)
    _build_schedule(grant, shares)
    record_event(
        actor=actor,
        action="grant.schedule_rebuilt",
        subject=grant,
        summary=f"{grant.reference}: schedule rebuilt with {len(shares)} tranche(s)",
        changes={"schedule": [before, _schedule_snapshot(grant)]},
    )
    return grant


def _schedule_snapshot(grant: Grant) -> dict[str, Any]:
    return {
        "start_date": grant.start_date.isoformat(),
        "end_date": grant.end_date.isoformat(),
        "tranches": [[t.number, t.amount, t.planned_date.isoformat()] for t in grant.tranches],
        "reports": [[r.kind.value, r.number, r.due_date.isoformat()] for r in grant.reports],
    }


# --- agreement -------------------------------------------------------------------------------


def agreement_terms(grant: Grant) -> dict[str, Any]:
    """What the agreement says, as data: hashed when sent, so acceptance is of these terms."""
    profile = profile_of(grant.organisation)
    return {
        "reference": grant.reference,
        "grantee": {
            "organisation_id": grant.organisation_id,
            "name": grant.organisation.name,
            "legal_name": profile.legal_name if profile else "",
            "registration_number": profile.registration_number if profile else "",
        },
        "title": grant.title,
        "currency": grant.currency,
        "amount": grant.amount,
        "psc_rate": str(grant.psc_rate),
        "psc_amount": grant.psc_amount,
        "start_date": grant.start_date.isoformat(),
        "end_date": grant.end_date.isoformat(),
        "conditions": grant.conditions,
        "tranches": [[t.number, t.amount, t.planned_date.isoformat()] for t in grant.tranches],
        "reports": [
            [r.kind.value, r.number, r.due_date.isoformat(), r.gates_tranche.number]
            if r.gates_tranche is not None
            else [r.kind.value, r.number, r.due_date.isoformat(), None]
            for r in grant.reports
        ],
        "budget": [
            [line.position, line.category.value, line.description, line.amount]
            for line in grant.current_budget
        ],
    }


def agreement_digest(grant: Grant) -> str:
    canonical = json.dumps(agreement_terms(grant), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def send_agreement(*, actor: User, grant: Grant, now: datetime | None = None) -> Grant:
    """Send the agreement to the grantee; the schedule is fixed from now on."""
    lock_rows(grant)
    GRANT_WORKFLOW.transition(grant, GrantStatus.AGREEMENT_SENT, actor=actor)
    grant.agreement_sent_at = now or utcnow()
    grant.agreement_sent_by_id = actor.id
    grant.agreement_sha256 = agreement_digest(grant)
    db.session.flush()
    return grant


def is_signatory(actor: Any, grant: Grant) -> bool:
    """The organisation's authorised signatory: an owner of its account in this system."""
    return isinstance(actor, User) and any(
        m.organisation_id == grant.organisation_id and m.role == MembershipRole.OWNER
        for m in actor.memberships
    )


def accept_agreement(
    *,
    actor: User,
    grant: Grant,
    signatory_name: str,
    signatory_title: str,
    confirmed: bool,
    ip: str | None,
    digest: str | None = None,
    now: datetime | None = None,
) -> Grant:
    """The grantee's authorised signatory accepts the agreement: name, time and IP are kept."""
    lock_rows(grant)
    if not is_signatory(actor, grant):
        raise PermissionDenied(
            N_("Only the organisation's authorised signatory (an owner of its account) can accept.")
        )
    name, title = _clean_text(signatory_name, limit=200), _clean_text(signatory_title, limit=200)
    if not name:
        raise ValidationFailed(N_("Type your full name to sign."))
    if not confirmed:
        raise ValidationFailed(
            N_("Confirm that you are authorised to sign for the organisation and accept the terms.")
        )
    if grant.status == GrantStatus.AGREEMENT_SENT and digest and digest != grant.agreement_sha256:
        raise Conflict(N_("The agreement changed after you opened it. Read it again, then accept."))
    GRANT_WORKFLOW.transition(
        grant, GrantStatus.ACTIVE, actor=actor, changes={"signatory_name": [None, name]}
    )
    grant.signatory_name = name
    grant.signatory_title = title
    grant.accepted_at = now or utcnow()
    grant.accepted_by_id = actor.id
    grant.accepted_ip = (ip or "")[:45] or None
    db.session.flush()
    return grant


# --- suspension ------------------------------------------------------------------------------


def suspend_grant(*, actor: User, grant: Grant, reason: str) -> Grant:
    """Stop new tranches (money already at the bank can still be confirmed)."""
    lock_rows(grant)
    reason = _clean_text(reason)
    if not reason:
        raise ValidationFailed(N_("Say why the grant is suspended."))
    GRANT_WORKFLOW.transition(grant, GrantStatus.SUSPENDED, actor=actor, reason=reason)
    grant.suspension_reason = reason
    db.session.flush()
    return grant


def resume_grant(*, actor: User, grant: Grant) -> Grant:
    lock_rows(grant)
    GRANT_WORKFLOW.transition(grant, GrantStatus.ACTIVE, actor=actor)
    grant.suspension_reason = None
    db.session.flush()
    return grant


# --- disbursements ---------------------------------------------------------------------------


def _lock_tranche(tranche: Tranche) -> Grant:
    """Lock the tranche's grant, then the tranche: the one order every money operation uses."""
    grant = tranche.grant
    lock_rows(grant, tranche)
    return grant


def _ensure_active(grant: Grant) -> None:
    _require_status(
        grant,
        GrantStatus.ACTIVE,
        message=N_("No tranche of %(reference)s can move while the grant is %(status)s."),
    )


def tranche_blockers(tranche: Tranche, *, on: date | None = None) -> list[ValidationFailed]:
    """Why the tranche cannot be requested yet: reports not accepted, earlier tranches unpaid."""
    on = on or today()
    grant = tranche.grant
    problems: list[ValidationFailed] = []
    for earlier in grant.tranches:
        if earlier.number < tranche.number and earlier.status not in (
            TrancheStatus.PAID,
            TrancheStatus.CANCELLED,
        ):
            problems.append(
                ValidationFailed(
                    N_("Tranche %(earlier)s must be paid before tranche %(number)s is requested."),
                    earlier=earlier.number,
                    number=tranche.number,
                )
            )
    for report in grant.reports:
        if report.gates_tranche_id == tranche.id and report.status != ReportStatus.ACCEPTED:
            problems.append(
                ValidationFailed(
                    N_(
                        "%(report)s (due %(due)s) must be accepted before tranche %(number)s "
                        "can be requested; it is %(status)s."
                    ),
                    report=report_title(report),
                    due=report.due_date.isoformat(),
                    number=tranche.number,
                    status=str(report.status).replace("_", " "),
                )
            )
        elif report.status in REPORT_OUTSTANDING and report.due_date < on:
            problems.append(
                ValidationFailed(
                    N_("%(report)s is overdue (due %(due)s): no tranche until it is accepted."),
                    report=report_title(report),
                    due=report.due_date.isoformat(),
                )
            )
    return problems


def request_disbursement(*, actor: User, tranche: Tranche, now: datetime | None = None) -> Tranche:
    """The maker asks for a tranche to be paid (or paid again after a failed transfer)."""
    grant = _lock_tranche(tranche)
    _ensure_fund_staff(actor, grant, Permission.REQUEST_DISBURSEMENT)
    _ensure_active(grant)
    if tranche.status in (TrancheStatus.SCHEDULED, TrancheStatus.FAILED):
        problems = tranche_blockers(tranche, on=(now or utcnow()).date())
        if problems:
            raise problems[0]
    retry = tranche.status == TrancheStatus.FAILED
    TRANCHE_WORKFLOW.transition(
        tranche,
        TrancheStatus.REQUESTED,
        actor=actor,
        reason=f"attempt {tranche.attempt + 1}" if retry else None,
    )
    if retry:
        tranche.attempt += 1
        tranche.approved_by_id = tranche.approved_at = None
        tranche.sent_by_id = tranche.sent_at = None
        tranche.confirmed_by_id = tranche.confirmed_at = None
    tranche.requested_by_id = actor.id
    tranche.requested_at = now or utcnow()
    db.session.flush()
    notices.tranche_requested(tranche, maker=actor)
    return tranche


def approve_disbursement(*, actor: User, tranche: Tranche, now: datetime | None = None) -> Tranche:
    """The checker approves a requested tranche; the maker may not (SegregationOfDuties)."""
    grant = _lock_tranche(tranche)
    _ensure_fund_staff(actor, grant, Permission.APPROVE_DISBURSEMENT)
    _ensure_active(grant)
    TRANCHE_WORKFLOW.transition(tranche, TrancheStatus.APPROVED, actor=actor)
    tranche.approved_by_id = actor.id
    tranche.approved_at = now or utcnow()
    db.session.flush()
    notices.tranche_approved(tranche)
    return tranche


def send_disbursement(*, actor: User, tranche: Tranche, now: datetime | None = None) -> Tranche:
    """The bank transfer is issued: a pending ledger transfer ``grant:<id>`` → ``cash:bank``."""
    grant = _lock_tranche(tranche)
    _ensure_fund_staff(actor, grant, Permission.CONFIRM_DISBURSEMENT)
    _ensure_active(grant)
    if (
        tranche.status == TrancheStatus.APPROVED
        and tranche.approved_by_id == tranche.requested_by_id
    ):
        # Only reachable by bypassing the services; the database constraint also refuses it.
        raise SegregationOfDuties(N_("This tranche was not approved by a second person."))
    committed = sum(
        t.amount
        for t in grant.tranches
        if t.id != tranche.id and t.status in (TrancheStatus.SENT, TrancheStatus.PAID)
    )
    if committed + tranche.amount > grant.amount:
        raise Conflict(
            N_(
                "Sending %(tranche)s would take payments to %(total)s, more than the grant of "
                "%(amount)s. Nothing was sent."
            ),
            tranche=tranche_title(tranche),
            total=format_money(committed + tranche.amount, grant.currency),
            amount=format_money(grant.amount, grant.currency),
        )
    TRANCHE_WORKFLOW.transition(tranche, TrancheStatus.SENT, actor=actor)
    tranche.sent_by_id = actor.id
    tranche.sent_at = now or utcnow()
    require_accepted(
        post_transfers(
            [
                TransferSpec(
                    id=_send_id(tranche),
                    code=TransferCode.DISBURSEMENT,
                    amount=tranche.amount,
                    debit_account_id=grant_ledger_account(grant).id,
                    credit_account_id=chart.account_by_key(chart.CASH_BANK).id,
                    kind=TransferKind.PENDING,
                    document_type="tranche",
                    document_id=str(tranche.id),
                    memo=f"{tranche.reference} sent (attempt {tranche.attempt})",
                )
            ],
            actor=actor,
        )
    )
    db.session.flush()
    return tranche


def confirm_disbursement(
    *, actor: User, tranche: Tranche, bank_reference: str, now: datetime | None = None
) -> Tranche:
    """The bank confirms: the pending transfer is posted and the PSC on it charged.

    The PSC of a payment is the support cost on everything paid so far less what was already
    charged, each rounded once by ``apply_rate``, so the charges add up to the grant's PSC.
    """
    grant = _lock_tranche(tranche)
    _ensure_fund_staff(actor, grant, Permission.CONFIRM_DISBURSEMENT)
    reference = _clean_text(bank_reference, limit=100)
    if not reference:
        raise ValidationFailed(N_("Give the bank's reference for the payment."))
    paid_before = sum(
        t.amount for t in grant.tranches if t.id != tranche.id and t.status == TrancheStatus.PAID
    )
    psc = apply_rate(paid_before + tranche.amount, grant.psc_rate) - apply_rate(
        paid_before, grant.psc_rate
    )
    TRANCHE_WORKFLOW.transition(
        tranche, TrancheStatus.PAID, actor=actor, changes={"bank_reference": [None, reference]}
    )
    specs = [
        TransferSpec(
            id=transfer_id("tranche", tranche.id, tranche.attempt, "paid"),
            code=TransferCode.DISBURSEMENT,
            kind=TransferKind.POST_PENDING,
            pending_id=_send_id(tranche),
            document_type="tranche",
            document_id=str(tranche.id),
            memo=f"{tranche.reference} paid, bank reference {reference}",
        )
    ]
    if psc > 0:
        specs.append(
            TransferSpec(
                id=transfer_id("tranche", tranche.id, tranche.attempt, "psc"),
                code=TransferCode.PSC,
                amount=psc,
                debit_account_id=grant_ledger_account(grant).id,
                credit_account_id=chart.account_by_key(chart.PSC_INCOME).id,
                document_type="tranche",
                document_id=str(tranche.id),
                memo=f"{tranche.reference}: programme support cost",
            )
        )
    require_accepted(post_transfers(specs, actor=actor))
    tranche.psc_amount = psc
    tranche.bank_reference = reference
    tranche.confirmed_by_id = actor.id
    tranche.confirmed_at = now or utcnow()
    db.session.flush()
    return tranche


def record_disbursement_failure(
    *, actor: User, tranche: Tranche, reason: str, now: datetime | None = None
) -> Tranche:
    """The bank returned the transfer: the pending transfer is voided, the money stays committed."""
    grant = _lock_tranche(tranche)
    _ensure_fund_staff(actor, grant, Permission.CONFIRM_DISBURSEMENT)
    reason = _clean_text(reason)
    if not reason:
        raise ValidationFailed(N_("Say why the payment failed (the bank's reason)."))
    TRANCHE_WORKFLOW.transition(tranche, TrancheStatus.FAILED, actor=actor, reason=reason)
    require_accepted(
        post_transfers(
            [
                TransferSpec(
                    id=transfer_id("tranche", tranche.id, tranche.attempt, "failed"),
                    code=TransferCode.DISBURSEMENT,
                    kind=TransferKind.VOID_PENDING,
                    pending_id=_send_id(tranche),
                    document_type="tranche",
                    document_id=str(tranche.id),
                    memo=f"{tranche.reference} failed: {reason[:150]}",
                )
            ],
            actor=actor,
        )
    )
    tranche.failure_reason = reason
    tranche.confirmed_by_id = actor.id
    tranche.confirmed_at = now or utcnow()
    db.session.flush()
    return tranche


def cancel_tranche(*, actor: User, tranche: Tranche, reason: str) -> Tranche:
    """Withdraw a tranche before it is sent; its money stays committed until closure."""
    grant = _lock_tranche(tranche)
    _ensure_fund_staff(actor, grant, Permission.REQUEST_DISBURSEMENT)
    if grant.status in (GrantStatus.CLOSING, GrantStatus.CLOSED):
        raise InvalidTransition(
            N_("%(reference)s is closing: its tranches can no longer change."),
            reference=grant.reference,
        )
    reason = _clean_text(reason)
    if not reason:
        raise ValidationFailed(N_("Say why the tranche is cancelled."))
    TRANCHE_WORKFLOW.transition(tranche, TrancheStatus.CANCELLED, actor=actor, reason=reason)
    tranche.cancellation_reason = reason
    db.session.flush()
    return tranche


# --- closure ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosureStatement:
    """The arithmetic of closing a grant, all in minor units of ``currency``."""

    currency: str
    commitment: int  # grant + PSC set aside at award
    paid: int  # tranches paid to the grantee
    psc_charged: int  # support cost charged on the payments
    expenditure: int | None  # what the accepted final financial report says was spent
    unspent: int  # paid but not spent: the grantee owes it back
    refunded: int  # refunds recorded so far
    psc_reversed: int  # support cost given back to the fund with the refunds
    undisbursed: int  # committed but never paid: released to the fund at closure

    @property
    def refund_outstanding(self) -> int:
        return max(self.unspent - self.refunded, 0)


def final_financial_report(grant: Grant) -> GrantReport | None:
    accepted = [
        r
        for r in grant.reports
        if r.kind == ReportKind.FINANCIAL and r.status == ReportStatus.ACCEPTED
    ]
    return accepted[-1] if accepted else None


def closure_statement(grant: Grant) -> ClosureStatement:
    paid = grant.paid_amount
    psc_charged = grant.psc_charged
    report = final_financial_report(grant)
    expenditure = report.expenditure_total if report is not None else None
    if grant.unspent_amount is not None:
        unspent = grant.unspent_amount
    elif expenditure is not None:
        unspent = max(paid - expenditure, 0)
    else:
        unspent = 0
    if grant.reported_expenditure is not None:
        expenditure = grant.reported_expenditure
    released = grant.released_amount or 0
    return ClosureStatement(
        currency=grant.currency,
        commitment=grant.commitment,
        paid=paid,
        psc_charged=psc_charged,
        expenditure=expenditure,
        unspent=unspent,
        refunded=grant.refunded_amount,
        psc_reversed=sum(r.psc_reversed for r in grant.refunds),
        undisbursed=grant.commitment - paid - psc_charged - released,
    )


DomainErrorLike = InvalidTransition | Conflict | ValidationFailed


def closure_blockers(grant: Grant) -> list[DomainErrorLike]:
    """Why closure cannot start now, first reason first (empty when it can)."""
    problems: list[DomainErrorLike] = []
    if grant.status not in (GrantStatus.ACTIVE, GrantStatus.SUSPENDED):
        problems.append(
            InvalidTransition(
                N_("%(reference)s cannot start closing while it is %(status)s."),
                reference=grant.reference,
                status=str(grant.status).replace("_", " "),
            )
        )
    for tranche in grant.tranches:
        if tranche.status in TRANCHES_IN_FLIGHT:
            problems.append(
                Conflict(
                    N_("Tranche %(number)s is %(status)s: wait until it is paid or cancelled."),
                    number=tranche.number,
                    status=str(tranche.status),
                )
            )
    for report in grant.reports:
        if report.status != ReportStatus.ACCEPTED:
            message = (
                N_("%(report)s is submitted and waiting for your review.")
                if report.status == ReportStatus.SUBMITTED
                else N_("%(report)s is not accepted yet (due %(due)s).")
            )
            problems.append(
                Conflict(message, report=report_title(report), due=report.due_date.isoformat())
            )
    if not any(r.kind in END_OF_GRANT_REPORTS for r in grant.reports):
        problems.append(Conflict(N_("The grant has no final reports to accept.")))
    for amendment in grant.amendments:
        if amendment.status == AmendmentStatus.REQUESTED:
            problems.append(
                Conflict(
                    N_("Amendment %(number)s is waiting for a decision."), number=amendment.number
                )
            )
    return problems


def start_closure(*, actor: User, grant: Grant, now: datetime | None = None) -> Grant:
    """Final reports accepted and nothing pending: work out what is unspent, cancel the tranches
    that will never be paid, and wait for any refund."""
    lock_rows(grant)
    _ensure_fund_staff(actor, grant, Permission.CLOSE_GRANT)
    problems = closure_blockers(grant)
    if problems:
        raise problems[0]
    for tranche in grant.tranches:
        if tranche.status in (TrancheStatus.SCHEDULED, TrancheStatus.FAILED):
            CLOSURE_TRANCHE_WORKFLOW.transition(
                tranche, TrancheStatus.CANCELLED, actor=actor, reason="grant closing"
            )
            tranche.cancellation_reason = "The grant was closed before this tranche was paid."
    report = final_financial_report(grant)
    expenditure = report.expenditure_total if report is not None else 0
    GRANT_WORKFLOW.transition(
        grant,
        GrantStatus.CLOSING,
        actor=actor,
        changes={"paid": [None, grant.paid_amount], "reported_expenditure": [None, expenditure]},
    )
    grant.closing_started_at = now or utcnow()
    grant.reported_expenditure = expenditure
    grant.unspent_amount = max(grant.paid_amount - expenditure, 0)
    db.session.flush()
    return grant


def record_grantee_refund(
    *,
    actor: User,
    grant: Grant,
    amount: int,
    bank_reference: str,
    received_on: date,
) -> GrantRefund:
    """Unspent money the grantee paid back, as it reached the bank: ``cash:bank`` →
    ``fund:available``, and the support cost charged on it back to the fund too."""
    lock_rows(grant)
    _ensure_fund_staff(actor, grant, Permission.RECORD_BANK_RECEIPT)
    _require_status(
        grant,
        GrantStatus.CLOSING,
        message=N_("Refunds are recorded while %(reference)s is closing; it is %(status)s."),
    )
    reference = _clean_text(bank_reference, limit=100)
    if not reference:
        raise ValidationFailed(N_("Give the bank's reference for the refund."))
    if any(r.bank_reference == reference for r in grant.refunds):
        raise Conflict(
            N_("A refund with the bank reference %(reference)s is already recorded."),
            reference=reference,
        )
    statement = closure_statement(grant)
    if amount <= 0:
        raise ValidationFailed(N_("A refund must be more than zero."))
    if amount > statement.refund_outstanding:
        raise ValidationFailed(
            N_("The grantee owes %(owed)s; a refund of %(amount)s is more than that."),
            owed=format_money(statement.refund_outstanding, grant.currency),
            amount=format_money(amount, grant.currency),
        )
    net_before = statement.paid - statement.refunded
    psc_back = apply_rate(net_before, grant.psc_rate) - apply_rate(
        net_before - amount, grant.psc_rate
    )
    refund = GrantRefund(
        amount=amount,
        psc_reversed=psc_back,
        bank_reference=reference,
        received_on=received_on,
        recorded_by_id=actor.id,
    )
    grant.refunds.append(refund)
    db.session.flush()
    fund = chart.account_by_key(chart.FUND_AVAILABLE).id
    specs = [
        TransferSpec(
            id=transfer_id("grant", grant.id, "refund", refund.id),
            code=TransferCode.REFUND,
            amount=amount,
            debit_account_id=chart.account_by_key(chart.CASH_BANK).id,
            credit_account_id=fund,
            document_type="grant",
            document_id=str(grant.id),
            memo=f"{grant.reference}: unspent funds returned, bank reference {reference}",
        )
    ]
    if psc_back > 0:
        specs.append(
            TransferSpec(
                id=transfer_id("grant", grant.id, "refund", refund.id, "psc"),
                code=TransferCode.REVERSAL,
                amount=psc_back,
                debit_account_id=chart.account_by_key(chart.PSC_INCOME).id,
                credit_account_id=fund,
                document_type="grant",
                document_id=str(grant.id),
                memo=f"{grant.reference}: support cost on the refunded funds",
            )
        )
    require_accepted(post_transfers(specs, actor=actor))
    record_event(
        actor=actor,
        action="grant.refund_recorded",
        subject=grant,
        summary=f"{grant.reference}: refund of {format_money(amount, grant.currency)} "
        f"received ({reference})",
        changes={"refund": [None, amount], "psc_reversed": [None, psc_back]},
    )
    return refund


def close_grant(*, actor: User, grant: Grant, now: datetime | None = None) -> Grant:
    """Release what was committed but never paid back to the fund; the grant account ends at
    zero and the grant becomes read-only."""
    lock_rows(grant)
    _ensure_fund_staff(actor, grant, Permission.CLOSE_GRANT)
    _require_status(
        grant,
        GrantStatus.CLOSING,
        message=N_("Start the closure of %(reference)s first; it is %(status)s."),
    )
    statement = closure_statement(grant)
    if statement.refund_outstanding > 0:
        raise Conflict(
            N_(
                "The grantee still owes %(owed)s of unspent funds: record the refund before "
                "closing."
            ),
            owed=format_money(statement.refund_outstanding, grant.currency),
        )
    for tranche in grant.tranches:
        if tranche.status not in (TrancheStatus.PAID, TrancheStatus.CANCELLED):
            raise Conflict(
                N_("Tranche %(number)s is %(status)s: it must be paid or cancelled."),
                number=tranche.number,
                status=str(tranche.status),
            )
    account = grant_ledger_account(grant)
    balance = account_balance(account=account)
    if balance.pending != 0 or balance.posted != statement.undisbursed:
        raise Conflict(
            N_(
                "The ledger shows %(ledger)s on the grant's account but the grant expects "
                "%(expected)s: nothing was released. Ask finance to check the ledger."
            ),
            ledger=format_money(balance.posted, grant.currency),
            expected=format_money(statement.undisbursed, grant.currency),
        )
    released = statement.undisbursed
    if released > 0:
        require_accepted(
            post_transfers(
                [
                    TransferSpec(
                        id=transfer_id("grant", grant.id, "release"),
                        code=TransferCode.RELEASE,
                        amount=released,
                        debit_account_id=account.id,
                        credit_account_id=chart.account_by_key(chart.FUND_AVAILABLE).id,
                        document_type="grant",
                        document_id=str(grant.id),
                        memo=f"{grant.reference}: undisbursed commitment released at closure",
                    )
                ],
                actor=actor,
            )
        )
    GRANT_WORKFLOW.transition(
        grant, GrantStatus.CLOSED, actor=actor, changes={"released": [None, released]}
    )
    grant.released_amount = released
    grant.closed_at = now or utcnow()
    grant.closed_by_id = actor.id
    db.session.flush()
    return grant
