"""Reviewer assignment: asking reviewers (one by one, or the suggested ones for an application
or a whole call), taking a review back or giving it to someone else, the due date, and the
reviewer's declaration of any conflict of interest before they see the application."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.accounts.permissions import (
    Permission,
    can_assign_reviewers,
    ensure_permission,
    is_member,
)
from app.applications.models import Application, ApplicationStatus
from app.audit.services import record_event
from app.calls.models import Call
from app.notifications.models import NotificationKind
from app.notifications.services import link_to, notify
from app.platform.db import utcnow
from app.platform.errors import (
    N_,
    Conflict,
    InvalidTransition,
    SegregationOfDuties,
    ValidationFailed,
)
from app.platform.extensions import db
from app.reviews.models import AssignmentStatus, ReviewAssignment
from app.reviews.queries.assignments import (
    OPEN_ASSIGNMENT,
    assignment_for,
    conflicted_reviewer_ids,
    default_due_date,
    suggest_reviewers,
)
from app.reviews.services.common import fund_side
from app.reviews.workflow import ASSIGNMENT_WORKFLOW

S = ApplicationStatus


def _check_due_date(due_on: date) -> None:
    if due_on < utcnow().date():
        raise ValidationFailed(N_("The due date cannot be in the past."))


def _check_reviewer(application: Application, reviewer: User) -> None:
    if not reviewer.is_active or not reviewer.has_role(Role.REVIEWER):
        raise ValidationFailed(N_("%(name)s is not a reviewer."), name=reviewer.full_name)
    if is_member(reviewer, application.organisation_id):
        raise SegregationOfDuties(
            N_("%(name)s belongs to the applicant organisation and cannot review it."),
            name=reviewer.full_name,
        )
    if reviewer.id in conflicted_reviewer_ids(application):
        raise Conflict(
            N_("%(name)s has declared a conflict of interest with this organisation."),
            name=reviewer.full_name,
        )


def assign_reviewer(
    *, actor: User, application: Application, reviewer: User, due_on: date | None = None
) -> ReviewAssignment:
    """Ask ``reviewer`` to review; they are told, and must declare before they see it."""
    fund_side(actor, application, Permission.ASSIGN_REVIEWERS)
    if application.status != S.IN_REVIEW:
        raise InvalidTransition(N_("Reviewers are assigned once the application is in review."))
    due_on = due_on or default_due_date(utcnow().date())
    _check_due_date(due_on)
    _check_reviewer(application, reviewer)
    previous = assignment_for(application, reviewer)
    if previous is not None:
        assignment = _assign_again(actor, previous, reviewer=reviewer, due_on=due_on)
    else:
        assignment = _new_assignment(actor, application, reviewer=reviewer, due_on=due_on)
    notify(
        user=reviewer,
        kind=NotificationKind.REVIEW_ASSIGNED,
        link=link_to("reviews.assignment", assignment_id=assignment.id),
        params={"reference": application.reference, "due_on": due_on.isoformat()},
    )
    db.session.flush()
    return assignment


def _assign_again(
    actor: User, assignment: ReviewAssignment, *, reviewer: User, due_on: date
) -> ReviewAssignment:
    """A reviewer removed earlier is asked afresh: a new declaration, a new due date."""
    if assignment.status != AssignmentStatus.REMOVED:
        raise Conflict(
            N_("%(name)s is already a reviewer of this application."), name=reviewer.full_name
        )
    ASSIGNMENT_WORKFLOW.transition(
        assignment, AssignmentStatus.AWAITING_DECLARATION, actor=actor, reason="assigned again"
    )
    assignment.has_conflict = None
    assignment.conflict_description = ""
    assignment.declared_at = None
    assignment.removed_at = None
    assignment.reminded_on = None
    assignment.due_on = due_on
    assignment.assigned_by_id = actor.id
    assignment.assigned_at = utcnow()
    return assignment


def _new_assignment(
    actor: User, application: Application, *, reviewer: User, due_on: date
) -> ReviewAssignment:
    assignment = ReviewAssignment(
        application_id=application.id,
        reviewer_id=reviewer.id,
        status=AssignmentStatus.AWAITING_DECLARATION,
        due_on=due_on,
        assigned_by_id=actor.id,
        assigned_at=utcnow(),
    )
    db.session.add(assignment)
    db.session.flush()
    record_event(
        actor=actor,
        action="review_assignment.assigned",
        subject=assignment,
        summary=f"{application.reference}: reviewer {reviewer.email} assigned, due {due_on}",
        changes={"application_id": [None, application.id], "reviewer_id": [None, reviewer.id]},
    )
    return assignment


def assign_suggested(
    *, actor: User, application: Application, due_on: date | None = None
) -> list[ReviewAssignment]:
    """Assign the suggested reviewers (least loaded, not linked, no declared conflict)."""
    fund_side(actor, application, Permission.ASSIGN_REVIEWERS)
    return [
        assign_reviewer(actor=actor, application=application, reviewer=reviewer, due_on=due_on)
        for reviewer in suggest_reviewers(application)
    ]


def assign_suggested_for_call(
    *, actor: User, call: Call, due_on: date | None = None
) -> list[ReviewAssignment]:
    """Bring every application of the call in review up to the number of reviewers wanted,
    spreading the work: each assignment made counts towards the next suggestion."""
    ensure_permission(actor, Permission.ASSIGN_REVIEWERS)
    made: list[ReviewAssignment] = []
    applications = db.session.execute(
        sa.select(Application)
        .where(Application.call_id == call.id, Application.status == S.IN_REVIEW)
        .order_by(Application.id)
    ).scalars()
    for application in applications:
        if is_member(actor, application.organisation_id):
            continue  # another fund manager assigns these
        for reviewer in suggest_reviewers(application):
            made.append(
                assign_reviewer(
                    actor=actor, application=application, reviewer=reviewer, due_on=due_on
                )
            )
    return made


def remove_reviewer(*, actor: User, assignment: ReviewAssignment, reason: str = "") -> None:
    """Take the review back (not once submitted); a draft review stays, unseen."""
    ASSIGNMENT_WORKFLOW.transition(
        assignment, AssignmentStatus.REMOVED, actor=actor, reason=reason.strip()[:200] or None
    )
    assignment.removed_at = utcnow()
    db.session.flush()


def reassign_review(
    *,
    actor: User,
    assignment: ReviewAssignment,
    reviewer: User,
    due_on: date | None = None,
) -> ReviewAssignment:
    """Give a review to someone else: the first reviewer is removed, the second asked."""
    if reviewer.id == assignment.reviewer_id:
        raise ValidationFailed(N_("Choose a different reviewer."))
    application = assignment.application
    fund_side(actor, application, Permission.ASSIGN_REVIEWERS)
    _check_reviewer(application, reviewer)
    if assignment.status != AssignmentStatus.RECUSED:
        remove_reviewer(actor=actor, assignment=assignment, reason="reassigned")
    return assign_reviewer(
        actor=actor,
        application=application,
        reviewer=reviewer,
        due_on=due_on or assignment.due_on,
    )


def set_due_date(*, actor: User, assignment: ReviewAssignment, due_on: date) -> ReviewAssignment:
    fund_side(actor, assignment.application, Permission.ASSIGN_REVIEWERS)
    if assignment.status not in OPEN_ASSIGNMENT:
        raise InvalidTransition(N_("This reviewer is no longer on the application."))
    _check_due_date(due_on)
    before = assignment.due_on
    if before != due_on:
        assignment.due_on = due_on
        assignment.reminded_on = None
        record_event(
            actor=actor,
            action="review_assignment.due_date_changed",
            subject=assignment,
            summary=f"{assignment.application.reference}: review due {due_on}",
            changes={"due_on": [before.isoformat(), due_on.isoformat()]},
        )
    db.session.flush()
    return assignment


def declare_interest(
    *, actor: User, assignment: ReviewAssignment, has_conflict: bool, description: str = ""
) -> ReviewAssignment:
    """The reviewer's declaration, before they see the application.

    No conflict opens the application to them; a conflict (described) recuses them for good,
    and the fund manager who asked is told so they can ask someone else.
    """
    description = description.strip()
    if has_conflict:
        if not description:
            raise ValidationFailed(N_("Describe the conflict of interest."))
        ASSIGNMENT_WORKFLOW.transition(
            assignment,
            AssignmentStatus.RECUSED,
            actor=actor,
            reason="conflict of interest declared",
            changes={"conflict": [None, description]},
        )
    else:
        ASSIGNMENT_WORKFLOW.transition(
            assignment,
            AssignmentStatus.ACTIVE,
            actor=actor,
            reason="no conflict of interest declared",
        )
    assignment.has_conflict = has_conflict
    assignment.conflict_description = description if has_conflict else ""
    assignment.declared_at = utcnow()
    db.session.flush()
    return assignment


def can_remove_reviewer(actor: Any, assignment: ReviewAssignment) -> bool:
    return bool(
        ASSIGNMENT_WORKFLOW.available_moves(assignment, actor, among=(AssignmentStatus.REMOVED,))
    )


def can_assign(actor: Any, application: Application) -> bool:
    return can_assign_reviewers(actor, application) and application.status == S.IN_REVIEW
