"""The tranche moves the workflow offers a person now: what the grant page's buttons come from."""

import pytest

from app.grants import services as grants
from app.grants.models import GrantStatus, TrancheStatus
from app.grants.workflow import TRANCHE_WORKFLOW
from tests.grants_support import USD, active_grant, fund, manager, officers, signatory


@pytest.fixture(autouse=True)
def funded():
    fund(500_000 * USD)


def test_finance_may_request_or_cancel_a_scheduled_tranche_and_the_grantee_nothing():
    people = officers()
    grant = active_grant(amount=30_000 * USD)
    first = grant.tranches[0]
    assert TRANCHE_WORKFLOW.available_moves(first, people.maker) == [
        TrancheStatus.REQUESTED,
        TrancheStatus.CANCELLED,
    ]
    assert TRANCHE_WORKFLOW.available_moves(first, signatory(grant)) == []


def test_the_maker_is_not_offered_the_approval_of_their_own_request():
    people = officers()
    grant = active_grant(amount=30_000 * USD)
    first = grant.tranches[0]
    grants.request_disbursement(actor=people.maker, tranche=first)
    assert TrancheStatus.APPROVED not in TRANCHE_WORKFLOW.available_moves(first, people.maker)
    assert TrancheStatus.APPROVED in TRANCHE_WORKFLOW.available_moves(first, people.checker)


def test_a_suspended_grant_offers_only_the_bank_answer_and_cancelling():
    people = officers()
    grant = active_grant(amount=30_000 * USD)
    first, second = grant.tranches[0], grant.tranches[1]
    grants.request_disbursement(actor=people.maker, tranche=first)
    grants.approve_disbursement(actor=people.checker, tranche=first)
    grants.send_disbursement(actor=people.maker, tranche=first)
    grants.suspend_grant(actor=manager(), grant=grant, reason="Audit findings.")
    assert TRANCHE_WORKFLOW.available_moves(first, people.checker) == [
        TrancheStatus.PAID,
        TrancheStatus.FAILED,
    ]
    assert TRANCHE_WORKFLOW.available_moves(second, people.maker) == [TrancheStatus.CANCELLED]


def test_no_tranche_is_offered_a_move_once_closure_starts():
    people = officers()
    grant = active_grant(amount=30_000 * USD)
    grant.status = GrantStatus.CLOSING
    assert TRANCHE_WORKFLOW.available_moves(grant.tranches[0], people.maker) == []
