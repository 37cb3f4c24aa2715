"""Counts for the dashboards: applications by state, overdue reports and tranches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.applications.models import Application, ApplicationStatus
from app.grants.models import (
    REPORT_OUTSTANDING,
    Grant,
    GrantReport,
    GrantStatus,
    Tranche,
    TrancheStatus,
)
from app.platform.extensions import db

# Grants that still report and receive tranches.
RUNNING = (GrantStatus.ACTIVE, GrantStatus.SUSPENDED)
# A tranche not paid (nor cancelled) after its planned date is overdue.
UNPAID_TRANCHES = (
    TrancheStatus.SCHEDULED,
    TrancheStatus.REQUESTED,
    TrancheStatus.APPROVED,
    TrancheStatus.SENT,
    TrancheStatus.FAILED,
)


def applications_by_status() -> dict[ApplicationStatus, int]:
    """Every status, in workflow order, with its number of applications (drafts included)."""
    rows = db.session.execute(
        sa.select(Application.status, sa.func.count()).group_by(Application.status)
    ).all()
    counts = dict.fromkeys(ApplicationStatus, 0)
    counts.update({ApplicationStatus(row[0]): int(row[1]) for row in rows})
    return counts


@dataclass(frozen=True)
class Overdue:
    reports: int
    tranches: int
    tranche_amount: int


def overdue(on: date) -> Overdue:
    """Reports past due on running grants, and tranches past their planned date unpaid."""
    reports = db.session.execute(
        sa.select(sa.func.count())
        .select_from(GrantReport)
        .join(Grant, Grant.id == GrantReport.grant_id)
        .where(
            Grant.status.in_(RUNNING),
            GrantReport.status.in_(list(REPORT_OUTSTANDING)),
            GrantReport.due_date < on,
        )
    ).scalar_one()
    tranches = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Tranche.amount), 0))
        .select_from(Tranche)
        .join(Grant, Grant.id == Tranche.grant_id)
        .where(
            Grant.status.in_(RUNNING),
            Tranche.status.in_(UNPAID_TRANCHES),
            Tranche.planned_date < on,
        )
    ).one()
    return Overdue(reports=int(reports), tranches=int(tranches[0]), tranche_amount=int(tranches[1]))
