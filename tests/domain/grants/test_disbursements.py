"""Tranche disbursements: maker and checker, the pending transfer, paid or failed, report gating,
and payments that can never exceed the grant."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.grants import services as grants
from app.grants.models import ReportKind, Tranche, TrancheStatus
from app.ledger import chart
from app.ledger.models import TransferCode, TransferKind
from app.ledger.services.transfers import transfers_for_document
from app.platform.errors import Conflict, InvalidTransition, SegregationOfDuties, ValidationFailed
from app.platform.extensions import db
from tests.grants_support import (
    USD,
    active_grant,
    balance,
    complete_report,
    days_ago,
    fund,
    grant_balance,
    manager,
    officers,
    pay,
    report_of,
)


@pytest.fixture
def grant():
    fund(100_000 * USD)
    return active_grant(amount=10_000 * USD)  # low risk: 6,000 then 4,000


def test_a_tranche_goes_from_request_to_payment_with_two_people(grant):
    people = officers()
    first = grant.tranches[0]
    bank_before = balance(chart.CASH_BANK).posted
    grants.request_disbursement(actor=people.maker, tranche=first)
    assert first.status == TrancheStatus.REQUESTED
    grants.approve_disbursement(actor=people.checker, tranche=first)
    assert first.status == TrancheStatus.APPROVED
    grants.send_disbursement(actor=people.maker, tranche=first)
    assert first.status == TrancheStatus.SENT
    # Pending on the ledger: reserved on the grant's account, not yet posted.
    assert grant_balance(grant).posted == 11_300 * USD
    assert grant_balance(grant).available == 11_300 * USD - 6_000 * USD
    grants.confirm_disbursement(actor=people.checker, tranche=first, bank_reference="FT-0001")
    assert first.status == TrancheStatus.PAID
    assert first.bank_reference == "FT-0001"
    assert first.psc_amount == 780 * USD
    assert grant_balance(grant).posted == 11_300 * USD - 6_000 * USD - 780 * USD
    assert grant_balance(grant).pending == 0
    assert balance(chart.CASH_BANK).posted == bank_before - 6_000 * USD
    transfers = transfers_for_document(document_type="tranche", document_id=first.id)
    assert [(t.kind, t.code) for t in transfers] == [
        (TransferKind.PENDING, TransferCode.DISBURSEMENT),
        (TransferKind.POST_PENDING, TransferCode.DISBURSEMENT),
        (TransferKind.SINGLE, TransferCode.PSC),
    ]


def test_the_maker_can_never_approve_their_own_request(grant):
    people = officers()
    first = grant.tranches[0]
    grants.request_disbursement(actor=people.maker, tranche=first)
    with pytest.raises(SegregationOfDuties, match="another finance officer"):
        grants.approve_disbursement(actor=people.maker, tranche=first)
    db.session.expire_all()
    assert db.session.get(Tranche, first.id).status == TrancheStatus.REQUESTED


def test_the_database_refuses_a_checker_who_is_the_maker(grant):
    people = officers()
    first = grant.tranches[0]
    grants.request_disbursement(actor=people.maker, tranche=first)
    with pytest.raises(sa.exc.IntegrityError) as refused, db.session.begin_nested():
        db.session.execute(
            sa.update(Tranche)
            .where(Tranche.id == first.id)
            .values(approved_by_id=people.maker.id, status=TrancheStatus.APPROVED)
        )
    assert "checker_is_not_maker" in str(refused.value)


def test_a_grantee_staff_member_cannot_act_on_its_tranches(grant):
    from tests.grants_support import signatory

    with pytest.raises(Exception, match="permission"):
        grants.request_disbursement(actor=signatory(grant), tranche=grant.tranches[0])


def test_a_tranche_is_sent_once_however_often_it_is_asked(grant):
    people = officers()
    first = grant.tranches[0]
    grants.request_disbursement(actor=people.maker, tranche=first)
    grants.approve_disbursement(actor=people.checker, tranche=first)
    grants.send_disbursement(actor=people.maker, tranche=first)
    with pytest.raises(InvalidTransition):
        grants.send_disbursement(actor=people.checker, tranche=first)
    sent = [
        t
        for t in transfers_for_document(document_type="tranche", document_id=first.id)
        if t.kind == TransferKind.PENDING
    ]
    assert len(sent) == 1


def test_a_failed_payment_is_voided_and_can_be_requested_again(grant):
    people = officers()
    first = grant.tranches[0]
    grants.request_disbursement(actor=people.maker, tranche=first)
    grants.approve_disbursement(actor=people.checker, tranche=first)
    grants.send_disbursement(actor=people.maker, tranche=first)
    grants.record_disbursement_failure(
        actor=people.checker, tranche=first, reason="Account number mismatch"
    )
    assert first.status == TrancheStatus.FAILED
    assert grant_balance(grant).available == 11_300 * USD  # nothing reserved any more
    with pytest.raises(ValidationFailed, match="reason"):
        grants.record_disbursement_failure(actor=people.checker, tranche=first, reason=" ")
    pay(first, people, "FT-RETRY")
    assert first.attempt == 2
    assert first.status == TrancheStatus.PAID
    kinds = [t.kind for t in transfers_for_document(document_type="tranche", document_id=first.id)]
    assert kinds == [
        TransferKind.PENDING,
        TransferKind.VOID_PENDING,
        TransferKind.PENDING,
        TransferKind.POST_PENDING,
        TransferKind.SINGLE,
    ]
    assert grant_balance(grant).posted == 11_300 * USD - 6_000 * USD - 780 * USD


def test_a_later_tranche_waits_for_the_report_due_before_it(grant):
    people = officers()
    pay(grant.tranches[0], people)
    second = grant.tranches[1]
    with pytest.raises(ValidationFailed) as refused:
        grants.request_disbursement(actor=people.maker, tranche=second)
    assert "Progress report 1" in refused.value.message
    assert "must be accepted before tranche 2" in refused.value.message
    complete_report(report_of(grant, ReportKind.PROGRESS))
    grants.request_disbursement(actor=people.maker, tranche=second)
    assert second.status == TrancheStatus.REQUESTED


def test_tranches_are_paid_in_order(grant):
    people = officers()
    complete_report(report_of(grant, ReportKind.PROGRESS))
    with pytest.raises(ValidationFailed, match="Tranche 1 must be paid"):
        grants.request_disbursement(actor=people.maker, tranche=grant.tranches[1])


def test_an_overdue_report_blocks_the_next_tranche(grant):
    people = officers()
    final = report_of(grant, ReportKind.FINAL)
    final.due_date = days_ago(3)
    db.session.flush()
    with pytest.raises(ValidationFailed, match="Final narrative report is overdue"):
        grants.request_disbursement(actor=people.maker, tranche=grant.tranches[0])


def test_no_tranche_moves_while_the_grant_is_suspended(grant):
    people = officers()
    fm = manager()
    grants.suspend_grant(actor=fm, grant=grant, reason="Audit findings under review")
    with pytest.raises(InvalidTransition, match="suspended"):
        grants.request_disbursement(actor=people.maker, tranche=grant.tranches[0])
    grants.resume_grant(actor=fm, grant=grant)
    grants.request_disbursement(actor=people.maker, tranche=grant.tranches[0])


def test_a_tranche_can_be_cancelled_before_it_is_sent(grant):
    people = officers()
    first = grant.tranches[0]
    grants.request_disbursement(actor=people.maker, tranche=first)
    grants.cancel_tranche(actor=people.checker, tranche=first, reason="Bank details changed")
    assert first.status == TrancheStatus.CANCELLED
    assert transfers_for_document(document_type="tranche", document_id=first.id) == []


def test_payments_can_never_exceed_the_grant(grant):
    people = officers()
    complete_report(report_of(grant, ReportKind.PROGRESS))
    first, second = grant.tranches
    pay(first, people)
    # Someone edits the second tranche's amount behind the application's back.
    db.session.execute(sa.update(Tranche).where(Tranche.id == second.id).values(amount=5_000 * USD))
    db.session.expire_all()
    grants.request_disbursement(actor=people.maker, tranche=second)
    grants.approve_disbursement(actor=people.checker, tranche=second)
    with pytest.raises(Conflict, match="more than the grant"):
        grants.send_disbursement(actor=people.maker, tranche=second)
    db.session.expire_all()
    assert second.status == TrancheStatus.APPROVED
    assert grant_balance(grant).pending == 0
