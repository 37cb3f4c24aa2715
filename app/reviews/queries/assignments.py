"""Who reviews what: an application's reviewers, a reviewer's work and load, the candidates
for an application (with why each may not take it), and the reviews due for a reminder."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from app.accounts.models import Role, User, UserRole
from app.accounts.permissions import is_member
from app.applications.models import Application, ApplicationStatus
from app.applications.workflow import ReviewProgress
from app.platform.extensions import db
from app.platform.settings import settings
from app.reviews.models import AssignmentStatus, Review, ReviewAssignment, ReviewStatus

S = ApplicationStatus


OPEN_ASSIGNMENT = (AssignmentStatus.AWAITING_DECLARATION, AssignmentStatus.ACTIVE)


def assignments_of(application: Application) -> list[ReviewAssignment]:
    return list(
        db.session.execute(
            sa.select(ReviewAssignment)
            .where(ReviewAssignment.application_id == application.id)
            .order_by(ReviewAssignment.id)
        ).scalars()
    )


def review_progress(application: Application) -> ReviewProgress:
    """Submitted and outstanding reviews of the reviewers still on ``application``: what the
    recommendation guard counts (create_app() hands it to the applications workflow)."""
    live = [a for a in assignments_of(application) if a.status in OPEN_ASSIGNMENT]
    submitted = sum(1 for a in live if a.review is not None and a.review.is_submitted)
    return ReviewProgress(submitted=submitted, outstanding=len(live) - submitted)


def assignment_for(application: Application, user: Any) -> ReviewAssignment | None:
    if not isinstance(user, User):
        return None
    return db.session.execute(
        sa.select(ReviewAssignment).where(
            ReviewAssignment.application_id == application.id,
            ReviewAssignment.reviewer_id == user.id,
        )
    ).scalar_one_or_none()


def active_assignment(application: Application, user: Any) -> ReviewAssignment | None:
    """The user's assignment if they declared no conflict and were not removed."""
    assignment = assignment_for(application, user)
    if assignment is None or assignment.status != AssignmentStatus.ACTIVE:
        return None
    return assignment


def assignments_for_reviewer(user: User) -> list[ReviewAssignment]:
    """A reviewer's assignments, open ones first, the soonest due first."""
    rows = db.session.execute(
        sa.select(ReviewAssignment)
        .where(
            ReviewAssignment.reviewer_id == user.id,
            ReviewAssignment.status != AssignmentStatus.REMOVED,
        )
        .order_by(ReviewAssignment.due_on, ReviewAssignment.id)
    ).scalars()
    return sorted(rows, key=lambda a: (not is_open(a), a.due_on, a.id))


def is_open(assignment: ReviewAssignment) -> bool:
    """Still waiting for the reviewer: a declaration or a review to submit, while in review."""
    if assignment.status not in OPEN_ASSIGNMENT:
        return False
    if assignment.review is not None and assignment.review.is_submitted:
        return False
    return assignment.application.status == S.IN_REVIEW


def open_load(reviewer_ids: Iterable[int]) -> dict[int, int]:
    """How many open assignments each reviewer carries (for balancing the load)."""
    ids = list(reviewer_ids)
    load = dict.fromkeys(ids, 0)
    if not ids:
        return load
    rows = db.session.execute(
        sa.select(ReviewAssignment.reviewer_id, sa.func.count())
        .join(Application, Application.id == ReviewAssignment.application_id)
        .outerjoin(Review, Review.assignment_id == ReviewAssignment.id)
        .where(
            ReviewAssignment.reviewer_id.in_(ids),
            ReviewAssignment.status.in_(OPEN_ASSIGNMENT),
            Application.status == S.IN_REVIEW,
            sa.or_(Review.id.is_(None), Review.status != ReviewStatus.SUBMITTED),
        )
        .group_by(ReviewAssignment.reviewer_id)
    )
    for reviewer_id, count in rows:
        load[reviewer_id] = count
    return load


def users_with_role(role: Role) -> list[User]:
    return list(
        db.session.execute(
            sa.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role, User.is_active.is_(True))
            .order_by(User.full_name, User.id)
        ).scalars()
    )


def conflicted_reviewer_ids(application: Application) -> set[int]:
    """Reviewers who declared a conflict with this organisation (on any of its applications)."""
    return set(
        db.session.execute(
            sa.select(ReviewAssignment.reviewer_id)
            .join(Application, Application.id == ReviewAssignment.application_id)
            .where(
                Application.organisation_id == application.organisation_id,
                ReviewAssignment.status == AssignmentStatus.RECUSED,
            )
        ).scalars()
    )


@dataclass(frozen=True)
class Candidate:
    reviewer: User
    load: int
    excluded_because: str | None = None  # "member", "conflict", "assigned"


def reviewer_candidates(application: Application) -> list[Candidate]:
    """Every reviewer, least loaded first, each with the reason they cannot take this one."""
    reviewers = users_with_role(Role.REVIEWER)
    load = open_load(r.id for r in reviewers)
    conflicted = conflicted_reviewer_ids(application)
    taken = {
        a.reviewer_id
        for a in assignments_of(application)
        if a.status in (*OPEN_ASSIGNMENT, AssignmentStatus.RECUSED)
    }
    found = []
    for reviewer in reviewers:
        reason = None
        if is_member(reviewer, application.organisation_id):
            reason = "member"
        elif reviewer.id in conflicted:
            reason = "conflict"
        elif reviewer.id in taken:
            reason = "assigned"
        found.append(Candidate(reviewer, load[reviewer.id], reason))
    return sorted(found, key=lambda c: (c.excluded_because is not None, c.load, c.reviewer.id))


def reviewers_wanted() -> int:
    return settings().reviews.per_application


def suggest_reviewers(
    application: Application, *, extra_load: dict[int, int] | None = None
) -> list[User]:
    """The least-loaded eligible reviewers to bring the application up to the number wanted."""
    extra_load = extra_load or {}
    live = [a for a in assignments_of(application) if a.status in OPEN_ASSIGNMENT]
    missing = max(0, reviewers_wanted() - len(live))
    eligible = [c for c in reviewer_candidates(application) if c.excluded_because is None]
    eligible.sort(key=lambda c: (c.load + extra_load.get(c.reviewer.id, 0), c.reviewer.id))
    return [c.reviewer for c in eligible[:missing]]


def default_due_date(today: date) -> date:
    return today + timedelta(days=settings().reviews.due_days)


def assignments_to_remind(*, today: date) -> list[ReviewAssignment]:
    """Open assignments due within REVIEW_REMINDER_DAYS or overdue, not yet reminded today."""
    horizon = today + timedelta(days=settings().reviews.reminder_days)
    rows = db.session.execute(
        sa.select(ReviewAssignment)
        .where(
            ReviewAssignment.status.in_(OPEN_ASSIGNMENT),
            ReviewAssignment.due_on <= horizon,
            sa.or_(ReviewAssignment.reminded_on.is_(None), ReviewAssignment.reminded_on < today),
        )
        .order_by(ReviewAssignment.id)
    ).scalars()
    return [a for a in rows if is_open(a)]
