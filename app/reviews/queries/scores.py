"""Reviews and their scores: what a draft still needs, each reviewer's weighted score, an
application's score from its submitted reviews, and the reviews a visitor may read.

Scores are computed with exact fractions and rounded once, half up, to three decimal places:
the same reviews always give the same weighted score and spread, on every database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import sqlalchemy as sa

from app.accounts.permissions import Permission, has_permission, is_member
from app.applications.models import Application
from app.applications.services import Problem
from app.calls.models import RubricCriterion
from app.platform.errors import N_
from app.platform.extensions import db
from app.platform.settings import settings
from app.reviews.models import Recommendation, Review, ReviewAssignment, ReviewStatus
from app.reviews.queries.assignments import assignment_for

PLACES = 3


def to_decimal(value: Fraction, places: int = PLACES) -> Decimal:
    """``value`` rounded half up to ``places`` decimals (values here are never negative)."""
    scale = 10**places
    numerator = value.numerator * scale
    rounded = (2 * numerator + value.denominator) // (2 * value.denominator)
    return Decimal(rounded).scaleb(-places)


def review_problems(review: Review) -> list[Problem]:
    """What is missing before the review can be submitted."""
    problems = []
    for criterion in review.application.call.criteria:
        score = review.score_for(criterion.id)
        if score is None or score.score is None:
            problems.append(
                Problem(N_("Score every criterion: %(criterion)s."), {"criterion": criterion.name})
            )
        elif not score.justification.strip():
            problems.append(
                Problem(N_("Justify the score for %(criterion)s."), {"criterion": criterion.name})
            )
    if review.recommendation is None:
        problems.append(Problem(N_("Give your overall recommendation.")))
    return problems


def review_weighted_score(review: Review, criteria: Sequence[RubricCriterion]) -> Fraction | None:
    """Σ(weight x score) / Σ weight over the call's criteria; None until every one is scored."""
    total_weight = Fraction(0)
    total = Fraction(0)
    for criterion in criteria:
        score = review.score_for(criterion.id)
        if score is None or score.score is None:
            return None
        weight = Fraction(criterion.weight)
        total_weight += weight
        total += weight * score.score
    if total_weight == 0:
        return None
    return total / total_weight


def submitted_reviews(application: Application) -> list[Review]:
    return list(
        db.session.execute(
            sa.select(Review)
            .join(ReviewAssignment, ReviewAssignment.id == Review.assignment_id)
            .where(
                Review.application_id == application.id,
                Review.status == ReviewStatus.SUBMITTED,
                # A review stays on the record whatever happens to the assignment afterwards.
            )
            .order_by(Review.submitted_at, Review.id)
        ).scalars()
    )


@dataclass(frozen=True)
class CriterionMean:
    criterion: RubricCriterion
    mean: Decimal


@dataclass(frozen=True)
class Score:
    """An application's score from its submitted reviews."""

    reviews: int
    weighted: Decimal | None  # mean of the reviewers' weighted scores, 0-5
    spread: Decimal | None  # highest minus lowest reviewer's weighted score
    reviewer_scores: tuple[Decimal, ...]
    criterion_means: tuple[CriterionMean, ...]
    recommendations: dict[Recommendation, int]
    disagreement: bool

    @property
    def exact(self) -> bool:
        return self.weighted is not None


def application_score(application: Application, reviews: Sequence[Review] | None = None) -> Score:
    criteria = list(application.call.criteria)
    reviews = submitted_reviews(application) if reviews is None else reviews
    fractions = [f for f in (review_weighted_score(r, criteria) for r in reviews) if f is not None]
    recommendations = Counter(r.recommendation for r in reviews if r.recommendation is not None)
    means = []
    for criterion in criteria:
        values = [
            s.score
            for r in reviews
            if (s := r.score_for(criterion.id)) is not None and s.score is not None
        ]
        if values:
            means.append(CriterionMean(criterion, to_decimal(Fraction(sum(values), len(values)))))
    if not fractions:
        return Score(len(reviews), None, None, (), tuple(means), dict(recommendations), False)
    mean = sum(fractions, Fraction(0)) / len(fractions)
    spread = max(fractions) - min(fractions)
    threshold = Fraction(settings().reviews.disagreement_spread)
    split = recommendations[Recommendation.DO_NOT_FUND] > 0 and (
        recommendations[Recommendation.FUND] + recommendations[Recommendation.FUND_WITH_CONDITIONS]
        > 0
    )
    return Score(
        reviews=len(reviews),
        weighted=to_decimal(mean),
        spread=to_decimal(spread),
        reviewer_scores=tuple(to_decimal(f) for f in fractions),
        criterion_means=tuple(means),
        recommendations=dict(recommendations),
        disagreement=len(fractions) > 1 and (spread >= threshold or split),
    )


@dataclass(frozen=True)
class VisibleReview:
    review: Review
    # "Reviewer A", "Reviewer B"...: peers and the Board see letters; the fund sees names.
    alias: str
    weighted: Decimal | None
    mine: bool


def visible_reviews(application: Application, actor: Any) -> list[VisibleReview] | None:
    """The submitted reviews ``actor`` may read, or None when they may read none yet.

    The fund's staff (not linked to the applicant) read them all; a reviewer reads the others
    only once their own is submitted. Applicants never read reviews.
    """
    if is_member(actor, application.organisation_id):
        return None
    reviews = submitted_reviews(application)
    criteria = list(application.call.criteria)
    mine_id = getattr(actor, "id", None)
    if not has_permission(actor, Permission.VIEW_ALL_APPLICATIONS):
        own = assignment_for(application, actor)
        if own is None or own.review is None or not own.review.is_submitted:
            return None
    result = []
    for index, review in enumerate(reviews):
        weighted = review_weighted_score(review, criteria)
        result.append(
            VisibleReview(
                review=review,
                alias=chr(ord("A") + index % 26),
                weighted=None if weighted is None else to_decimal(weighted),
                mine=review.reviewer_id == mine_id,
            )
        )
    return result
