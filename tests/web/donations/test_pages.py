"""The donation pages as people use them: Give, thank-you, receipts, portal, finance screens."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import MembershipRole, OrganisationKind, Role
from app.donations import payments, services
from app.donations.memory_gateway import MemoryGateway
from app.donations.models import (
    BankReceipt,
    Donor,
    DonorKind,
    ExchangeRate,
    Gift,
    GiftStatus,
    Pledge,
    PledgeStatus,
    SubscriptionStatus,
)
from app.donations.web.support import (
    GATEWAY_KEY,
    RECEIPT_LINK,
    STOP_LINK,
    receipt_token,
    sign,
)
from app.outbox.models import OutboxMessage
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.donations_support import (
    add_rate,
    assert_ledger_ok,
    deliver,
    enable_stripe,
    finance_user,
    institutional_donor,
    start_and_confirm,
)
from tests.factories import MembershipFactory, OrganisationFactory, user_with

TODAY = utcnow().date()
MONTH = TODAY.replace(day=1)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def gateway(app, monkeypatch):
    return enable_stripe(app, monkeypatch, MemoryGateway())


def _succeeded(client, gateway, **kwargs):
    gift = start_and_confirm(gateway, **kwargs)
    deliver(
        client,
        gateway.event("payment_intent.succeeded", gateway.get(gift.stripe_payment_intent_id)),
    )
    db.session.refresh(gift)
    return gift


# --- the Give page ---------------------------------------------------------------------------


def test_without_stripe_settings_the_give_page_offers_pledges_and_bank_transfer(
    app, client, monkeypatch
):
    monkeypatch.setitem(app.config, "DONATION_BANK_DETAILS", "Trust fund account")
    response = client.get("/give")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "give-form" not in page and "js.stripe.com" not in page
    assert "Give by bank transfer" in page and "Make a pledge" in page
    assert "js.stripe.com" not in response.headers["Content-Security-Policy"]


def test_with_localstripe_the_page_loads_its_script_and_only_that_page_allows_it(
    app, client, gateway, monkeypatch
):
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://localhost:8421")
    add_rate("JPY", MONTH, "150")
    response = client.get("/give")
    page = response.get_data(as_text=True)
    # Named for the page's script to fetch at the card step, not loaded with the page.
    assert 'data-stripe-js="http://localhost:8421/js.stripe.com/v3/"' in page
    assert 'src="http://localhost:8421' not in page
    assert "/static/js/give.js" in page and "<script>" not in page
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' http://localhost:8421" in csp
    assert "connect-src 'self' http://localhost:8421" in csp
    # Currencies with a rate (and the functional one) are offered; JPY presets are yen-sized.
    assert '<option value="JPY">' in page and '<option value="CHF">' not in page
    assert "3000" in page
    other = client.get("/donors")
    assert "localhost:8421" not in other.headers["Content-Security-Policy"]


def test_with_real_stripe_the_page_allows_stripe_js(client, gateway):
    response = client.get("/give")
    page = response.get_data(as_text=True)
    assert 'data-stripe-js="https://js.stripe.com/v3/"' in page
    assert 'src="https://js.stripe.com' not in page
    csp = response.headers["Content-Security-Policy"]
    assert "https://js.stripe.com" in csp and "frame-src 'self' https://js.stripe.com" in csp


def test_starting_and_confirming_a_gift_through_the_page(client, gateway):
    response = client.post(
        "/give",
        data={
            "amount": "custom",
            "custom_amount": "12.50",
            "currency": "USD",
            "frequency": "one_off",
            "name": "Lena Page",
            "email": "lena@example.org",
            "recognition": "anonymous",
        },
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    token = body["confirm_url"].split("/")[2]
    gift = db.session.execute(select(Gift).where(Gift.public_token == token)).scalar_one()
    assert (gift.amount, gift.currency, gift.status) == (12_50, "USD", GiftStatus.PENDING)
    gateway.complete_setup(gift.stripe_setup_intent_id)
    confirmed = client.post(body["confirm_url"], json={"setup_intent": gift.stripe_setup_intent_id})
    assert confirmed.get_json()["status"] == "processing"

    # The thank-you page tells the truth: processing until the webhook has recorded the gift.
    waiting = client.get(body["thanks_url"])
    assert "processing" in waiting.get_data(as_text=True) and waiting.headers["Refresh"] == "3"
    db.session.refresh(gift)
    deliver(
        client,
        gateway.event("payment_intent.succeeded", gateway.get(gift.stripe_payment_intent_id)),
    )
    done = client.get(body["thanks_url"])
    page = done.get_data(as_text=True)
    assert "We received your gift of" in page and "Refresh" not in done.headers
    assert "/receipts/r/" in page


def test_a_form_with_mistakes_answers_with_the_fields_to_fix(client, gateway):
    response = client.post("/give", data={"amount": "25", "currency": "USD", "name": ""})
    assert response.status_code == 422
    assert {"name", "email"} <= set(response.get_json()["error"]["fields"])


def test_a_declined_card_is_told_on_the_page(client, gateway):
    gift = start_and_confirm(gateway, card="pm_card_chargeCustomerFail")
    page = client.get(f"/give/{gift.public_token}/thanks").get_data(as_text=True)
    assert "did not go through" in page and "declined" in page


# --- receipts, stop links, recognition -----------------------------------------------------


def test_the_receipt_link_opens_the_printable_receipt_and_cannot_be_forged(app, client, gateway):
    gift = _succeeded(client, gateway, amount=40_00, name="Rita Receipt")
    receipt = services.receipt_for(gift=gift)
    page = client.get(f"/receipts/r/{receipt_token(receipt)}").get_data(as_text=True)
    assert receipt.reference in page and "Rita Receipt" in page and "print.js" in page
    with app.test_request_context():
        forged = sign(RECEIPT_LINK, receipt.id, "not-the-token")
    assert client.get(f"/receipts/r/{forged}").status_code == 404
    assert client.get("/receipts/r/garbage").status_code == 404


def test_an_arabic_receipt_keeps_its_number_and_dates_left_to_right(app, client, gateway):
    # In a right-to-left line "2026-000012" would read "000012-2026": codes and ISO dates are
    # isolated left to right.
    gift = _succeeded(client, gateway, amount=50_00, name="ليلى حسن")
    receipt = services.receipt_for(gift=gift)
    page = client.get(
        f"/receipts/r/{receipt_token(receipt)}", headers={"Accept-Language": "ar"}
    ).get_data(as_text=True)
    assert 'dir="rtl"' in page
    assert f'<bdi dir="ltr">{receipt.reference}</bdi>' in page
    assert f'<bdi dir="ltr">{receipt.issued_at.date().isoformat()}</bdi>' in page


def test_the_stop_link_in_a_monthly_receipt_stops_the_gift(app, client, gateway):
    subscription = start_and_confirm(gateway, monthly=True)
    with app.test_request_context():
        token = sign(STOP_LINK, subscription.id, subscription.public_token)
    assert "Stop my monthly gift" in client.get(f"/give/stop/{token}").get_data(as_text=True)
    response = client.post(f"/give/stop/{token}", follow_redirects=True)
    assert "is stopped" in response.get_data(as_text=True)
    db.session.refresh(subscription)
    assert subscription.status == SubscriptionStatus.CANCELED


def test_the_recognition_page_names_governments_and_those_who_opted_in(client, gateway):
    finance = finance_user()
    norway = institutional_donor("Kingdom of Norway")
    services.record_bank_receipt(
        actor=finance,
        value_date=TODAY,
        amount=5_000_00,
        currency="USD",
        bank_reference="NO-1",
        donor=norway,
    )
    _succeeded(client, gateway, name="Visible Victor", email="v@example.org", public=True)
    _succeeded(client, gateway, name="Hidden Hannah", email="h@example.org", public=False)
    page = client.get("/donors").get_data(as_text=True)
    assert "Kingdom of Norway" in page and "Visible Victor" in page
    assert "Hidden Hannah" not in page and "Anonymous donors" in page


# --- the donor portal and access -----------------------------------------------------------


def test_donors_see_only_their_own_gifts_and_receipts(client, gateway, sign_in):
    alice, bob = user_with(Role.DONOR), user_with(Role.DONOR)
    mine = _succeeded(client, gateway, actor=alice, name="Alice", email=alice.email)
    theirs = _succeeded(client, gateway, actor=bob, name="Bob", email=bob.email)
    sign_in(alice)
    page = client.get("/my/giving").get_data(as_text=True)
    assert f"/gifts/{mine.id}" in page and f"/gifts/{theirs.id}" not in page
    assert client.get(f"/gifts/{mine.id}").status_code == 200
    assert client.get(f"/gifts/{theirs.id}").status_code == 404
    own_receipt = services.receipt_for(gift=mine)
    other_receipt = services.receipt_for(gift=theirs)
    assert client.get(f"/receipts/{own_receipt.id}").status_code == 200
    assert client.get(f"/receipts/{other_receipt.id}").status_code == 404


def test_gifts_made_before_having_an_account_appear_once_the_address_is_confirmed(
    client, gateway, sign_in
):
    gift = _succeeded(client, gateway, email="late@example.org")
    sign_in(user_with(Role.DONOR, email="late@example.org"))
    assert f"/gifts/{gift.id}" in client.get("/my/giving").get_data(as_text=True)


def test_a_monthly_gift_cannot_be_stopped_where_card_payments_are_not_set_up(
    app, client, gateway, sign_in, monkeypatch
):
    """A copy of the data (or the demo) without Stripe's keys: a clear answer, nothing changed."""
    donor_user = user_with(Role.DONOR)
    subscription = start_and_confirm(gateway, monthly=True, actor=donor_user)
    monkeypatch.delitem(app.extensions, GATEWAY_KEY)
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", None)
    sign_in(donor_user)
    response = client.post(f"/my/giving/monthly/{subscription.id}/stop")
    assert response.status_code == 503
    assert "Card payments are not set up on this installation" in response.get_data(as_text=True)
    db.session.refresh(subscription)
    assert subscription.is_live and subscription.cancel_requested_at is None


