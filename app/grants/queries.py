"""Read-only questions for the grant dashboards: what is due, overdue, waiting, and for whom."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.applications.models import Application, ApplicationStatus
from app.funding.allocation import fundable
from app.funding.services import restricted_balances
from app.grants.models import (
    REPORT_OUTSTANDING,
    Amendment,
    AmendmentStatus,
    Grant,
    GrantReport,
    GrantStatus,
    ReportStatus,
    Tranche,
    TrancheStatus,
)
from app.grants.services.award import approved_decision, funding_profile
from app.grants.services.common import fund_available, today
from app.grants.services.disbursements import tranche_blockers
from app.grants.services.reports import REPORTING_STATES
from app.platform.errors import ValidationFailed
from app.platform.extensions import db
from app.platform.money import apply_rate

# The order of the fund manager's board: what needs attention first.
STATUS_ORDER = [
    GrantStatus.AWARDED,
    GrantStatus.AGREEMENT_SENT,
    GrantStatus.ACTIVE,
    GrantStatus.SUSPENDED,
    GrantStatus.CLOSING,
    GrantStatus.CLOSED,
]
QUEUE_STATES = [TrancheStatus.REQUESTED, TrancheStatus.APPROVED, TrancheStatus.SENT]


def _overdue_exists(on: date) -> sa.Exists:
    return (
        sa.select(GrantReport.id)
        .where(
            GrantReport.grant_id == Grant.id,
            GrantReport.status.in_(list(REPORT_OUTSTANDING)),
            GrantReport.due_date < on,
        )
        .exists()
    )


def list_grants(
    *,
    on: date,
    status: GrantStatus | None = None,
    organisation_ids: Iterable[int] | None = None,
) -> sa.Select[Any]:
    """Grants with an overdue report first, then by stage and reference."""
    overdue = sa.and_(Grant.status.in_(list(REPORTING_STATES)), _overdue_exists(on))
    stage = sa.case(
        {s.value: index for index, s in enumerate(STATUS_ORDER)}, value=Grant.status, else_=99
    )
    query = sa.select(Grant).options(selectinload(Grant.reports), selectinload(Grant.tranches))
    if status is not None:
        query = query.where(Grant.status == status)
    if organisation_ids is not None:
        query = query.where(Grant.organisation_id.in_(list(organisation_ids)))
    return query.order_by(
        sa.case((overdue, 0), else_=1), stage, Grant.year.desc(), Grant.number.desc()
    )


def grant_counts() -> dict[GrantStatus, int]:
    rows = db.session.execute(sa.select(Grant.status, sa.func.count()).group_by(Grant.status)).all()
    counts = dict.fromkeys(STATUS_ORDER, 0)
    counts.update({GrantStatus(row[0]): int(row[1]) for row in rows})
    return counts


def outstanding_reports(
    *,
    on: date,
    within_days: int | None = None,
    organisation_ids: Iterable[int] | None = None,
    overdue_only: bool = False,
) -> list[GrantReport]:
    """Reports the grantees still owe on running grants: overdue first, then by due date.

    ``within_days`` keeps those due by then (every overdue one included); ``overdue_only``
    keeps those past their due date (the dashboard's "Overdue reports")."""
    query = outstanding_reports_query(
        on=on,
        within_days=within_days,
        organisation_ids=organisation_ids,
        overdue_only=overdue_only,
    ).options(joinedload(GrantReport.grant))
    return list(db.session.execute(query).scalars())


def outstanding_reports_query(
    *,
    on: date,
    within_days: int | None = None,
    organisation_ids: Iterable[int] | None = None,
    overdue_only: bool = False,
) -> sa.Select[GrantReport]:
    """The query of ``outstanding_reports``, for a count without loading them."""
    query = (
        sa.select(GrantReport)
        .join(Grant, Grant.id == GrantReport.grant_id)
        .where(
            Grant.status.in_(list(REPORTING_STATES)),
            GrantReport.status.in_(list(REPORT_OUTSTANDING)),
        )
        .order_by(GrantReport.due_date, GrantReport.id)
    )
    if within_days is not None:
        query = query.where(GrantReport.due_date <= on + timedelta(days=within_days))
    if overdue_only:
        query = query.where(GrantReport.due_date < on)
    if organisation_ids is not None:
        query = query.where(Grant.organisation_id.in_(list(organisation_ids)))
    return query


def is_overdue(report: GrantReport, on: date) -> bool:
    return report.status in REPORT_OUTSTANDING and report.due_date < on


def reports_awaiting_review() -> list[GrantReport]:
    return list(
        db.session.execute(
            sa.select(GrantReport)
            .options(joinedload(GrantReport.grant))
            .where(GrantReport.status == ReportStatus.SUBMITTED)
            .order_by(GrantReport.submitted_at, GrantReport.id)
        ).scalars()
    )


def amendments_awaiting_decision() -> list[Amendment]:
    return list(
        db.session.execute(
            sa.select(Amendment)
            .options(joinedload(Amendment.grant))
            .where(Amendment.status == AmendmentStatus.REQUESTED)
            .order_by(Amendment.requested_at, Amendment.id)
        ).scalars()
    )


@dataclass(frozen=True)
class ReadyTranche:
    tranche: Tranche
    blockers: list[ValidationFailed]


def disbursement_queue(*, on: date) -> dict[TrancheStatus, list[Tranche]]:
    """Tranches under way, by state, oldest first."""
    rows = db.session.execute(
        sa.select(Tranche)
        .options(joinedload(Tranche.grant))
        .where(Tranche.status.in_([*QUEUE_STATES, TrancheStatus.FAILED]))
        .order_by(Tranche.planned_date, Tranche.id)
    ).scalars()
    queue: dict[TrancheStatus, list[Tranche]] = {
        s: [] for s in [*QUEUE_STATES, TrancheStatus.FAILED]
    }
    for tranche in rows:
        if tranche.status == TrancheStatus.FAILED and tranche.grant.status not in REPORTING_STATES:
            continue
        queue[tranche.status].append(tranche)
    return queue


# A tranche not paid (nor cancelled) after its planned date is overdue.
UNPAID_TRANCHES = (
    TrancheStatus.SCHEDULED,
    TrancheStatus.REQUESTED,
    TrancheStatus.APPROVED,
    TrancheStatus.SENT,
    TrancheStatus.FAILED,
)


def overdue_tranches(*, on: date) -> sa.Select[Tranche]:
    """Tranches of running grants past their planned date and unpaid, oldest first: the
    dashboard counts these, and the disbursements page lists them."""
    return (
        sa.select(Tranche)
        .join(Grant, Grant.id == Tranche.grant_id)
        .where(
            Grant.status.in_(list(REPORTING_STATES)),
            Tranche.status.in_(UNPAID_TRANCHES),
            Tranche.planned_date < on,
        )
        .order_by(Tranche.planned_date, Tranche.id)
    )


def next_tranches(*, on: date, limit: int = 50) -> list[ReadyTranche]:
    """The next scheduled tranche of each running grant, with what still blocks it."""
    # Only grants with a scheduled tranche and none under way, and only the first ``limit``:
    # the database picks them, rather than Python walking every running grant.
    under_way = sa.exists().where(
        Tranche.grant_id == Grant.id,
        Tranche.status.in_([*QUEUE_STATES, TrancheStatus.FAILED]),
    )
    scheduled = sa.exists().where(
        Tranche.grant_id == Grant.id, Tranche.status == TrancheStatus.SCHEDULED
    )
    grants = db.session.execute(
        sa.select(Grant)
        .options(selectinload(Grant.tranches), selectinload(Grant.reports))
        .where(Grant.status == GrantStatus.ACTIVE, ~under_way, scheduled)
        .order_by(Grant.year, Grant.number)
        .limit(limit)
    ).scalars()
    found: list[ReadyTranche] = []
    for grant in grants:
        if any(
            t.status in QUEUE_STATES or t.status == TrancheStatus.FAILED for t in grant.tranches
        ):
            continue
        upcoming = next((t for t in grant.tranches if t.status == TrancheStatus.SCHEDULED), None)
        if upcoming is None:
            continue
        blockers = tranche_blockers(upcoming, on=on)
        found.append(ReadyTranche(upcoming, blockers))
        if len(found) >= limit:
            break
    found.sort(key=lambda item: (bool(item.blockers), item.tranche.planned_date))
    return found


@dataclass(frozen=True)
class AwaitingAward:
    application: Application
    amount: int | None  # the Board's approved amount (call currency), None without decision
    needed: int | None  # with the support cost
    pending_funds: bool


def awaiting_award(*, psc_rate: object) -> list[AwaitingAward]:
    """Board-approved applications that are not grants yet; ``pending_funds`` when the fund
    cannot cover them today."""
    applications = db.session.execute(
        sa.select(Application)
        .outerjoin(Grant, Grant.application_id == Application.id)
        .where(Application.status == ApplicationStatus.APPROVED, Grant.id.is_(None))
        .order_by(Application.id)
    ).scalars()
    # Restricted balances matching an application count too (app/funding).
    pool, restricted = fund_available(), restricted_balances()
    rate = Decimal(str(psc_rate))
    result = []
    for application in applications:
        decision = approved_decision(application)
        amount = int(decision.approved_amount) if decision is not None else None
        needed = amount + apply_rate(amount, rate) if amount is not None else None
        available = fundable(pool, restricted, funding_profile(application, on=today()))
        result.append(
            AwaitingAward(application, amount, needed, needed is not None and needed > available)
        )
    return result


def grants_of(organisation_ids: Iterable[int], *, on: date) -> list[Grant]:
    return list(db.session.execute(list_grants(on=on, organisation_ids=organisation_ids)).scalars())
