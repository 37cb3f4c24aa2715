"""Reviews in the JSON API, read only (docs/api.md), token scope ``reviews``.

- ``GET /api/v1/reviews/mine``: a reviewer's own assignments and their own review, as
  /reviews/mine lists them (``review_application``). Nothing of another reviewer: not their
  names, not their scores.
- ``GET /api/v1/applications/{id}/reviews``: every submitted review of one application and its
  assignments, with the reviewers named, for the fund's staff who see every application
  (``view_all_applications``), as the application's reviews page shows them; refused, like
  the page, to staff who belong to the applicant.
"""

from __future__ import annotations

from typing import Any

from app.accounts.permissions import Permission, can_view_application, is_member
from app.applications.models import Application
from app.platform.errors import N_, SegregationOfDuties
from app.reviews.models import Review, ReviewAssignment
from app.reviews.queries.assignments import assignments_for_reviewer, assignments_of, is_open
from app.reviews.queries.scores import visible_reviews
from app.tokens.models import TokenScope
from app.web.access import requires
from app.web.api import (
    IF_NONE_MATCH_PARAMETER,
    TIME_SCHEMA,
    Operation,
    answer_or_not_modified,
    api_user,
    bp,
    documented,
)
from app.web.lookup import visible_or_404

NULLABLE_TIME: dict[str, Any] = {"anyOf": [TIME_SCHEMA, {"type": "null"}]}
PERSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "full_name"],
    "properties": {"id": {"type": "integer"}, "full_name": {"type": "string"}},
}
SCORE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["criterion_id", "score", "justification"],
    "properties": {
        "criterion_id": {"type": "integer"},
        "score": {"type": ["integer", "null"]},
        "justification": {"type": "string"},
    },
}
REVIEW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "status", "recommendation", "submitted_at", "scores", "comments"],
    "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string"},
        "recommendation": {"type": ["string", "null"]},
        "submitted_at": NULLABLE_TIME,
        "scores": {"type": "array", "items": SCORE_SCHEMA},
        "comments": {"type": "string"},
    },
}
APPLICATION_REF_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "reference", "title"],
    "properties": {
        "id": {"type": "integer"},
        "reference": {"type": "string"},
        "title": {"type": "string"},
    },
}
MY_ASSIGNMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "application", "status", "is_open", "due_on", "assigned_at", "review"],
    "properties": {
        "id": {"type": "integer"},
        "application": APPLICATION_REF_SCHEMA,
        "status": {"type": "string"},
        "is_open": {"type": "boolean"},
        "due_on": {"type": "string", "format": "date"},
        "assigned_at": TIME_SCHEMA,
        "review": {"anyOf": [REVIEW_SCHEMA, {"type": "null"}]},
    },
}
STAFF_ASSIGNMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "reviewer", "status", "due_on", "declared_at"],
    "properties": {
        "id": {"type": "integer"},
        "reviewer": PERSON_SCHEMA,
        "status": {"type": "string"},
        "due_on": {"type": "string", "format": "date"},
        "declared_at": NULLABLE_TIME,
    },
}
APPLICATION_REVIEWS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["application", "reviews", "assignments"],
    "properties": {
        "application": APPLICATION_REF_SCHEMA,
        "reviews": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["reviewer", "weighted_score", "review"],
                "properties": {
                    "reviewer": PERSON_SCHEMA,
                    "weighted_score": {
                        "type": ["string", "null"],
                        "description": "Out of 5, exact (a decimal in a string)",
                    },
                    "review": REVIEW_SCHEMA,
                },
            },
        },
        "assignments": {"type": "array", "items": STAFF_ASSIGNMENT_SCHEMA},
    },
}


def _application(application: Application) -> dict[str, Any]:
    return {"id": application.id, "reference": application.reference, "title": application.title}


def review_as_json(review: Review) -> dict[str, Any]:
    return {
        "id": review.id,
        "status": review.status.value,
        "recommendation": review.recommendation.value if review.recommendation else None,
        "submitted_at": review.submitted_at.isoformat() if review.submitted_at else None,
        "scores": [
            {"criterion_id": s.criterion_id, "score": s.score, "justification": s.justification}
            for s in sorted(review.scores, key=lambda s: s.criterion_id)
        ],
        "comments": review.comments,
    }


def my_assignment_as_json(assignment: ReviewAssignment) -> dict[str, Any]:
    return {
        "id": assignment.id,
        "application": _application(assignment.application),
        "status": assignment.status.value,
        "is_open": is_open(assignment),
        "due_on": assignment.due_on.isoformat(),
        "assigned_at": assignment.assigned_at.isoformat(),
        "review": review_as_json(assignment.review) if assignment.review else None,
    }


@bp.get("/reviews/mine")
@requires(Permission.REVIEW_APPLICATION)
@documented(
    Operation(
        area=TokenScope.REVIEWS,
        summary="My review assignments and my reviews, open ones first",
        description="As My reviews lists them (all of them: a reviewer has a handful). Other "
        "reviewers are never named here.",
        response={
            "type": "object",
            "required": ["assignments"],
            "properties": {"assignments": {"type": "array", "items": MY_ASSIGNMENT_SCHEMA}},
        },
        parameters=(IF_NONE_MATCH_PARAMETER,),
        not_modified=True,
    )
)
def my_reviews() -> Any:
    assignments = assignments_for_reviewer(api_user())
    return answer_or_not_modified({"assignments": [my_assignment_as_json(a) for a in assignments]})


@bp.get("/applications/<int:application_id>/reviews")
@requires(Permission.VIEW_ALL_APPLICATIONS)
@documented(
    Operation(
        area=TokenScope.REVIEWS,
        summary="An application's submitted reviews and its reviewers' assignments",
        description="As the application's reviews page shows them to the fund's staff, "
        "reviewers named. Refused (403) to staff who belong to the applicant.",
        response=APPLICATION_REVIEWS_SCHEMA,
        parameters=(
            {
                "name": "application_id",
                "in": "path",
                "required": True,
                "schema": {"type": "integer"},
            },
            IF_NONE_MATCH_PARAMETER,
        ),
        problems=(404,),
        not_modified=True,
    )
)
def application_reviews(application_id: int) -> Any:
    person = api_user()
    application = visible_or_404(Application, application_id, can_view_application)
    if is_member(person, application.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to the applicant organisation, so you take no part in its selection.")
        )
    reviews = visible_reviews(application, person) or []
    return answer_or_not_modified(
        {
            "application": _application(application),
            "reviews": [
                {
                    "reviewer": {
                        "id": r.review.reviewer.id,
                        "full_name": r.review.reviewer.full_name,
                    },
                    "weighted_score": None if r.weighted is None else str(r.weighted),
                    "review": review_as_json(r.review),
                }
                for r in reviews
            ],
            "assignments": [
                {
                    "id": a.id,
                    "reviewer": {"id": a.reviewer.id, "full_name": a.reviewer.full_name},
                    "status": a.status.value,
                    "due_on": a.due_on.isoformat(),
                    "declared_at": a.declared_at.isoformat() if a.declared_at else None,
                }
                for a in assignments_of(application)
            ],
        }
    )
