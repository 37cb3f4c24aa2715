"""Read-only questions about tranches: finance's queue by state, its figures, the tranches
overdue, and the next tranches of running grants with what stands in their way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager, joinedload

from app.grants.models import (
    REPORT_OUTSTANDING,
    Grant,
    GrantReport,
    GrantStatus,
    ReportStatus,
    Tranche,
    TrancheStatus,
)
from app.grants.services.disbursements import tranche_blockers
from app.grants.services.reports import REPORTING_STATES
from app.platform.errors import ValidationFailed
from app.platform.extensions import db
from app.platform.keyset import Key

QUEUE_STATES = [TrancheStatus.REQUESTED, TrancheStatus.APPROVED, TrancheStatus.SENT]


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
