"""Life cycles of reviewer assignments, reviews and Board meetings.

The application's selection moves are declared with its other moves, in
app/applications/workflow.py, and the call's "decided" guard in app/calls/workflow.py;
create_app() hands those guards this area's counts. Who is told at each move: app/handoffs.py.
"""

from __future__ import annotations

from typing import Any

from app.accounts.permissions import Permission, is_member
from app.applications.models import ApplicationStatus
from app.applications.workflow import ensure_fund_side
from app.platform.errors import N_, PermissionDenied, SegregationOfDuties, ValidationFailed
from app.reviews.models import (
    AssignmentStatus,
    MeetingStatus,
    ReviewAssignment,
    ReviewStatus,
)
from app.reviews.queries.scores import review_problems
from app.workflow import Workflow, transitions

S = ApplicationStatus


# --- reviewer assignments -------------------------------------------------------------------


def _guard_own_assignment(assignment: ReviewAssignment, actor: Any) -> None:
    if getattr(actor, "id", None) != assignment.reviewer_id:
        raise PermissionDenied(N_("Only the reviewer asked can answer for this review."))


def _guard_no_conflict(assignment: ReviewAssignment, actor: Any) -> None:
    _guard_own_assignment(assignment, actor)
    if is_member(actor, assignment.application.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to the applicant organisation: declare the conflict instead.")
        )


def _guard_removable(assignment: ReviewAssignment, actor: Any) -> None:
    ensure_fund_side(assignment.application, actor)
    if assignment.review is not None and assignment.review.is_submitted:
        raise ValidationFailed(N_("This review is submitted; it stays on the record."))


ASSIGNMENT_WORKFLOW = Workflow(
    name="review_assignment",
    transitions=[
        transitions(
            [AssignmentStatus.AWAITING_DECLARATION],
            AssignmentStatus.ACTIVE,
            Permission.REVIEW_APPLICATION,
            _guard_no_conflict,
        ),
        transitions(
            [AssignmentStatus.AWAITING_DECLARATION],
            AssignmentStatus.RECUSED,
            Permission.REVIEW_APPLICATION,
            _guard_own_assignment,
        ),
        transitions(
            [AssignmentStatus.AWAITING_DECLARATION, AssignmentStatus.ACTIVE],
            AssignmentStatus.REMOVED,
            Permission.ASSIGN_REVIEWERS,
            _guard_removable,
        ),
        # Asked again after being removed: the declaration is made afresh.
        transitions(
            [AssignmentStatus.REMOVED],
            AssignmentStatus.AWAITING_DECLARATION,
            Permission.ASSIGN_REVIEWERS,
            lambda a, actor: ensure_fund_side(a.application, actor),
        ),
    ],
)


def _guard_submit_review(review: Any, actor: Any) -> None:
    if getattr(actor, "id", None) != review.reviewer_id:
        raise PermissionDenied(N_("Only the reviewer can submit their review."))
    if review.assignment.status != AssignmentStatus.ACTIVE:
        raise PermissionDenied(N_("You are no longer a reviewer of this application."))
    if review.application.status != ApplicationStatus.IN_REVIEW:
        raise ValidationFailed(N_("This application is no longer in review."))
    problems = review_problems(review)
    if problems:
        raise ValidationFailed(problems[0].message, **problems[0].params)


REVIEW_WORKFLOW = Workflow(
    name="review",
    transitions=[
        transitions(
            [ReviewStatus.DRAFT],
            ReviewStatus.SUBMITTED,
            Permission.REVIEW_APPLICATION,
            _guard_submit_review,
        )
    ],
)

MEETING_WORKFLOW = Workflow(
    name="board_meeting",
    transitions=[
        transitions([MeetingStatus.OPEN], MeetingStatus.CLOSED, Permission.RECORD_BOARD_DECISION)
    ],
)
