"""The fund manager's queue of changes of bank details: each waiting change with its
organisation, the new account masked, who proposed it and when; reached from the menu by those
who may confirm, refused to everyone else."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.organisations.services import bank_accounts as bank
from tests.applications_support import ngo_organisation
from tests.bank_support import confirmed_account, german_details, proposer_of
from tests.factories import user_with
from tests.web.organisations.test_bank_pages import text

URL = "/organisations/bank-changes"


def test_the_fund_manager_sees_each_waiting_change_masked_with_its_proposer(client, sign_in):
    organisation = ngo_organisation(name="Safe Haven")
    current = confirmed_account(organisation)
    proposer = proposer_of(organisation)
    change = bank.propose_bank_account(
        actor=proposer, organisation=organisation, details=german_details()
    )
    decided = ngo_organisation(name="Quiet Shelter", registration_number="RC-9")
    confirmed_account(decided)  # confirmed: not in the queue

    fm = user_with(Role.FUND_MANAGER)
    sign_in(fm)
    home = client.get("/").get_data(as_text=True)
    assert f'href="{URL}"' in home
    response = client.get(URL)
    assert response.status_code == 200
    page = text(response)
    assert "Safe Haven" in page and "Quiet Shelter" not in page
    assert change.iban is not None and current.iban is not None
    assert bank.mask_account(change) in page and bank.mask_account(current) in page
    # Masked: the whole number is never on the page.
    assert change.iban not in response.get_data(as_text=True)
    assert proposer.full_name in page
    assert f"/organisations/{organisation.id}#bank-account" in response.get_data(as_text=True)


def test_a_fund_manager_is_told_when_they_proposed_the_change_themselves(client, sign_in):
    organisation = ngo_organisation()
    fm = user_with(Role.FUND_MANAGER)
    bank.propose_bank_account(actor=fm, organisation=organisation, details=german_details())
    sign_in(fm)
    assert "You proposed it: another colleague must confirm it." in text(client.get(URL))


def test_an_empty_queue_says_so(client, sign_in):
    sign_in(user_with(Role.FUND_MANAGER))
    assert "No change of bank details is waiting." in text(client.get(URL))


@pytest.mark.parametrize(
    "role", [Role.FINANCE, Role.APPLICANT, Role.BOARD, Role.AUDITOR, Role.DONOR]
)
def test_only_those_who_may_confirm_reach_the_queue(client, sign_in, role):
    user = user_with(role)
    sign_in(user)
    assert client.get(URL).status_code == 403
    assert f'href="{URL}"' not in client.get("/").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
