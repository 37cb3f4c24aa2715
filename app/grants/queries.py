"""Read-only questions for the grant dashboards: what is due, overdue, waiting, and for whom."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

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
from app.platform.keyset import Key
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


# Organisations given as their ids, or as a subquery of them (a reader's memberships).
OrganisationIds = Iterable[int] | sa.Select[Any]


def _among(organisation_ids: OrganisationIds) -> Any:
    return organisation_ids if isinstance(organisation_ids, sa.Select) else list(organisation_ids)


def grant_order(on: date) -> tuple[Key, ...]:
    """Grants with an overdue report first, then by stage, the newest first (keyset keys)."""
    overdue = sa.and_(Grant.status.in_(list(REPORTING_STATES)), _overdue_exists(on))
    return (
        Key(lambda: sa.case((overdue, 0), else_=1), int),
        Key(
            lambda: sa.case(
                {s.value: index for index, s in enumerate(STATUS_ORDER)},
                value=Grant.status,
                else_=99,
            ),
            int,
        ),
        Key(lambda: Grant.year, int, descending=True),
        Key(lambda: Grant.number, int, descending=True),
        Key(lambda: Grant.id, int, descending=True),
    )


def list_grants(
    *,
    on: date,
    status: GrantStatus | None = None,
    organisation_ids: OrganisationIds | None = None,
) -> sa.Select[Any]:
    """Grants with an overdue report first, then by stage and reference."""
    query = sa.select(Grant).options(selectinload(Grant.reports), selectinload(Grant.tranches))
    if status is not None:
        query = query.where(Grant.status == status)
    if organisation_ids is not None:
        query = query.where(Grant.organisation_id.in_(_among(organisation_ids)))
    return query.order_by(
        *(key.column().desc() if key.descending else key.column() for key in grant_order(on))
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
    organisation_ids: OrganisationIds | None = None,
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
        query = query.where(Grant.organisation_id.in_(_among(organisation_ids)))
    return query


# The order of ``outstanding_reports``, as keyset keys: the earliest due first.
REPORTS_DUE_ORDER = (
    Key(lambda: GrantReport.due_date, date),
    Key(lambda: GrantReport.id, int),
)


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
    """Tranches under way, by state, oldest first (all of them: the JSON API's queue)."""
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


# The order of each state of finance's queue, as keyset keys: the oldest planned first.
QUEUE_ORDER = (Key(lambda: Tranche.planned_date, date), Key(lambda: Tranche.id, int))


def _in_queue(state: TrancheStatus) -> sa.ColumnElement[bool]:
    """A tranche in this state of the queue: a failed one only while its grant runs."""
    if state == TrancheStatus.FAILED:
        return sa.and_(
            Tranche.status == state,
            Tranche.grant.has(Grant.status.in_(list(REPORTING_STATES))),
        )
    return Tranche.status == state


def queue_query(state: TrancheStatus) -> sa.Select[Any]:
    """The tranches of one state of finance's queue (unordered: QUEUE_ORDER pages them), with
    their grant and who requested and approved them."""
    return (
        sa.select(Tranche)
        .options(
            # The rows show the grant's reference, organisation and currency, never its
            # application (joined by default): not read.
            joinedload(Tranche.grant).lazyload(Grant.application),
            joinedload(Tranche.requested_by),
            joinedload(Tranche.approved_by),
        )
        .where(_in_queue(state))
    )


@dataclass(frozen=True)
class QueueFigures:
    count: int
    total: int  # minor units, as the page always summed them


def queue_figures() -> dict[TrancheStatus, QueueFigures]:
    """How many tranches each state of the queue holds and their sum (one statement)."""
    states = [*QUEUE_STATES, TrancheStatus.FAILED]
    placed = (
        sa.select(
            sa.case(*((_in_queue(state), state.value) for state in states), else_=None).label(
                "state"
            ),
            Tranche.amount,
        )
        .where(Tranche.status.in_(states))
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            placed.c.state, sa.func.count(), sa.func.coalesce(sa.func.sum(placed.c.amount), 0)
        ).group_by(placed.c.state)
    ).all()
    figures = dict.fromkeys(states, QueueFigures(0, 0))
    for state, count, total in rows:
        if state is not None:
            figures[TrancheStatus(state)] = QueueFigures(int(count), int(total))
    return figures


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


def _blocked(on: date) -> sa.ColumnElement[bool]:
    """What ``tranche_blockers`` finds, asked of every tranche in SQL (to put the tranches that
    can be requested first): an earlier tranche unpaid, a report gating it not accepted, or a
    report of the grant overdue."""
    earlier = aliased(Tranche)
    return sa.or_(
        sa.exists().where(
            earlier.grant_id == Tranche.grant_id,
            earlier.number < Tranche.number,
            earlier.status.not_in([TrancheStatus.PAID, TrancheStatus.CANCELLED]),
        ),
        sa.exists().where(
            GrantReport.gates_tranche_id == Tranche.id,
            GrantReport.status != ReportStatus.ACCEPTED,
        ),
        sa.exists().where(
            GrantReport.grant_id == Tranche.grant_id,
            GrantReport.status.in_(list(REPORT_OUTSTANDING)),
            GrantReport.due_date < on,
        ),
    )


def next_tranches_query(*, on: date) -> sa.Select[Any]:
    """The next scheduled tranche of each active grant with no tranche under way (unordered:
    ``next_tranche_order`` pages them), its grant's tranches and reports loaded for
    ``tranche_blockers``."""
    other = aliased(Tranche)
    under_way = sa.exists().where(
        other.grant_id == Tranche.grant_id,
        other.status.in_([*QUEUE_STATES, TrancheStatus.FAILED]),
    )
    sooner = aliased(Tranche)
    scheduled_before = sa.exists().where(
        sooner.grant_id == Tranche.grant_id,
        sooner.status == TrancheStatus.SCHEDULED,
        sooner.number < Tranche.number,
    )
    return (
        sa.select(Tranche)
        .join(Grant, Grant.id == Tranche.grant_id)
        .options(
            contains_eager(Tranche.grant).selectinload(Grant.tranches),
            contains_eager(Tranche.grant).selectinload(Grant.reports),
            contains_eager(Tranche.grant).lazyload(Grant.application),
        )
        .where(
            Grant.status == GrantStatus.ACTIVE,
            Tranche.status == TrancheStatus.SCHEDULED,
            ~under_way,
            ~scheduled_before,
        )
    )


def next_tranche_order(on: date) -> tuple[Key, ...]:
    """Those that can be requested first, then by planned date (keyset keys)."""
    return (
        Key(lambda: sa.case((_blocked(on), 1), else_=0), int),
        Key(lambda: Tranche.planned_date, date),
        Key(lambda: Tranche.id, int),
    )


def next_tranches(*, on: date, limit: int = 50) -> list[ReadyTranche]:
    """The next scheduled tranche of each running grant, with what still blocks it: the first
    ``limit``, those that can be requested first, then by planned date."""
    query = next_tranches_query(on=on).order_by(*(key.column() for key in next_tranche_order(on)))
    tranches = db.session.execute(query.limit(limit)).unique().scalars()
    return [ReadyTranche(t, tranche_blockers(t, on=on)) for t in tranches]


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
