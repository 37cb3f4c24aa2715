"""Money typed the way people write it in their language, through the pages they use.

A French donor typing ``50,00`` on the Give page was charged USD 5,000.00. Here donors and
finance officers type amounts as readers of French and Spanish do, and every place that shows
the money afterwards (thank-you page, receipt, ledger, finance list) must say 50, not 5,000.
"""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.donations import services
from app.donations.memory_gateway import MemoryGateway
from app.donations.models import BankReceipt, Gift, Pledge
from app.ledger.models import Transfer
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.donations_support import (
    add_rate,
    assert_ledger_ok,
    deliver,
    enable_stripe,
    finance_user,
    institutional_donor,
)
from tests.factories import user_with

TODAY = utcnow().date()


@pytest.fixture
def gateway(app, monkeypatch):
    return enable_stripe(app, monkeypatch, MemoryGateway())


def speak(client, language: str) -> None:
    """The reader has chosen ``language`` with the page's language menu."""
    with client.session_transaction() as session:
        session["locale"] = language


def give(client, amount: str, **extra: str):
    return client.post(
        "/give",
        data={
            "amount": "custom",
            "custom_amount": extra.pop("custom_amount", amount),
            "currency": "USD",
            "frequency": "one_off",
            "name": "Camille Donatrice",
            "email": "camille@example.org",
            "recognition": "anonymous",
            **extra,
        },
    )


def pledge_in_french(client, amount: str, instalments: str = "", **options):
    """A donor, reading the pages in French, pledges ``amount`` EUR for this year."""
    sign_in_as_donor = options.pop("sign_in")
    sign_in_as_donor(user_with(Role.DONOR))
    speak(client, "fr")
    return client.post(
        "/pledges/new",
        data={
            "on_behalf_of": "self",
            "amount": amount,
            "currency": "EUR",
            "year": str(TODAY.year),
            "instalments": instalments,
        },
        **options,
    )


def _pledges() -> int:
    return db.session.execute(select(func.count()).select_from(Pledge)).scalar_one()


def _gifts() -> int:
    return db.session.execute(select(func.count()).select_from(Gift)).scalar_one()


@pytest.mark.parametrize(("language", "shown"), [("fr", "USD\xa050,00"), ("es", "USD\xa050,00")])
def test_fifty_typed_the_french_or_spanish_way_is_fifty_everywhere(
    client, gateway, sign_in, language, shown
):
    speak(client, language)
    started = give(client, "50,00")
    assert started.status_code == 200, started.get_json()
    body = started.get_json()
    gift = db.session.execute(select(Gift)).scalar_one()
    assert (gift.amount, gift.currency) == (50_00, "USD")

    gateway.complete_setup(gift.stripe_setup_intent_id)
    client.post(body["confirm_url"], json={"setup_intent": gift.stripe_setup_intent_id})
    db.session.refresh(gift)
    deliver(
        client,
        gateway.event("payment_intent.succeeded", gateway.get(gift.stripe_payment_intent_id)),
    )
    thanks = client.get(body["thanks_url"]).get_data(as_text=True)
    assert shown in thanks and "5\u202f000" not in thanks and "5.000" not in thanks
    receipt_link = thanks.split('href="/receipts/r/')[1].split('"')[0]
    receipt = client.get(f"/receipts/r/{receipt_link}").get_data(as_text=True)
    assert shown in receipt

    amounts = set(db.session.execute(select(Transfer.amount)).scalars())
    assert 50_00 in amounts and 5_000_00 not in amounts
    assert_ledger_ok()

    sign_in(finance_user())
    speak(client, language)
    contributions = client.get("/donations/contributions").get_data(as_text=True)
    assert shown in contributions and "5\u202f000,00" not in contributions


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("fr", "50.00"),  # the point is no French separator: refused, never guessed
        ("fr", "cinquante"),
        ("fr", "1,2,3"),
        ("fr", "50,001"),
        ("fr", "-50"),
        ("fr", "10000000000000000"),
        ("en", "1.234"),
        ("en", "50.000,00"),
        ("en", "1,5"),
    ],
)
def test_an_amount_a_reader_could_misread_is_refused_next_to_the_field(
    client, gateway, language, typed
):
    speak(client, language)
    response = give(client, typed)
    assert response.status_code == 422
    sentence = " ".join(response.get_json()["error"]["fields"]["custom_amount"])
    assert sentence
    assert _gifts() == 0
    assert gateway.setup_intents == {} if hasattr(gateway, "setup_intents") else True


