"""What a visitor and a donor are offered next, what the public never sees, and how finance sees
card attempts that never finished."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import render_template
from sqlalchemy import select

from app.accounts.models import Role
from app.donations.memory_gateway import MemoryGateway
from app.donations.models import Gift, GiftStatus
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.donations_support import deliver, enable_stripe, start_and_confirm
from tests.factories import user_with


@pytest.fixture
def gateway(app, monkeypatch):
    return enable_stripe(app, monkeypatch, MemoryGateway())


def test_a_visitor_can_give_from_the_home_page_in_one_click(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/give"' in page


def test_the_home_page_leads_to_the_donors_and_the_calls(client):
    # A donor looking for their name, or an NGO for a call, found neither from the home page
    # (fresh-eyes finding): each column now links its public list.
    page = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    donors = page.split('<h2 class="h5">Donateurs</h2>')[1].split("</div>")[0]
    assert '<a href="/donors">Qui soutient le Fonds</a>' in donors
    assert '<a href="/calls/">Appels à propositions</a>' in page


def test_unset_bank_details_are_never_shown_to_the_public(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "DONATION_BANK_DETAILS", "")
    page = client.get("/give").get_data(as_text=True)
    assert "DONATION_BANK_DETAILS" not in page and "Give by bank transfer" not in page
    monkeypatch.setitem(app.config, "DONATION_BANK_DETAILS", "Trust fund account\nIBAN XX00 1234")
    page = client.get("/give").get_data(as_text=True)
    assert "Give by bank transfer" in page and "Trust fund account<br>IBAN XX00 1234" in page


def test_a_guest_is_thanked_with_a_next_step_and_not_sent_to_an_account(client, gateway):
    gift = start_and_confirm(gateway)
    deliver(
        client,
        gateway.event("payment_intent.succeeded", gateway.get(gift.stripe_payment_intent_id)),
    )
    page = client.get(f"/give/{gift.public_token}/thanks").get_data(as_text=True)
    assert "We received your gift of" in page
    assert "What next" in page and "/transparency" in page
    assert "/my/giving" not in page


@pytest.mark.parametrize("has_account", [False, True])
def test_a_monthly_gift_is_stopped_from_the_account_only_by_those_who_have_one(
    app, client, gateway, has_account
):
    gift = start_and_confirm(gateway)
    with app.test_request_context():
        page = render_template(
            "donations/thanks.html",
            record=gift,
            gift=gift,
            subscription=object(),
            failed=False,
            receipt=None,
            receipt_url=None,
            failure=None,
            has_account=has_account,
        )
    assert "has a link to stop it" in page
    assert ("your account" in page) is has_account


def test_finance_sees_card_attempts_that_never_finished_as_abandoned(app, client, gateway, sign_in):
    old = start_and_confirm(gateway, name="Old", email="old@example.org")
    fresh = start_and_confirm(gateway, name="Fresh", email="fresh@example.org")
    old.created_at = utcnow() - timedelta(hours=app.config["DONATION_ABANDONED_AFTER_HOURS"] + 25)
    db.session.flush()
    assert {g.status for g in db.session.execute(select(Gift)).scalars()} == {GiftStatus.PENDING}
    sign_in(user_with(Role.FINANCE))
    page = client.get("/donations/contributions").get_data(as_text=True)
    # The table's row of each (the donor filter above the table names them too).
    rows = {name: page.rsplit(name, 1)[1].split("</tr>")[0] for name in ("Old", "Fresh")}
    assert "Abandoned" in rows["Old"] and "Processing" not in rows["Old"]
    assert "Processing" in rows["Fresh"]
    assert fresh.status == GiftStatus.PENDING  # nothing was changed: display only
