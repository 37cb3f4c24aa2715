"""What is waiting for the reader, on their dashboard: one line per kind of work their roles do
(to screen, to verify, to review, for the Board, to approve, to pay, overdue), each a count
linking to the list filtered to exactly those records. Counted per reader (a finance officer's
own requests are not theirs to approve; a reviewer's own assignments), never cached across
readers; one grouped statement per table, so the page stays constant in queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import url_for

from app.accounts.models import Organisation  # noqa: F401  (mapped before the queries below)
from app.accounts.permissions import Permission, permissions_of
from app.applications.models import (
    Application,
    ApplicationStatus,
    DueDiligenceStatus,
    OrganisationProfile,
)
from app.grants import queries as grant_queries
from app.grants import tranche_queries
from app.grants.models import GrantReport, ReportStatus, Tranche, TrancheStatus
from app.monitoring import services as monitoring
from app.platform.errors import N_
from app.platform.extensions import db
from app.reviews.models import AssignmentStatus, Review, ReviewAssignment, ReviewStatus


@dataclass(frozen=True)
class Waiting:
    label: str  # msgid
    count: int
    url: str
    overdue: bool = False


def _application_counts() -> dict[ApplicationStatus, int]:
    rows = db.session.execute(
        sa.select(Application.status, sa.func.count())
        .where(
            Application.status.in_(
                [
                    ApplicationStatus.SUBMITTED,
                    ApplicationStatus.SCREENING,
                    ApplicationStatus.RECOMMENDED,
                    ApplicationStatus.NOT_RECOMMENDED,
                ]
            )
        )
        .group_by(Application.status)
    ).all()
    return {ApplicationStatus(status): int(count) for status, count in rows}


def _scalar(query: Any) -> int:
    return int(db.session.execute(query).scalar_one())


def waiting_for(user: Any, *, on: date) -> list[Waiting]:
    """The reader's work, in the order it is done; empty for a role with nothing to act on."""
    granted = permissions_of(user)
    items: list[Waiting] = []
    applications: dict[ApplicationStatus, int] | None = None

    def counts() -> dict[ApplicationStatus, int]:
        nonlocal applications
        if applications is None:
            applications = _application_counts()
        return applications

    if Permission.SCREEN_APPLICATION in granted:
        items.append(
            Waiting(
                N_("Applications to screen"),
                counts().get(ApplicationStatus.SUBMITTED, 0),
                url_for("applications.all", status="submitted", sort="updated", dir="asc"),
            )
        )
        items.append(
            Waiting(
                N_("Screening under way"),
                counts().get(ApplicationStatus.SCREENING, 0),
                url_for("applications.all", status="screening", sort="updated", dir="asc"),
            )
        )
    if Permission.VERIFY_ORGANISATION in granted:
        items.append(
            Waiting(
                N_("Organisation files to verify"),
                _scalar(
                    sa.select(sa.func.count()).where(
                        OrganisationProfile.status == DueDiligenceStatus.DOCUMENTS_SUBMITTED
                    )
                ),
                url_for("organisations.index", status="documents_submitted"),
            )
        )
    if Permission.REVIEW_APPLICATION in granted:
        done = sa.select(Review.id).where(
            Review.assignment_id == ReviewAssignment.id, Review.status == ReviewStatus.SUBMITTED
        )
        items.append(
            Waiting(
                N_("Reviews to write"),
                _scalar(
                    sa.select(sa.func.count())
                    .select_from(ReviewAssignment)
                    .where(
                        ReviewAssignment.reviewer_id == user.id,
                        ReviewAssignment.status.in_(
                            [AssignmentStatus.AWAITING_DECLARATION, AssignmentStatus.ACTIVE]
                        ),
                        ~sa.exists(done),
                    )
                ),
                url_for("reviews.mine"),
            )
        )
    if Permission.RECORD_BOARD_DECISION in granted:
        items.append(
            Waiting(
                N_("Recommendations for the Board to decide"),
                counts().get(ApplicationStatus.RECOMMENDED, 0)
                + counts().get(ApplicationStatus.NOT_RECOMMENDED, 0),
                url_for("reviews.board"),
            )
        )
    if Permission.AWARD_GRANT in granted:
        items.append(
            Waiting(
                N_("Grant reports to review"),
                _scalar(
                    sa.select(sa.func.count()).where(GrantReport.status == ReportStatus.SUBMITTED)
                ),
                url_for("grants.reports"),
            )
        )
    if Permission.VIEW_ALL_APPLICATIONS in granted:
        items.append(
            Waiting(
                N_("Overdue reports"),
                _scalar(
                    sa.select(sa.func.count()).select_from(
                        grant_queries.outstanding_reports_query(on=on, overdue_only=True).subquery()
                    )
                ),
                url_for("grants.reports", state="overdue"),
                overdue=True,
            )
        )
    if Permission.APPROVE_DISBURSEMENT in granted:
        # A second officer approves: the reader's own requests are not waiting for them.
        items.append(
            Waiting(
                N_("Tranche requests to approve (another officer's)"),
                _scalar(
                    sa.select(sa.func.count()).where(
                        Tranche.status == TrancheStatus.REQUESTED,
                        sa.or_(
                            Tranche.requested_by_id.is_(None), Tranche.requested_by_id != user.id
                        ),
                    )
                ),
                url_for("grants.disbursements", _anchor="q-requested"),
            )
        )
    if Permission.CONFIRM_DISBURSEMENT in granted:
        tranche_counts = dict(
            db.session.execute(
                sa.select(Tranche.status, sa.func.count())
                .where(Tranche.status.in_([TrancheStatus.APPROVED, TrancheStatus.SENT]))
                .group_by(Tranche.status)
            ).all()
        )
        items.append(
            Waiting(
                N_("Approved tranches to pay"),
                int(tranche_counts.get(TrancheStatus.APPROVED, 0)),
                url_for("grants.disbursements", _anchor="q-approved"),
            )
        )
        items.append(
            Waiting(
                N_("Payments sent, to confirm with the bank"),
                int(tranche_counts.get(TrancheStatus.SENT, 0)),
                url_for("grants.disbursements", _anchor="q-sent"),
            )
        )
    if Permission.VIEW_LEDGER in granted:
        items.append(
            Waiting(
                N_("Overdue tranches"),
                _scalar(
                    sa.select(sa.func.count()).select_from(
                        tranche_queries.overdue_tranches(on=on).subquery()
                    )
                ),
                url_for("grants.disbursements", state="overdue"),
                overdue=True,
            )
        )
    if Permission.MANAGE_MONITORING in granted:
        items.append(
            Waiting(
                N_("Overdue monitoring recommendations"),
                monitoring.count_overdue(on=on),
                url_for("monitoring.recommendations", state="overdue"),
                overdue=True,
            )
        )
    return items
