"""The due-diligence queue shows the fund manager, beside the possible sanctions matches, the
bank details to watch: changes waiting, accounts in their hold, one account used by two
organisations; the screening checklist shows the match and the account on record."""

from __future__ import annotations

from app.accounts.models import Role
from app.applications.models import OrganisationProfile
from app.organisations.services import bank_accounts as bank
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.storage import get_storage
from tests.applications_support import ngo_organisation
from tests.bank_support import confirmed_account, german_details, proposer_of
from tests.factories import user_with
from tests.reviews_support import manager, submitted_application
from tests.screening_support import import_test_list


def test_the_queue_lists_changes_waiting_accounts_in_their_hold_and_shared_accounts(
    client, sign_in
):
    waiting = ngo_organisation(name="Waiting Org")
    bank.propose_bank_account(
        actor=proposer_of(waiting), organisation=waiting, details=german_details(number=4401)
    )
    held = ngo_organisation(name="Held Org")
    confirmed_account(held, details=german_details(number=4402), confirmed_at=utcnow())
    one = ngo_organisation(name="First Sharer")
    two = ngo_organisation(name="Second Sharer")
    confirmed_account(one, details=german_details(number=4403))
    confirmed_account(two, details=german_details(number=4403))
    quiet = ngo_organisation(name="Quiet Org")
    confirmed_account(quiet, details=german_details(number=4404))
    db.session.commit()

    sign_in(user_with(Role.FUND_MANAGER))
    page = client.get("/screening/").get_data(as_text=True)

    pending = page.split('id="bank-pending-heading"')[1].split('id="bank-held-heading"')[0]
    held_part = page.split('id="bank-held-heading"')[1].split('id="bank-shared-heading"')[0]
    shared = page.split('id="bank-shared-heading"')[1]
    assert "Waiting Org" in pending and "Held Org" not in pending
    assert "Held Org" in held_part and "Quiet Org" not in held_part
    assert "First Sharer" in shared and "Second Sharer" in shared and "Quiet Org" not in shared
    assert "••••" in shared


def test_other_roles_do_not_see_the_queue(client, sign_in):
    sign_in(user_with(Role.FINANCE))
    assert client.get("/screening/").status_code == 403


def test_the_screening_checklist_shows_the_match_and_the_account_on_record(client, sign_in):
    import_test_list()
    application = submitted_application(get_storage())
    organisation = application.organisation
    confirmed_account(organisation, details=german_details(number=4405))
    sharer = ngo_organisation(name="Other Name Same Account")
    confirmed_account(sharer, details=german_details(number=4405))
    db.session.commit()
    sign_in(manager())
    url = f"/reviews/applications/{application.id}/screen"

    page = client.get(url).get_data(as_text=True)
    assert "No open or confirmed match on the UN sanctions list" in page
    assert "Account on record: DE" in page
    assert "Same account as: Other Name Same Account" in page

    # A listed director named in the file: the check is not met, with the way to the match.
    profile = db.session.get(OrganisationProfile, organisation.id)
    assert profile is not None
    profile.director_name = "Sokolov Ivan Petrovich"
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    item = page.split("No open or confirmed match on the UN sanctions list")[0][-400:]
    assert "not met" in item
    assert "/screening/hits/" in page


def test_the_organisation_and_application_pages_say_what_holds_the_organisation(client, sign_in):
    import_test_list()
    application = submitted_application(get_storage())
    organisation = application.organisation
    profile = db.session.get(OrganisationProfile, organisation.id)
    assert profile is not None
    profile.director_name = "Sokolov Ivan Petrovich"
    account = bank.propose_bank_account(
        actor=proposer_of(organisation), organisation=organisation, details=german_details()
    )
    db.session.commit()
    assert account.is_pending

    sign_in(manager())
    for url in (f"/organisations/{organisation.id}", f"/applications/{application.id}"):
        page = client.get(url).get_data(as_text=True)
        hold = page.split('id="due-diligence-hold"')[1].split("</div>")[0]
        assert "KPi.902" in hold and "Director" in hold and "/screening/hits/" in hold, url
        bank_note = page.split('id="due-diligence-bank"')[1].split("</div>")[0]
        assert "waiting for confirmation" in bank_note, url

    # The organisation's own people are not shown the fund's due-diligence notes.
    sign_in(proposer_of(organisation))
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert 'id="due-diligence-hold"' not in page and "KPi.902" not in page
