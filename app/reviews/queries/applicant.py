"""What the applicant is told: the application's history in their terms, and the feedback
that goes with the Board's decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa

from app.applications.models import Application
from app.audit.models import AuditEvent
from app.platform.extensions import db
from app.reviews.queries.ranking import latest_recommendation


class Milestone(StrEnum):
    """What the applicant is told happened; the fund's internal steps are not shown apart."""

    STARTED = "started"
    SUBMITTED = "submitted"
    SCREENING = "screening"
    INFO_REQUESTED = "info_requested"
    INFORMATION_PROVIDED = "information_provided"
    INELIGIBLE = "ineligible"
    IN_REVIEW = "in_review"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    RESERVE = "reserve"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


_MILESTONES = {
    "application.started": Milestone.STARTED,
    "application.submitted": Milestone.SUBMITTED,
    "application.screening": Milestone.SCREENING,
    "application.info_requested": Milestone.INFO_REQUESTED,
    "application.information_provided": Milestone.INFORMATION_PROVIDED,
    "application.ineligible": Milestone.INELIGIBLE,
    "application.in_review": Milestone.IN_REVIEW,
    # Recommended or not: the applicant learns the outcome from the Board, not before.
    "application.recommended": Milestone.REVIEWED,
    "application.not_recommended": Milestone.REVIEWED,
    "application.approved": Milestone.APPROVED,
    "application.reserve": Milestone.RESERVE,
    "application.rejected": Milestone.REJECTED,
    "application.withdrawn": Milestone.WITHDRAWN,
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    milestone: Milestone


def timeline(application: Application) -> list[TimelineEntry]:
    """The application's history from the audit log, in the applicant's terms (no names)."""
    events = db.session.execute(
        sa.select(AuditEvent.occurred_at, AuditEvent.action)
        .where(
            AuditEvent.subject_type == Application.__tablename__,
            AuditEvent.subject_id == str(application.id),
            AuditEvent.action.in_(list(_MILESTONES)),
        )
        .order_by(AuditEvent.id)
    )
    entries: list[TimelineEntry] = []
    for at, action in events:
        milestone = _MILESTONES[action]
        if entries and entries[-1].milestone == milestone == Milestone.REVIEWED:
            continue  # a change between recommended and not is internal
        entries.append(TimelineEntry(at, milestone))
    return entries


def feedback_for(application: Application) -> str:
    recommendation = latest_recommendation(application)
    return recommendation.feedback if recommendation is not None else ""
