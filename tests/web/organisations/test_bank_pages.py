"""Bank details in the browser: the NGO proposes (mistakes said at their fields), a second
person of the fund confirms or rejects, the checker sees the masked destination on the tranche
and in the queue, and each role reaches only what it may."""

from __future__ import annotations

import re

import pytest

from app.accounts.models import Role
from app.grants import services as grants
from app.organisations.services import bank_accounts as bank
from tests.applications_support import ngo_organisation
from tests.bank_support import confirmed_account, german_details, proposer_of
from tests.factories import user_with
from tests.grants_support import (
    USD,
    activate,
    approved_application,
    award,
    fund,
    manager,
    officers,
)


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).replace("&#39;", "'")
    return re.sub(r"\s+", " ", body)


def _form(details: bank.BankDetails) -> dict[str, str]:
    return {
        "holder_name": details.holder_name,
        "country": details.country,
        "iban": details.iban,
        "account_number": details.account_number,
        "bic": details.bic,
        "bank_name": details.bank_name,
    }


def test_the_ngo_proposes_and_sees_each_mistake_next_to_its_field(client, sign_in):
    organisation = ngo_organisation()
    sign_in(proposer_of(organisation))
    url = f"/organisations/{organisation.id}/bank-account"
    assert client.get(url).status_code == 200
    wrong = _form(german_details(iban="DE89 3704 0044 0532 0130 01", bic="BNPAFRPPXXX"))
    response = client.post(url, data=wrong)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="iban-error"[^>]*>[^<]*is not a valid IBAN', page) or (
        "is not a valid IBAN" in page
    )
    assert "This SWIFT/BIC code is of a bank in FR, not DE." in text(response)
    assert bank.pending_bank_account(organisation.id) is None

    details = german_details(number=31337)
    response = client.post(url, data=_form(details), follow_redirects=True)
    assert "A second person of the fund must confirm them" in text(response)
    pending = bank.pending_bank_account(organisation.id)
    assert pending is not None
    # The organisation sees what it typed, waiting; it has no confirm button.
    assert "Change waiting for confirmation" in text(response)
    assert "Confirm the bank details" not in text(response)


def test_the_fund_confirms_and_the_organisation_page_shows_the_masked_account(client, sign_in):
    organisation = ngo_organisation()
    account = bank.propose_bank_account(
        actor=proposer_of(organisation), organisation=organisation, details=german_details()
    )
    fm = manager()
    sign_in(fm)
    page = client.get(f"/organisations/{organisation.id}")
    assert "Confirm the bank details" in text(page)
    response = client.post(
        f"/organisations/bank-accounts/{account.id}/confirm", follow_redirects=True
    )
    assert response.status_code == 200
    assert "Payments to Safe Haven are held until" in text(response)
    assert bank.mask_account(account) in text(response)
    assert "History of the bank details" in text(response)


def test_the_proposer_in_the_fund_cannot_confirm_their_own_change(client, sign_in):
    organisation = ngo_organisation()
    fm = manager()
    account = bank.propose_bank_account(
        actor=fm, organisation=organisation, details=german_details()
    )
    sign_in(fm)
    response = client.post(f"/organisations/bank-accounts/{account.id}/confirm")
    assert response.status_code == 403
    assert bank.pending_bank_account(organisation.id) is not None


def test_a_rejection_needs_a_reason_and_keeps_the_current_account(client, sign_in):
    organisation = ngo_organisation()
    first = confirmed_account(organisation)
    change = bank.propose_bank_account(
        actor=proposer_of(organisation), organisation=organisation, details=german_details()
    )
    sign_in(manager())
    url = f"/organisations/bank-accounts/{change.id}/reject"
    client.post(url, data={"reason": ""})
    assert bank.pending_bank_account(organisation.id) is not None
    client.post(url, data={"reason": "The bank letter does not match."})
    assert bank.pending_bank_account(organisation.id) is None
    assert bank.current_bank_account(organisation.id) == first


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.APPLICANT, 404),  # another organisation's file
        (Role.FINANCE, 404),  # finance does not read the due-diligence files
        (Role.REVIEWER, 404),
        (Role.DONOR, 404),
        (Role.FUND_MANAGER, 200),
    ],
)
def test_who_reaches_the_bank_form(client, sign_in, role, status):
    organisation = ngo_organisation()
    sign_in(user_with(role))
    assert client.get(f"/organisations/{organisation.id}/bank-account").status_code == status


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.FINANCE, Role.REVIEWER, Role.AUDITOR])
def test_only_the_fund_manager_confirms(client, sign_in, role):
    organisation = ngo_organisation()
    account = bank.propose_bank_account(
        actor=proposer_of(organisation), organisation=organisation, details=german_details()
    )
    sign_in(user_with(role))
    assert client.post(f"/organisations/bank-accounts/{account.id}/confirm").status_code == 403
    assert bank.pending_bank_account(organisation.id) is not None


def test_the_checker_sees_where_the_tranche_goes_and_a_shared_account(client, sign_in):
    fund(50_000 * USD)
    fm = manager()
    grant = activate(award(approved_application(amount=10_000 * USD), fm), fm)
    current = bank.current_bank_account(grant.organisation_id)
    assert current is not None
    other = ngo_organisation(name="Shadow NGO", registration_number="SH-1")
    confirmed_account(
        other, details=german_details(iban=current.iban or "", holder_name="Shadow NGO")
    )
    grants.request_disbursement(actor=officers().maker, tranche=grant.tranches[0])
    sign_in(user_with(Role.FINANCE))
    masked = bank.mask_account(current)
    queue = text(client.get("/grants/disbursements"))
    assert masked in queue and "Same account as: Shadow NGO" in queue
    tranche_page = text(client.get(f"/grants/tranches/{grant.tranches[0].id}"))
    assert masked in tranche_page
    assert "Commerzbank" in tranche_page
    assert "Same account as: Shadow NGO" in tranche_page
    # The grantee sees its own account, not who else uses it.
    sign_in(proposer_of(grant.organisation))
    own_view = text(client.get(f"/grants/tranches/{grant.tranches[0].id}"))
    assert masked in own_view and "Shadow NGO" not in own_view
