"""Counts for the dashboards: applications by state, overdue reports and tranches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.applications.models import Application, ApplicationStatus
from app.grants.queries import outstanding_reports_query
from app.grants.tranche_queries import overdue_tranches
from app.platform.extensions import db


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
    """Reports past due on running grants, and tranches past their planned date unpaid: the
    very records the grants' lists show under "overdue", so each tile's count is its list's."""
    reports = db.session.execute(
        sa.select(sa.func.count()).select_from(
            outstanding_reports_query(on=on, overdue_only=True).order_by(None).subquery()
        )
    ).scalar_one()
    listed = overdue_tranches(on=on).order_by(None).subquery()
    tranches = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(listed.c.amount), 0))
    ).one()
    return Overdue(reports=int(reports), tranches=int(tranches[0]), tranche_amount=int(tranches[1]))