def test_the_sentence_shows_how_the_readers_language_writes_an_amount(client, gateway):
    speak(client, "fr")
    response = give(client, "50.00")
    assert "1\u202f234,56" in " ".join(response.get_json()["error"]["fields"]["custom_amount"])


@pytest.mark.parametrize(
    ("frequency", "question"),
    [
        ("one_off", "You are about to give USD\xa05,000.00."),
        ("monthly", "You are about to give USD\xa05,000.00 every month."),
    ],
)
def test_a_large_gift_is_asked_about_once_more_before_anything_is_saved(
    client, gateway, frequency, question
):
    add_rate("EUR", TODAY, "0.9")
    first = give(client, "5,000.00", frequency=frequency)
    assert first.status_code == 200
    asked = first.get_json()["confirm"]
    assert asked["message"] == question
    assert _gifts() == 0 and "client_secret" not in first.get_json()

    # A "yes" to another gift is no yes: another amount, currency or frequency asks again.
    other_frequency = "one_off" if frequency == "monthly" else "monthly"
    for changed in (
        {"custom_amount": "6,000.00"},
        {"currency": "EUR"},
        {"frequency": other_frequency},
    ):
        again = give(
            client,
            **{"amount": "5,000.00", "frequency": frequency, **changed},
            confirmed_amount=asked["key"],
        )
        assert "confirm" in again.get_json(), changed
        assert _gifts() == 0

    confirmed = give(client, "5,000.00", frequency=frequency, confirmed_amount=asked["key"])
    assert "client_secret" in confirmed.get_json()


def test_a_gift_below_the_limit_is_not_asked_about(client, gateway):
    assert "client_secret" in give(client, "1,000.00").get_json()


def test_the_limit_is_a_setting(app, client, gateway):
    app.config["DONATION_CONFIRM_ABOVE"] = {"*": 10}
    assert "confirm" in give(client, "10.01").get_json()


def test_the_give_page_names_the_gift_and_reads_numbers_in_the_readers_language(client, gateway):
    speak(client, "fr")
    page = client.get("/give").get_data(as_text=True)
    assert 'data-number-decimal=","' in page and 'inputmode="decimal"' in page
    assert 'data-msg-give="Donner %s"' in page
    assert 'id="give-confirm"' in page
    assert "/static/js/numbers.js" in page


def test_a_french_pledge_of_a_million_and_more_is_recorded_to_the_cent(client, sign_in):
    response = pledge_in_french(
        client,
        "1 234 567,89",
        f"{TODAY} 234 567,89\n{TODAY.replace(year=TODAY.year + 1)} 1 000 000",
        sign_in=sign_in,
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    pledge = db.session.execute(select(Pledge)).scalar_one()
    assert pledge.amount == 1_234_567_89
    assert [i.amount for i in pledge.instalments] == [234_567_89, 1_000_000_00]
    # The confirmation names what was understood, as the reader writes it.
    assert "EUR\xa01\u202f234\u202f567,89" in page


@pytest.mark.parametrize(
    "typed", ["abc", "1,2,3", "12,345", "-100", "10000000000000000", "100.000,00", "1e6"]
)
def test_a_pledge_with_a_bad_amount_is_refused_and_nothing_saved(client, sign_in, typed):
    response = pledge_in_french(client, typed, sign_in=sign_in)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="amount-error"' in page and 'aria-invalid="true"' in page
    assert _pledges() == 0


def test_finance_records_and_applies_a_transfer_typed_the_spanish_way(client, sign_in):
    finance = finance_user()
    add_rate("EUR", TODAY, "0.9")
    donor = institutional_donor("Reino de España")
    pledge = services.make_pledge(
        actor=finance, donor=donor, amount=200_000_00, currency="EUR", year=TODAY.year
    )
    sign_in(finance)
    client.post(f"/donations/pledges/{pledge.id}/confirm", data={"confirmed_on": str(TODAY)})
    speak(client, "es")
    recorded = client.post(
        "/donations/bank-receipts/new",
        data={
            "value_date": TODAY.isoformat(),
            "amount": "100.000,50",
            "currency": "EUR",
            "bank_reference": "MT103-ES-1",
            "donor_id": str(donor.id),
        },
        follow_redirects=True,
    )
    receipt = db.session.execute(select(BankReceipt)).scalar_one()
    assert receipt.amount == 100_000_50
    assert "EUR\xa0100.000,50" in recorded.get_data(as_text=True)
    # The form to apply it is filled the Spanish way, so sending it unchanged reads it back.
    page = client.get(f"/donations/bank-receipts/{receipt.id}").get_data(as_text=True)
    assert 'value="100000,50"' in page
    applied = client.post(
        f"/donations/bank-receipts/{receipt.id}/allocate",
        data={"pledge_id": str(pledge.id), "amount": "100000,50"},
        follow_redirects=True,
    )
    db.session.refresh(receipt)
    assert receipt.unapplied_amount == 0
    assert "EUR\xa0100.000,50" in applied.get_data(as_text=True)
    assert_ledger_ok()


def test_a_budget_line_typed_the_french_way_keeps_its_cents(client, sign_in):
    from tests.applications_support import applicant_of, started_application

    application = started_application()
    sign_in(applicant_of(application.organisation))
    speak(client, "fr")
    url = f"/applications/{application.id}/sections/budget"
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page)[1]
    response = client.post(
        url,
        data={
            "version": version,
            "lines-0-category": "direct_assistance",
            "lines-0-description": "Travailleuse sociale",
            "lines-0-quantity": "1 200",
            "lines-0-unit_cost": "1200,50",
            # The empty rows a browser sends too.
            "lines-1-category": "other",
            "lines-2-category": "other",
        },
    )
    assert response.status_code == 302
    assert response.location == url
    db.session.refresh(application)
    line = application.budget_lines[0]
    assert (line.quantity, line.unit_cost) == (1200, 1200_50)
    shown = client.get(url).get_data(as_text=True)
    assert 'value="1200,50"' in shown