def test_a_donor_stops_their_monthly_gift_from_the_portal(client, gateway, sign_in):
    donor_user = user_with(Role.DONOR)
    subscription = start_and_confirm(gateway, monthly=True, actor=donor_user)
    other = user_with(Role.DONOR)
    sign_in(other)
    assert client.post(f"/my/giving/monthly/{subscription.id}/stop").status_code == 404
    sign_in(donor_user)
    assert "Stop this monthly gift" in client.get("/my/giving").get_data(as_text=True)
    client.post(f"/my/giving/monthly/{subscription.id}/stop")
    db.session.refresh(subscription)
    assert subscription.status == SubscriptionStatus.CANCELED


def test_finance_only_actions_are_refused_to_others(client, sign_in):
    pledge = services.make_pledge(
        actor=finance_user(),
        donor=institutional_donor(),
        amount=1_00,
        currency="USD",
        year=TODAY.year,
    )
    for role in (Role.DONOR, Role.APPLICANT, Role.FUND_MANAGER, Role.AUDITOR, Role.ADMIN):
        sign_in(user_with(role))
        assert client.post(f"/donations/pledges/{pledge.id}/confirm").status_code == 403
        assert client.post("/donations/bank-receipts/new").status_code == 403
        assert client.post("/donations/exchange-rates", data={}).status_code == 403
    db.session.refresh(pledge)
    assert pledge.status == PledgeStatus.PLEDGED


