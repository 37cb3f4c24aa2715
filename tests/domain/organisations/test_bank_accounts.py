"""Bank details: validated, confirmed by a second person of the fund, kept with their history,
and no payment step while the grantee's account is missing, held or changing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.grants import services as grants
from app.grants.models import TrancheStatus
from app.organisations.models import BankAccount
from app.organisations.services import bank_accounts as bank
from app.organisations.services import destinations as payees
from app.platform.db import utcnow
from app.platform.errors import Conflict, PermissionDenied, SegregationOfDuties, ValidationFailed
from app.platform.extensions import db
from tests.applications_support import ngo_organisation
from tests.bank_support import confirmed_account, german_details, proposer_of
from tests.factories import user_with
from tests.grants_support import USD, activate, approved_application, award, fund, manager, officers


def _problems(**changes: str) -> dict[str, str]:
    return {
        name: problem.message
        for name, problem in bank.bank_details_problems(german_details(**changes)).items()
    }


def test_valid_details_pass_and_each_mistake_is_named_at_its_field():
    assert _problems() == {}
    wrong_checksum = "DE89 3704 0044 0532 0130 01"
    assert "not a valid IBAN" in _problems(iban=wrong_checksum)["iban"]
    assert "not a valid SWIFT/BIC" in _problems(bic="COBA1EFF")["bic"]
    # The IBAN, the BIC and the country must agree.
    assert "in FR, not DE" in _problems(bic="BNPAFRPPXXX")["bic"]
    assert "in DE, not FR" in _problems(country="FR", bic="BNPAFRPPXXX")["iban"]
    assert "IBAN, or the account number" in _problems(iban="")["iban"]
    assert "not both" in _problems(account_number="12345")["account_number"]
    # A country without IBANs: the account number and the bank's BIC.
    assert _problems(iban="", account_number="1012345678", bic="ZEIBNGLAXXX", country="NG") == {}


def test_a_proposal_waits_for_a_second_person_of_the_fund():
    organisation = ngo_organisation()
    owner = proposer_of(organisation)
    account = bank.propose_bank_account(
        actor=owner, organisation=organisation, details=german_details(number=4242)
    )
    assert account.is_pending and account.iban and " " not in account.iban
    assert bank.mask_account(account) == f"DE{account.iban[2:4]} •••• •••• {account.iban[-4:]}"
    assert bank.current_bank_account(organisation.id) is None

    # The organisation cannot confirm its own change, nor can finance or an outsider.
    for outsider in (owner, user_with(Role.FINANCE), user_with(Role.APPLICANT)):
        with pytest.raises(PermissionDenied):
            bank.confirm_bank_account(actor=outsider, account=account)
    # A fund manager who proposed it cannot confirm it either: another colleague must.
    fm = manager()
    second = ngo_organisation(name="Second NGO", registration_number="RC-2")
    own = bank.propose_bank_account(actor=fm, organisation=second, details=german_details())
    with pytest.raises(SegregationOfDuties):
        bank.confirm_bank_account(actor=fm, account=own)

    confirmed = bank.confirm_bank_account(actor=fm, account=account)
    assert confirmed.confirmed_by_id == fm.id
    assert confirmed.active_from == confirmed.confirmed_at + timedelta(days=10)
    with pytest.raises(Conflict):
        bank.confirm_bank_account(actor=manager(), account=account)
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.subject_type == "bank_accounts")
    ).all()
    assert sorted(actions) == [
        "bank_account.confirmed",
        "bank_account.proposed",
        "bank_account.proposed",
    ]


def test_the_database_refuses_a_proposer_confirming_even_behind_the_rules():
    organisation = ngo_organisation()
    account = bank.propose_bank_account(
        actor=proposer_of(organisation), organisation=organisation, details=german_details()
    )
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.update(BankAccount)
            .where(BankAccount.id == account.id)
            .values(confirmed_by_id=account.proposed_by_id, confirmed_at=utcnow())
        )


def test_a_second_change_waits_and_a_confirmed_change_keeps_the_history():
    organisation = ngo_organisation()
    first = confirmed_account(organisation)
    new = bank.propose_bank_account(
        actor=proposer_of(organisation), organisation=organisation, details=german_details()
    )
    with pytest.raises(Conflict, match="already waiting"):
        bank.propose_bank_account(
            actor=proposer_of(organisation), organisation=organisation, details=german_details()
        )
    bank.reject_bank_account(actor=manager(), account=new, reason="Not the organisation's bank.")
    assert bank.current_bank_account(organisation.id) == first
    newer = bank.propose_bank_account(
        actor=proposer_of(organisation), organisation=organisation, details=german_details()
    )
    bank.confirm_bank_account(actor=manager(), account=newer)
    assert bank.current_bank_account(organisation.id) == newer
    history = bank.bank_account_history(organisation.id)
    assert [row.id for row in history] == [newer.id, new.id, first.id]
    assert first.superseded_at == newer.confirmed_at and first.iban  # kept, not rewritten
    assert new.rejection_reason == "Not the organisation's bank."


def test_an_account_used_by_two_organisations_is_flagged_on_both():
    one = ngo_organisation(name="One", registration_number="R-1")
    two = ngo_organisation(name="Two", registration_number="R-2")
    confirmed_account(one, details=german_details(number=777))
    bank.propose_bank_account(
        actor=proposer_of(two), organisation=two, details=german_details(number=777)
    )
    found = payees.destinations([one.id, two.id])
    assert found[one.id].shared_with == ["Two"]
    assert found[two.id].shared_with == ["One"]


def _requested_tranche():
    fund(50_000 * USD)
    fm = manager()
    grant = activate(award(approved_application(amount=10_000 * USD), fm), fm)
    people = officers()
    tranche = grant.tranches[0]
    return grant, tranche, people


def test_no_payment_step_without_a_confirmed_account_past_its_hold():
    grant, tranche, people = _requested_tranche()
    organisation = grant.organisation
    grants.request_disbursement(actor=people.maker, tranche=tranche)

    # A change proposed: nothing moves until it is decided.
    change = bank.propose_bank_account(
        actor=proposer_of(organisation), organisation=organisation, details=german_details()
    )
    with pytest.raises(Conflict, match="waiting for confirmation"):
        grants.approve_disbursement(actor=people.checker, tranche=tranche)

    # Confirmed: payments wait for the hold.
    bank.confirm_bank_account(actor=manager(), account=change)
    with pytest.raises(Conflict, match="payments are held until"):
        grants.approve_disbursement(actor=people.checker, tranche=tranche)
    destination = payees.destination(organisation.id)
    assert destination.held_until == change.active_from
    assert destination.changed_at == change.confirmed_at

    later = utcnow() + timedelta(days=11)
    grants.approve_disbursement(actor=people.checker, tranche=tranche, now=later)
    grants.send_disbursement(actor=people.maker, tranche=tranche, now=later)
    # A change proposed while the money is on its way does not stop the books from saying the
    # bank paid it: it went to the account it was approved and sent for.
    bank.propose_bank_account(
        actor=proposer_of(organisation), organisation=organisation, details=german_details()
    )
    grants.confirm_disbursement(
        actor=people.checker, tranche=tranche, bank_reference="FT-1", now=later
    )
    assert tranche.status == TrancheStatus.PAID


def test_a_grantee_without_bank_details_is_refused_a_request():
    grant, _tranche, people = _requested_tranche()
    db.session.execute(
        sa.delete(BankAccount).where(BankAccount.organisation_id == grant.organisation_id)
    )
    db.session.expire_all()
    with pytest.raises(Conflict, match="no confirmed bank account"):
        grants.request_disbursement(actor=people.maker, tranche=grant.tranches[0])


def test_the_rules_refuse_invalid_details_bypassing_the_form():
    organisation = ngo_organisation()
    with pytest.raises(ValidationFailed, match="not a valid IBAN"):
        bank.propose_bank_account(
            actor=proposer_of(organisation),
            organisation=organisation,
            details=german_details(iban="DE00 0000"),
        )
