"""The selection moves of an application (DESIGN.md §3), and the life cycles of assignments,
reviews and Board meetings.

Appended to ``APPLICATION_WORKFLOW`` (declared by the applications area) when this module is
imported: app/domain/reviews/__init__.py imports it, so the moves exist wherever the models do.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.domain.accounts.permissions import Permission, is_member
from app.domain.applications.models import Application, ApplicationStatus
from app.domain.applications.workflow import APPLICATION_WORKFLOW
from app.domain.calls.models import Call, CallStatus
from app.domain.calls.workflow import CALL_WORKFLOW
from app.domain.errors import N_, PermissionDenied, SegregationOfDuties, ValidationFailed
from app.domain.reviews.models import (
    AssignmentStatus,
    MeetingStatus,
    ReviewAssignment,
    ReviewStatus,
)
from app.domain.workflow import Workflow, transitions

S = ApplicationStatus

# Where an application's journey ends (a reserve can still be approved later).
FINAL_STATUSES = frozenset({S.INELIGIBLE, S.APPROVED, S.RESERVE, S.REJECTED, S.WITHDRAWN})
# Outcomes of the Board, in the order they are offered.
BOARD_OUTCOMES = (S.APPROVED, S.RESERVE, S.REJECTED)


def _guard_fund_side(application: Application, actor: Any) -> None:
    if is_member(actor, application.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to the applicant organisation, so you take no part in its selection.")
        )


def _guard_reviews_complete(application: Application, actor: Any) -> None:
    """A recommendation rests on the reviews: at least one, and none still outstanding."""
    _guard_fund_side(application, actor)
    from app.domain.reviews.queries import assignments_of

    live = [
        a
        for a in assignments_of(application)
        if a.status in (AssignmentStatus.AWAITING_DECLARATION, AssignmentStatus.ACTIVE)
    ]
    submitted = [a for a in live if a.review is not None and a.review.is_submitted]
    if not submitted:
        raise ValidationFailed(N_("No review has been submitted for this application yet."))
    if len(submitted) < len(live):
        raise ValidationFailed(
            N_(
                "%(count)s review(s) are still outstanding. Wait for them, or remove the "
                "reviewer, before you recommend."
            ),
            count=len(live) - len(submitted),
        )


APPLICATION_WORKFLOW.transitions.extend(
    [
        transitions([S.SUBMITTED], S.SCREENING, Permission.SCREEN_APPLICATION, _guard_fund_side),
        transitions([S.SCREENING], S.INELIGIBLE, Permission.SCREEN_APPLICATION, _guard_fund_side),
        transitions([S.SCREENING], S.IN_REVIEW, Permission.SCREEN_APPLICATION, _guard_fund_side),
        transitions(
            [S.IN_REVIEW, S.NOT_RECOMMENDED],
            S.RECOMMENDED,
            Permission.PREPARE_BOARD_PACK,
            _guard_reviews_complete,
        ),
        transitions(
            [S.IN_REVIEW, S.RECOMMENDED],
            S.NOT_RECOMMENDED,
            Permission.PREPARE_BOARD_PACK,
            _guard_reviews_complete,
        ),
        *(
            transitions(
                [S.RECOMMENDED, S.NOT_RECOMMENDED],
                outcome,
                Permission.RECORD_BOARD_DECISION,
                _guard_fund_side,
            )
            for outcome in BOARD_OUTCOMES
        ),
        # "A reserve-list application can later be approved when money frees up" (or, when
        # the cycle ends without that, turned down).
        transitions([S.RESERVE], S.APPROVED, Permission.RECORD_BOARD_DECISION, _guard_fund_side),
        transitions([S.RESERVE], S.REJECTED, Permission.RECORD_BOARD_DECISION, _guard_fund_side),
    ]
)


def _guard_call_decided(call: Call, actor: Any) -> None:
    """A call is decided once none of its submitted applications waits for a decision."""
    from app.domain.reviews.queries import undecided_count

    waiting = undecided_count(call)
    if waiting:
        raise ValidationFailed(
            N_("%(count)s application(s) of this call still wait for a decision."), count=waiting
        )


# The calls area left closed → decided unguarded for this area to complete (calls/workflow.py).
CALL_WORKFLOW.transitions[:] = [
    replace(move, guard=_guard_call_decided)
    if move.target == CallStatus.DECIDED and move.guard is None
    else move
    for move in CALL_WORKFLOW.transitions
]


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
    _guard_fund_side(assignment.application, actor)
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
            lambda a, actor: _guard_fund_side(a.application, actor),
        ),
    ],
)


def _guard_submit_review(review: Any, actor: Any) -> None:
    from app.domain.reviews.queries import review_problems

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


# --- telling the applicant ------------------------------------------------------------------


def _tell_applicant(name: str, application: Any, source: Any, target: Any, actor: Any) -> None:
    """Information requests, screening outcomes and the Board's decision reach the applicant's
    staff as a notification and an e-mail that say only that something needs their attention."""
    from app.domain.notifications.models import NotificationKind
    from app.domain.notifications.services import link_to, notify_all, organisation_staff

    if target == S.INFO_REQUESTED:
        kind = NotificationKind.INFORMATION_REQUESTED
        link = link_to("applications.show", application_id=application.id) + "#messages"
    elif target in (S.INELIGIBLE, S.IN_REVIEW) and source == S.SCREENING:
        kind = NotificationKind.SCREENING_OUTCOME
        link = link_to("applications.show", application_id=application.id)
    elif target in BOARD_OUTCOMES:
        kind = NotificationKind.BOARD_DECISION
        link = link_to("reviews.decision_letter", application_id=application.id)
    else:
        return
    notify_all(
        organisation_staff(application.organisation_id),
        kind=kind,
        link=link,
        params={"reference": application.reference},
    )


APPLICATION_WORKFLOW.listeners.append(_tell_applicant)
