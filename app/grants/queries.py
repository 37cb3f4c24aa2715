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
)
from app.grants.services.award import approved_decision, funding_profile
from app.grants.services.common import fund_available, today
from app.grants.services.reports import REPORTING_STATES
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
