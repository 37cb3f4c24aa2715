"""Scoring: the reviewer saves a draft review against the call's rubric, then submits it
(final); the fund managers who asked are told when an application's reviews are all in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.accounts.models import User
from app.accounts.permissions import Permission, ensure_permission, is_member
from app.applications.models import ApplicationStatus
from app.audit.services import record_event
from app.notifications.models import NotificationKind
from app.notifications.services import link_to, notify_all
from app.platform.db import utcnow
from app.platform.errors import (
    N_,
    InvalidTransition,
    PermissionDenied,
    SegregationOfDuties,
    ValidationFailed,
)
from app.platform.extensions import db
from app.reviews.models import (
    MAX_SCORE,
    AssignmentStatus,
    Recommendation,
    Review,
    ReviewAssignment,
    ReviewScore,
    ReviewStatus,
)
from app.reviews.queries.assignments import OPEN_ASSIGNMENT, assignments_of
from app.reviews.queries.scores import review_weighted_score, to_decimal
from app.reviews.workflow import REVIEW_WORKFLOW

S = ApplicationStatus


@dataclass(frozen=True)
class ScoreInput:
    score: int | None
    justification: str = ""


def _own_active_assignment(actor: User, assignment: ReviewAssignment) -> None:
    ensure_permission(actor, Permission.REVIEW_APPLICATION)
    if assignment.reviewer_id != actor.id:
        raise PermissionDenied(N_("Only the reviewer asked can write this review."))
    if is_member(actor, assignment.application.organisation_id):
        raise SegregationOfDuties(N_("You belong to the applicant organisation."))
    if assignment.status == AssignmentStatus.AWAITING_DECLARATION:
        raise PermissionDenied(N_("Declare any conflict of interest first."))
    if assignment.status != AssignmentStatus.ACTIVE:
        raise PermissionDenied(N_("You are no longer a reviewer of this application."))


def save_review(
    *,
    actor: User,
    assignment: ReviewAssignment,
    scores: Mapping[int, ScoreInput],
    recommendation: Recommendation | None,
    comments: str = "",
) -> Review:
    """Save the review as a draft (scores may be missing until it is submitted)."""
    _own_active_assignment(actor, assignment)
    application = assignment.application
    if application.status != S.IN_REVIEW:
        raise InvalidTransition(N_("This application is no longer in review."))
    review = assignment.review
    if review is not None and review.is_submitted:
        raise InvalidTransition(N_("This review is submitted and can no longer be changed."))
    criteria = {c.id: c for c in application.call.criteria}
    unknown = set(scores) - set(criteria)
    if unknown:
        raise ValidationFailed(N_("Score only the criteria of this call."))
    for value in scores.values():
        if value.score is not None and not 0 <= value.score <= MAX_SCORE:
            raise ValidationFailed(N_("Scores go from 0 to %(max)s."), max=MAX_SCORE)
    if review is None:
        review = Review(
            assignment=assignment,
            application_id=application.id,
            reviewer_id=actor.id,
            status=ReviewStatus.DRAFT,
        )
        db.session.add(review)
    for criterion_id, value in scores.items():
        row = review.score_for(criterion_id)
        if row is None:
            row = ReviewScore(criterion_id=criterion_id)
            review.scores.append(row)
        row.score = value.score
        row.justification = value.justification.strip()
    review.recommendation = Recommendation(recommendation) if recommendation else None
    review.comments = comments.strip()
    db.session.flush()
    record_event(
        actor=actor,
        action="review.draft_saved",
        subject=review,
        summary=f"{application.reference}: review draft saved",
    )
    return review


def submit_review(
    *,
    actor: User,
    assignment: ReviewAssignment,
    scores: Mapping[int, ScoreInput],
    recommendation: Recommendation | None,
    comments: str = "",
) -> Review:
    """Save and submit: every criterion scored and justified, a recommendation given. Final."""
    review = save_review(
        actor=actor,
        assignment=assignment,
        scores=scores,
        recommendation=recommendation,
        comments=comments,
    )
    criteria = list(assignment.application.call.criteria)
    weighted = review_weighted_score(review, criteria)
    REVIEW_WORKFLOW.transition(
        review,
        ReviewStatus.SUBMITTED,
        actor=actor,
        changes={
            "weighted_score": [None, str(to_decimal(weighted)) if weighted else None],
            "recommendation": [None, str(review.recommendation)],
        },
    )
    review.submitted_at = utcnow()
    db.session.flush()
    _tell_when_reviews_complete(assignment)
    return review


def _tell_when_reviews_complete(assignment: ReviewAssignment) -> None:
    application = assignment.application
    live = [a for a in assignments_of(application) if a.status in OPEN_ASSIGNMENT]
    if all(a.review is not None and a.review.is_submitted for a in live):
        managers = {a.assigned_by for a in live if a.assigned_by is not None}
        notify_all(
            sorted(managers, key=lambda u: u.id),
            kind=NotificationKind.REVIEWS_COMPLETE,
            link=link_to("reviews.ranking", call_id=application.call_id),
            params={"reference": application.reference},
        )
