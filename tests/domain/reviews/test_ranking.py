"""The ranking per call, the secretariat's recommendation and the Board pack."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.applications.models import ApplicationStatus
from app.applications.workflow import APPLICATION_WORKFLOW
from app.ledger import chart
from app.ledger.models import TransferCode
from app.ledger.rules import TransferSpec
from app.ledger.services.balances import account_balance
from app.ledger.services.posting import post_transfers, require_accepted
from app.notifications.models import Notification, NotificationKind
from app.platform.errors import PermissionDenied, SegregationOfDuties, ValidationFailed
from app.platform.extensions import db
from app.reviews import queries
from app.reviews import services as reviews
from app.reviews.models import PanelOutcome
from tests.factories import user_with
from tests.reviews_support import (
    a_call,
    board_member,
    cleared,
    in_review,
    link_to_organisation,
    manager,
    reviewed,
)


def give(amount: int) -> None:
    require_accepted(
        post_transfers(
            [
                TransferSpec(
                    id=uuid.uuid4(),
                    code=TransferCode.GIFT,
                    amount=amount,
                    debit_account_id=chart.account_by_key(chart.CASH_STRIPE).id,
                    credit_account_id=chart.account_by_key(chart.FUND_AVAILABLE).id,
                )
            ],
            actor=None,
        )
    )


def test_ranked_by_weighted_score_with_running_total_envelope_and_balance(storage):
    fund = manager()
    call = a_call(fund, envelope=25_000_00)
    top = reviewed(storage, (5, 5), fund_manager=fund, call=call, amount=12_000_00)
    middle = reviewed(storage, (4, 3), fund_manager=fund, call=call, amount=9_000_00)
    low = reviewed(storage, (2, 2), fund_manager=fund, call=call, amount=8_000_00)
    unscored = in_review(storage, fund_manager=fund, call=call, amount=1_000_00)
    before = account_balance(account=chart.account_by_key(chart.FUND_AVAILABLE)).available
    give(20_000_00 - before if before < 20_000_00 else 0)
    available = account_balance(account=chart.account_by_key(chart.FUND_AVAILABLE)).available

    ranking = queries.call_ranking(call)
    assert [r.application.id for r in ranking.rows] == [top.id, middle.id, low.id, unscored.id]
    assert [r.score.weighted for r in ranking.rows] == [
        Decimal("5.000"),
        Decimal("3.600"),
        Decimal("2.000"),
        None,
    ]
    assert [r.running_total for r in ranking.rows] == [
        12_000_00,
        21_000_00,
        29_000_00,
        30_000_00,
    ]
    assert [r.over_envelope for r in ranking.rows] == [False, False, True, True]
    assert ranking.available == available
    assert [r.over_available for r in ranking.rows] == [
        available < 12_000_00,
        available < 21_000_00,
        available < 29_000_00,
        available < 30_000_00,
    ]
    assert ranking.envelope == 25_000_00


def test_recommending_needs_every_review_in_and_feedback(storage):
    fund = manager()
    application = reviewed(storage, (4, 4), fund_manager=fund)
    pending = cleared(application, fund_manager=fund)
    assert APPLICATION_WORKFLOW.available_moves(application, fund) == [
        ApplicationStatus.INFO_REQUESTED
    ]
    # The page still offers the form: recording the recommendation says what is outstanding.
    assert reviews.can_prepare_recommendation(fund, application)
    assert not reviews.can_prepare_recommendation(board_member(), application)
    with pytest.raises(ValidationFailed, match="outstanding"):
        reviews.recommend(
            actor=fund, application=application, outcome=PanelOutcome.RECOMMENDED, feedback="Ok."
        )
    reviews.remove_reviewer(actor=fund, assignment=pending)
    with pytest.raises(ValidationFailed):
        reviews.recommend(actor=fund, application=application, outcome=PanelOutcome.RECOMMENDED)
    assert APPLICATION_WORKFLOW.available_moves(application, fund) == [
        ApplicationStatus.INFO_REQUESTED,
        ApplicationStatus.RECOMMENDED,
        ApplicationStatus.NOT_RECOMMENDED,
    ]
    recommendation = reviews.recommend(
        actor=fund,
        application=application,
        outcome=PanelOutcome.RECOMMENDED,
        key_risks="Border closures.",
        feedback="Strong plan.",
    )
    assert application.status == ApplicationStatus.RECOMMENDED
    assert recommendation.weighted_score == Decimal("4.000")
    # The secretariat may change its mind before the Board decides.
    reviews.recommend(
        actor=fund, application=application, outcome=PanelOutcome.NOT_RECOMMENDED, feedback="No."
    )
    assert application.status == ApplicationStatus.NOT_RECOMMENDED
    assert queries.latest_recommendation(application).feedback == "No."


def test_no_recommendation_without_a_review(storage):
    application = in_review(storage)
    with pytest.raises(ValidationFailed, match="No review"):
        reviews.recommend(
            actor=manager(),
            application=application,
            outcome=PanelOutcome.RECOMMENDED,
            feedback="x",
        )


@pytest.mark.parametrize("role", [r for r in Role if r != Role.FUND_MANAGER])
def test_only_the_fund_manager_recommends(storage, role):
    application = reviewed(storage, (4, 4))
    with pytest.raises(PermissionDenied):
        reviews.recommend(
            actor=user_with(role),
            application=application,
            outcome=PanelOutcome.RECOMMENDED,
            feedback="x",
        )


def test_a_linked_fund_manager_cannot_recommend(storage):
    application = reviewed(storage, (4, 4))
    fund = manager()
    link_to_organisation(fund, application)
    assert not reviews.can_prepare_recommendation(fund, application)
    with pytest.raises(PermissionDenied):
        reviews.recommend(
            actor=fund, application=application, outcome=PanelOutcome.RECOMMENDED, feedback="x"
        )
    with pytest.raises(SegregationOfDuties):
        APPLICATION_WORKFLOW.transition(application, ApplicationStatus.RECOMMENDED, actor=fund)


def test_the_board_pack_goes_to_every_board_member(storage):
    fund = manager()
    call = a_call(fund)
    with pytest.raises(ValidationFailed):
        reviews.send_board_pack(actor=fund, call=call)
    application = reviewed(storage, (4, 4), fund_manager=fund, call=call)
    reviews.recommend(
        actor=fund, application=application, outcome=PanelOutcome.RECOMMENDED, feedback="Good."
    )
    members = [board_member(), board_member()]
    assert [r.application.id for r in queries.board_pack_rows(call)] == [application.id]
    count = reviews.send_board_pack(actor=fund, call=call)
    assert count >= 2
    told = set(
        db.session.execute(
            select(Notification.user_id).where(
                Notification.kind == NotificationKind.BOARD_PACK_READY
            )
        ).scalars()
    )
    assert {m.id for m in members} <= told
    with pytest.raises(PermissionDenied):
        reviews.send_board_pack(actor=board_member(), call=call)
