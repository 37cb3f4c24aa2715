"""A tranche is approved for one bank account: a change of the grantee's account after the
approval stops the payment until a checker, not the maker, approves the new destination."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.grants import services as grants
from app.grants.models import Grant, Tranche, TrancheStatus
from app.grants.workflow import TRANCHE_WORKFLOW
from app.ledger.models import TransferKind
from app.ledger.services.transfers import transfers_for_document
from app.organisations.models import BankAccount
from app.organisations.services import bank_accounts as bank
from app.platform.db import utcnow
from app.platform.errors import Conflict, InvalidTransition, SegregationOfDuties
from app.platform.extensions import db
from tests.bank_support import german_details, proposer_of
from tests.grants_support import (
    USD,
    Officers,
    activate,
    approved_application,
    award,
    fund,
    manager,
    officers,
)


def _approved() -> tuple[Grant, Tranche, Officers, BankAccount]:
    fund(50_000 * USD)
    fm = manager()
    grant = activate(award(approved_application(amount=10_000 * USD), fm), fm)
    people = officers()
    tranche = grant.tranches[0]
    grants.request_disbursement(actor=people.maker, tranche=tranche)
    grants.approve_disbursement(actor=people.checker, tranche=tranche)
    account = bank.current_bank_account(grant.organisation_id)
    assert account is not None and tranche.approved_account_id == account.id
    return grant, tranche, people, account


def _change_account(grant: Grant) -> BankAccount:
    """The grantee's new account, proposed and confirmed now (held for ten days)."""
    change = bank.propose_bank_account(
        actor=proposer_of(grant.organisation),
        organisation=grant.organisation,
        details=german_details(),
    )
    return bank.confirm_bank_account(actor=manager(), account=change)


def test_a_change_of_account_after_the_approval_stops_the_payment_until_approved_again():
    grant, tranche, people, old = _approved()
    new = _change_account(grant)
    later = utcnow() + timedelta(days=11)  # the new account's hold is over

    with pytest.raises(Conflict, match="approved for another bank account") as refused:
        grants.send_disbursement(actor=people.maker, tranche=tranche, now=later)
    assert "must approve it again" in refused.value.message
    assert tranche.status == TrancheStatus.APPROVED
    assert transfers_for_document(document_type="tranche", document_id=tranche.id) == []
    # The page offers the checker "Approve" again and nobody "Send".
    assert (
        TRANCHE_WORKFLOW.available_moves(tranche, people.checker, among=[TrancheStatus.SENT]) == []
    )
    assert TrancheStatus.APPROVED in TRANCHE_WORKFLOW.available_moves(tranche, people.checker)
    assert TrancheStatus.APPROVED not in TRANCHE_WORKFLOW.available_moves(tranche, people.maker)

    # The maker may not approve the new destination; a checker does.
    with pytest.raises(SegregationOfDuties):
        grants.approve_disbursement(actor=people.maker, tranche=tranche, now=later)
    grants.approve_disbursement(actor=people.checker, tranche=tranche, now=later)
    assert tranche.approved_account_id == new.id != old.id
    audited = db.session.scalars(
        sa.select(AuditEvent)
        .where(
            AuditEvent.subject_type == "grant_tranches",
            AuditEvent.subject_id == str(tranche.id),
            AuditEvent.action == "tranche.approved",
        )
        .order_by(AuditEvent.id)
    ).all()
    assert len(audited) == 2
    assert "bank account changed" in audited[-1].summary
    assert audited[-1].changes["approved_account_id"] == [old.id, new.id]

    # Approved once for this account: not again.
    with pytest.raises(InvalidTransition, match="already approved"):
        grants.approve_disbursement(actor=people.checker, tranche=tranche, now=later)

    grants.send_disbursement(actor=people.maker, tranche=tranche, now=later)
    grants.confirm_disbursement(
        actor=people.checker, tranche=tranche, bank_reference="FT-9", now=later
    )
    assert tranche.status == TrancheStatus.PAID
    # The money posted once: one pending transfer, posted once.
    kinds = [
        t.kind for t in transfers_for_document(document_type="tranche", document_id=tranche.id)
    ]
    assert kinds.count(TransferKind.PENDING) == 1
    assert kinds.count(TransferKind.POST_PENDING) == 1


def test_a_payment_sent_before_a_change_of_account_is_recorded_paid_where_it_went():
    grant, tranche, people, old = _approved()
    grants.send_disbursement(actor=people.maker, tranche=tranche)
    new = _change_account(grant)
    # The bank confirms the transfer sent to the approved account: the books say so, even
    # while the new account is in its hold, and the tranche still names where the money went.
    grants.confirm_disbursement(actor=people.checker, tranche=tranche, bank_reference="FT-1")
    assert tranche.status == TrancheStatus.PAID
    assert tranche.approved_account_id == old.id != new.id
    kinds = [
        t.kind for t in transfers_for_document(document_type="tranche", document_id=tranche.id)
    ]
    assert kinds.count(TransferKind.POST_PENDING) == 1


def test_an_unchanged_account_needs_no_second_approval():
    _grant, tranche, people, _account = _approved()
    assert TrancheStatus.APPROVED not in TRANCHE_WORKFLOW.available_moves(tranche, people.checker)
    grants.send_disbursement(actor=people.maker, tranche=tranche)
    assert tranche.status == TrancheStatus.SENT