def test_exchange_rates_are_typed_in_the_readers_language_and_imported_in_one_format(
    client, sign_in
):
    sign_in(finance_user())
    speak(client, "fr")
    client.post(
        "/donations/exchange-rates",
        data={"currency": "EUR", "month": "2026-01", "rate": "0,926"},
    )
    from app.donations.models import ExchangeRate

    rate = db.session.execute(select(ExchangeRate)).scalar_one()
    assert str(rate.rate.normalize()) == "0.926"
    # The CSV import has one documented format: a point, whatever the reader's language.
    csv = b'currency,month,rate\nGBP,2026-01,0.79\nCHF,2026-01,"0,88"\n'
    response = client.post(
        "/donations/exchange-rates/import",
        data={"file": (io.BytesIO(csv), "rates.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    codes = set(db.session.execute(select(ExchangeRate.currency)).scalars())
    assert "CHF" not in codes
    assert response.status_code == 200


@pytest.mark.parametrize("rate", ["1E+20", "1e308", "9" * 40, "1,5,0"])
def test_rates_too_large_for_the_books_are_refused_with_a_sentence(client, sign_in, rate):
    sign_in(finance_user())
    response = client.post(
        "/donations/exchange-rates",
        data={"currency": "EUR", "month": "2026-01", "rate": rate},
    )
    assert response.status_code == 200
    assert 'id="rate-error"' in response.get_data(as_text=True) or "too precise" in (
        response.get_data(as_text=True)
    )


def test_zero_is_no_gift_and_says_so_next_to_the_field(client, gateway):
    response = give(client, "0.00")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["custom_amount"] == ["Give an amount above zero."]


def test_instalment_dates_are_read_the_way_the_reader_writes_them(client, sign_in):
    sign_in(user_with(Role.DONOR))
    speak(client, "fr")
    form = client.get("/pledges/new").get_data(as_text=True)
    assert f"31/03/{TODAY.year + 1} 1\u202f234,56" in form  # the help shows the reader's way
    pledge_in_french(
        client,
        "1 000,00",
        f"31/03/{TODAY.year + 1} 600,00\n{TODAY.year + 1}-09-30 ; 400,00",
        sign_in=sign_in,
    )
    pledge = db.session.execute(select(Pledge)).scalar_one()
    assert [(i.due_on.isoformat(), i.amount) for i in pledge.instalments] == [
        (f"{TODAY.year + 1}-03-31", 600_00),
        (f"{TODAY.year + 1}-09-30", 400_00),
    ]


def test_instalments_that_do_not_add_up_say_what_they_add_up_to(client, sign_in):
    instalments = f"31/03/{TODAY.year + 1} 600,00\n31/13/{TODAY.year + 1} 1,00"
    response = pledge_in_french(client, "1 000,00", instalments, sign_in=sign_in)
    assert "31/13/" in response.get_data(as_text=True)  # the line that is not a date
    response = pledge_in_french(
        client, "1 000,00", f"31/03/{TODAY.year + 1} 600,00", sign_in=sign_in
    )
    assert "EUR\xa0600,00" in response.get_data(as_text=True)
    assert _pledges() == 0