# --- pledging --------------------------------------------------------------------------------


def test_a_member_state_pledges_online_with_its_letter(client, sign_in):
    organisation = OrganisationFactory(kind=OrganisationKind.MEMBER_STATE, name="Republic of Y")
    member = user_with(Role.DONOR)
    MembershipFactory(organisation=organisation, user=member, role=MembershipRole.OWNER)
    sign_in(member)
    form = client.get("/pledges/new").get_data(as_text=True)
    assert "Republic of Y" in form
    response = client.post(
        "/pledges/new",
        data={
            "on_behalf_of": f"org:{organisation.id}",
            "amount": "250000",
            "currency": "USD",
            "year": str(TODAY.year),
            "earmark": "children",
            "instalments": f"{TODAY} 100000\n{TODAY + timedelta(days=180)} 150000",
            "letter": (io.BytesIO(PDF), "note verbale.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    pledge = db.session.execute(select(Pledge).order_by(Pledge.id.desc())).scalars().first()
    assert pledge.donor.organisation_id == organisation.id
    assert pledge.donor.kind == DonorKind.MEMBER_STATE
    assert (pledge.amount, len(pledge.instalments), pledge.letter_filename) == (
        250_000_00,
        2,
        "note verbale.pdf",
    )
    letter = client.get(f"/pledges/{pledge.id}/letter")
    assert letter.status_code == 200 and letter.data == PDF
    page = client.get(f"/pledges/{pledge.id}").get_data(as_text=True)
    assert "<summary>Replace the letter or agreement</summary>" in page
    pledge.status = PledgeStatus.CANCELLED  # closed: its letter can no longer change
    db.session.flush()
    page = client.get(f"/pledges/{pledge.id}").get_data(as_text=True)
    assert "note verbale.pdf" in page and "multipart/form-data" not in page
    sign_in(user_with(Role.DONOR))
    assert client.get(f"/pledges/{pledge.id}").status_code == 404
    assert client.get(f"/pledges/{pledge.id}/letter").status_code == 404


def test_a_pledge_with_a_bad_instalment_line_says_which(client, sign_in):
    sign_in(user_with(Role.DONOR))
    response = client.post(
        "/pledges/new",
        data={
            "on_behalf_of": "self",
            "amount": "100",
            "currency": "USD",
            "year": str(TODAY.year),
            "instalments": "soon 100",
        },
    )
    assert response.status_code == 200
    assert "Line 1" in response.get_data(as_text=True)


# --- finance screens -------------------------------------------------------------------------


def test_finance_confirms_records_and_matches_in_the_browser(client, sign_in):
    finance = finance_user()
    add_rate("EUR", MONTH, "0.9")
    donor = institutional_donor("Republic of Z")
    pledge = services.make_pledge(
        actor=finance, donor=donor, amount=90_000_00, currency="EUR", year=TODAY.year
    )
    sign_in(finance)
    client.post(f"/donations/pledges/{pledge.id}/confirm", data={"confirmed_on": TODAY.isoformat()})
    db.session.refresh(pledge)
    assert pledge.status == PledgeStatus.CONFIRMED and pledge.functional_amount == 100_000_00

    response = client.post(
        "/donations/bank-receipts/new",
        data={
            "value_date": TODAY.isoformat(),
            "amount": "100000.00",
            "currency": "EUR",
            "bank_reference": "MT103-778",
            "donor_id": str(donor.id),
        },
    )
    assert response.status_code == 302
    receipt = db.session.execute(select(BankReceipt)).scalars().one()
    page = client.get(f"/donations/bank-receipts/{receipt.id}").get_data(as_text=True)
    assert f"#{pledge.id}" in page
    # Slips and junk are refused with a sentence, and nothing is applied.
    allocate = f"/donations/bank-receipts/{receipt.id}/allocate"
    huge = "99999999999999999999"
    refused = client.post(allocate, data={"pledge_id": str(pledge.id), "amount": huge})
    assert "is more than this system accepts" in refused.get_data(as_text=True)
    no_pledge = client.post(
        allocate, data={"pledge_id": huge, "amount": "1"}, follow_redirects=True
    )
    assert "Choose the pledge this money pays." in no_pledge.get_data(as_text=True)
    db.session.refresh(receipt)
    assert receipt.unapplied_amount == 100_000_00
    client.post(allocate, data={"pledge_id": str(pledge.id), "amount": "90000"})
    db.session.refresh(pledge)
    db.session.refresh(receipt)
    assert pledge.status == PledgeStatus.PAID
    assert receipt.unapplied_amount == 10_000_00
    contributions = client.get("/donations/contributions").get_data(as_text=True)
    assert "MT103-778" in contributions  # listed under unapplied money
    # A pledge paid in full says so in its own words (fresh-eyes finding: "Payé" in French).
    french = client.get(
        "/donations/contributions?kind=pledge&status=paid", headers={"Accept-Language": "fr"}
    ).get_data(as_text=True)
    assert ">Payée<" in french or "Payée</" in french
    assert_ledger_ok()


def test_contributions_filters_totals_and_csv(client, gateway, sign_in):
    add_rate("EUR", MONTH, "0.8")
    _succeeded(client, gateway, amount=10_00, currency="USD", name="One")
    _succeeded(client, gateway, amount=8_00, currency="EUR", name="Two")
    services.make_pledge(
        actor=finance_user(),
        donor=institutional_donor("Pledger"),
        amount=7_00,
        currency="USD",
        year=TODAY.year,
    )
    sign_in(user_with(Role.FUND_MANAGER))
    page = client.get("/donations/contributions?kind=one_off_gift&currency=EUR").get_data(
        as_text=True
    )
    assert "Totals (1 row)" in page and "Pledge #" not in page
    everything = client.get("/donations/contributions").get_data(as_text=True)
    assert "Totals (3 rows)" in everything
    csv_text = client.get("/donations/contributions.csv?kind=one_off_gift").get_data(as_text=True)
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("kind,id,date,year,donor")
    assert len(lines) == 3
    assert any(",EUR,8.00,10.00," in line for line in lines)
    # Junk in the query string is ignored, never an error.
    assert client.get("/donations/contributions?year=abc&kind=zzz&status=1").status_code == 200


def test_exchange_rates_form_and_csv_import(client, sign_in):
    sign_in(finance_user())
    client.post(
        "/donations/exchange-rates", data={"currency": "NOK", "month": "2025-04", "rate": "10.55"}
    )
    upload = io.BytesIO(b"currency,month,rate\nSEK,2025-04,10.4\nDKK,2025-04,6.9\n")
    response = client.post(
        "/donations/exchange-rates/import",
        data={"file": (upload, "rates.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "2 rate(s) imported" in response.get_data(as_text=True)
    codes = set(db.session.execute(select(ExchangeRate.currency)).scalars())
    assert {"NOK", "SEK", "DKK"} <= codes
    bad = client.post(
        "/donations/exchange-rates/import",
        data={"file": (io.BytesIO(b"currency,month,rate\nSEK,2025-05,-1\n"), "rates.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Line 2" in bad.get_data(as_text=True)


def test_finance_records_a_pledge_for_a_new_donor(client, sign_in):
    sign_in(finance_user())
    response = client.post(
        "/donations/pledges/new",
        data={
            "on_behalf_of": "new",
            "organisation_name": "Principality of Q",
            "organisation_kind": "member_state",
            "amount": "1000",
            "currency": "USD",
            "year": str(TODAY.year),
        },
    )
    assert response.status_code == 302
    donor = db.session.execute(select(Donor).where(Donor.name == "Principality of Q")).scalar_one()
    assert donor.kind == DonorKind.MEMBER_STATE


def test_the_menu_shows_giving_to_everyone_and_the_screens_to_who_may_use_them(client, sign_in):
    assert re.search(r'href="/give"', client.get("/").get_data(as_text=True))
    sign_in(finance_user())
    page = client.get("/").get_data(as_text=True)
    assert 'href="/donations/contributions"' in page and 'href="/my/giving"' not in page


def test_the_contributions_csv_defuses_a_donor_name_that_looks_like_a_formula(
    client, gateway, sign_in
):
    _succeeded(client, gateway, amount=10_00, currency="USD", name="=HYPERLINK(1)")
    sign_in(user_with(Role.FINANCE))
    csv_text = client.get("/donations/contributions.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in csv_text
    assert ",=HYPERLINK" not in csv_text


def test_a_gift_made_on_the_arabic_page_gets_its_receipt_e_mail_in_arabic(client, gateway):
    # The receipt is written when Stripe's webhook arrives, a request in no visitor's language:
    # the gift keeps the language of the page it was given on.
    with client.session_transaction() as session:
        session["locale"] = "ar"
    started = client.post(
        "/give",
        data={
            "amount": "custom",
            "custom_amount": "50",
            "currency": "USD",
            "frequency": "one_off",
            "name": "ليلى حسن",
            "email": "layla@example.org",
            "recognition": "anonymous",
        },
    )
    assert started.status_code == 200
    gift = db.session.execute(select(Gift)).scalar_one()
    assert gift.locale == "ar"
    gateway.complete_setup(gift.stripe_setup_intent_id, "pm_card_visa")
    payments.confirm_gift(
        actor=None, gateway=gateway, gift=gift, setup_intent_id=gift.stripe_setup_intent_id
    )
    deliver(
        client,
        gateway.event("payment_intent.succeeded", gateway.get(gift.stripe_payment_intent_id)),
    )
    mail = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.idempotency_key.like("donation-receipt:%"))
    ).scalar_one()
    assert "السيد/السيدة ليلى حسن" in mail.body and "Dear" not in mail.body
