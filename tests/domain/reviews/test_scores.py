"""Reviews against the rubric, and the scores computed from them: exact and reproducible."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.notifications.models import Notification, NotificationKind
from app.platform.errors import InvalidTransition, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.reviews import queries
from app.reviews import services as reviews
from app.reviews.models import Recommendation, ReviewStatus
from app.reviews.queries.scores import to_decimal
from app.reviews.services.scoring import ScoreInput
from tests.factories import user_with
from tests.reviews_support import (
    cleared,
    in_review,
    link_to_organisation,
    manager,
    scores,
    submit,
    three_criteria_call,
)
from tests.settings_support import change_settings


def test_a_draft_may_be_partial_but_a_submission_is_complete_and_final(storage):
    application = in_review(storage)
    assignment = cleared(application)
    expert = assignment.reviewer
    call = application.call
    draft = reviews.save_review(
        actor=expert, assignment=assignment, scores=scores(call, (4, None)), recommendation=None
    )
    assert draft.status == ReviewStatus.DRAFT
    with pytest.raises(ValidationFailed, match="Score every criterion"):
        reviews.submit_review(
            actor=expert,
            assignment=assignment,
            scores=scores(call, (4, None)),
            recommendation=Recommendation.FUND,
        )
    with pytest.raises(ValidationFailed, match="Justify"):
        reviews.submit_review(
            actor=expert,
            assignment=assignment,
            scores=scores(call, (4, 2), why=" "),
            recommendation=Recommendation.FUND,
        )
    with pytest.raises(ValidationFailed, match="recommendation"):
        reviews.submit_review(
            actor=expert, assignment=assignment, scores=scores(call, (4, 2)), recommendation=None
        )
    with pytest.raises(ValidationFailed):
        reviews.save_review(
            actor=expert, assignment=assignment, scores=scores(call, (6, 2)), recommendation=None
        )
    with pytest.raises(ValidationFailed):
        reviews.save_review(
            actor=expert,
            assignment=assignment,
            scores={999999: ScoreInput(3, "x")},
            recommendation=None,
        )
    review = submit(assignment, (4, 2), Recommendation.FUND_WITH_CONDITIONS, comments="Tight.")
    assert review.status == ReviewStatus.SUBMITTED and review.submitted_at is not None
    with pytest.raises(InvalidTransition):
        submit(assignment, (5, 5))


def test_weighted_score_and_spread_are_exact(storage):
    # Weights 60/40: (5, 2) → 3.8 and (3, 4) → 3.4; mean 3.6, spread 0.4.
    application = in_review(storage)
    submit(cleared(application), (5, 2))
    submit(cleared(application), (3, 4))
    score = queries.application_score(application)
    assert score.weighted == Decimal("3.600")
    assert score.spread == Decimal("0.400")
    assert score.reviewer_scores == (Decimal("3.800"), Decimal("3.400"))
    assert [m.mean for m in score.criterion_means] == [Decimal("4.000"), Decimal("3.000")]
    assert not score.disagreement


def test_thirds_are_rounded_once_half_up(storage):
    # Equal weights, scores (1, 1, 2) → 4/3 and (0, 0, 0) → 0: mean 2/3, spread 4/3.
    call = three_criteria_call(["1", "1", "1"])
    application = in_review(storage, call=call)
    submit(cleared(application), (1, 1, 2), Recommendation.FUND)
    submit(cleared(application), (0, 0, 0), Recommendation.FUND)
    score = queries.application_score(application)
    assert score.weighted == Decimal("0.667")
    assert score.spread == Decimal("1.333")
    assert to_decimal(Fraction(5, 2000)) == Decimal("0.003")  # 0.0025 → 0.003
    assert to_decimal(Fraction(1, 3), places=2) == Decimal("0.33")


def test_strong_disagreement_is_flagged_by_spread_or_by_opposite_recommendations(
    storage, app, monkeypatch
):
    wide = in_review(storage)
    submit(cleared(wide), (5, 5), Recommendation.FUND)
    submit(cleared(wide), (2, 3), Recommendation.FUND)  # 5.0 vs 2.4: spread 2.6
    assert queries.application_score(wide).disagreement

    split = in_review(storage)
    submit(cleared(split), (3, 3), Recommendation.FUND)
    submit(cleared(split), (3, 3), Recommendation.DO_NOT_FUND)
    assert queries.application_score(split).spread == Decimal("0.000")
    assert queries.application_score(split).disagreement

    close = in_review(storage)
    submit(cleared(close), (4, 4), Recommendation.FUND)
    submit(cleared(close), (3, 4), Recommendation.FUND_WITH_CONDITIONS)  # spread 0.6
    assert not queries.application_score(close).disagreement
    change_settings(monkeypatch, app, "reviews", disagreement_spread=Decimal("0.5"))
    assert queries.application_score(close).disagreement


def test_other_reviews_are_visible_only_after_submitting_ones_own(storage):
    application = in_review(storage)
    first, second = cleared(application), cleared(application)
    submit(first, (4, 4))
    assert queries.visible_reviews(application, second.reviewer) is None
    seen = queries.visible_reviews(application, first.reviewer)
    assert [v.mine for v in seen] == [True]
    submit(second, (2, 2))
    seen = queries.visible_reviews(application, second.reviewer)
    assert [v.alias for v in seen] == ["A", "B"] and [v.mine for v in seen] == [False, True]
    assert len(queries.visible_reviews(application, manager())) == 2
    applicant = application.organisation.memberships[0].user
    assert queries.visible_reviews(application, applicant) is None
    linked_manager = manager()
    link_to_organisation(linked_manager, application)
    assert queries.visible_reviews(application, linked_manager) is None


def test_the_fund_manager_is_told_when_every_review_is_in(storage):
    fund = manager()
    application = in_review(storage, fund_manager=fund)
    first, second = cleared(application, fund_manager=fund), cleared(application, fund_manager=fund)

    def told() -> int:
        return len(
            db.session.execute(
                select(Notification).where(
                    Notification.user_id == fund.id,
                    Notification.kind == NotificationKind.REVIEWS_COMPLETE,
                )
            ).all()
        )

    submit(first, (3, 3))
    assert told() == 0
    submit(second, (3, 3))
    assert told() == 1


def test_only_the_assigned_reviewer_writes_the_review(storage):
    application = in_review(storage)
    assignment = cleared(application)
    for outsider in (user_with(Role.REVIEWER), manager(), user_with(Role.BOARD)):
        with pytest.raises(PermissionDenied):
            reviews.save_review(
                actor=outsider,
                assignment=assignment,
                scores=scores(application.call, (3, 3)),
                recommendation=None,
            )
