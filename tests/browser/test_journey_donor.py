"""Journey 1, the donors: a card gift of 50 USD and its receipt; a Member State's pledge in EUR,
confirmed by finance, paid by bank transfer and matched to the pledge."""

from __future__ import annotations

import re

import sqlalchemy as sa
from babel.numbers import get_decimal_symbol
from werkzeug.security import generate_password_hash

from app.accounts.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    Role,
    User,
    UserRole,
)
from app.donations.models import Gift, GiftStatus, Pledge, PledgeStatus
from app.platform.db import utcnow
from app.platform.extensions import db
from devtools.seed.people import DEMO_PASSWORD
from tests.browser.conftest import journey_languages

pytestmark = journey_languages

REPRESENTATIVE = "ingrid.berg@mission-norway.test"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _representative(live) -> None:
    """The Permanent Mission's officer: a donor account of the Member State (set up by the fund
    when the Mission asks for one; registration is journey 2's)."""
    with live.app.app_context():
        user = User(
            email=REPRESENTATIVE,
            full_name="Ingrid Berg",
            password_hash=generate_password_hash(DEMO_PASSWORD),
            email_confirmed_at=utcnow(),
            is_active=True,
        )
        user.role_grants.append(UserRole(role=Role.DONOR))
        norway = Organisation(
            name="Norway", kind=OrganisationKind.MEMBER_STATE, country="NO", contact_email=None
        )
        norway.memberships.append(Membership(user=user, role=MembershipRole.OWNER))
        db.session.add_all([user, norway])
        db.session.commit()


def test_donor_journey(cast, live, lang, tmp_path):
    t = cast.t

    # A member of the public gives 50 USD by card.
    donor = cast.visitor("donor")
    donor.open("/")
    donor.step("home")
    donor.page.get_by_role("link", name=t("Give"), exact=True).first.click()
    donor.page.wait_for_url("**/give")
    donor.page.locator("label[for=amount-1]").click()  # the second preset: 50 USD
    assert donor.page.locator("#amount-1").is_checked()
    assert donor.page.locator("label[for=amount-1]").inner_text().startswith("50")
    donor.page.locator("#name").fill("Camille Martin")
    donor.page.locator("#email").fill("camille@example.org")
    card = donor.page.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("30")  # two digits, as printed on cards
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("75001")
    donor.step("give-form-filled")
    # The button names the gift as the server will read it.
    give_button = donor.page.locator("#give-button")
    assert give_button.inner_text() == t("Give %(amount)s", amount=donor.money(50_00, "USD"))
    give_button.click()
    donor.page.wait_for_url(re.compile(r"/give/[^/]+/thanks$"))
    # The page refreshes itself until localstripe's webhook has recorded the gift.
    # Found by the sentence's longest part without the amount (the amount's place in it
    # differs between languages).
    sentence = t("We received your gift of %(amount)s.", amount="|").split("|")
    thanks = donor.page.get_by_text(max(sentence, key=len).strip())
    thanks.wait_for(timeout=30_000)
    donor.step("thank-you")
    with live.app.app_context():
        gift = db.session.execute(sa.select(Gift).order_by(Gift.id.desc())).scalars().first()
        assert (gift.status, gift.amount, gift.currency) == (GiftStatus.SUCCEEDED, 50_00, "USD")
    donor.page.locator("main a[href*='/receipts/r/']").click()
    donor.page.wait_for_url(re.compile(r"/receipts/r/"))
    assert "Camille Martin" in donor.page.locator("main").inner_text()
    donor.step("receipt")
    # The same receipt came by e-mail, with a link to it.
    assert live.mailbox.link("camille@example.org").startswith("/receipts/r/")

    # A Member State's representative pledges 100 000 EUR, with the pledge letter.
    _representative(live)
    mission = cast.sign_in(REPRESENTATIVE)
    mission.open("/pledges/new")
    mission.step("pledge-form")
    page = mission.page
    assert page.locator("#on_behalf_of option:checked").inner_text() == "Norway"
    page.locator("#amount").fill("100000")
    page.locator("#currency").select_option("EUR")
    letter = tmp_path / "note-verbale.pdf"
    letter.write_bytes(PDF)
    page.locator("#letter").set_input_files(str(letter))
    page.locator("#note").fill("Note Verbale NV/2026/114")
    mission.step("pledge-form-filled")
    page.get_by_role("button", name=t("Pledge"), exact=True).click()
    page.wait_for_url(re.compile(r"/pledges/\d+$"))
    recorded = t(
        "Thank you: your pledge of %(amount)s is recorded. The fund will confirm it.",
        amount=mission.money(100_000_00, "EUR"),
    )
    assert recorded in page.inner_text("main")
    mission.step("pledge-recorded")
    pledge_path = page.url.removeprefix(live.url)

    # Finance confirms the pledge on receipt of the letter…
    finance = cast.sign_in("finance")
    finance.open("/donations/pledges")
    finance.step("pledges-to-confirm")
    finance.page.locator(f"main a[href='{pledge_path}']").first.click()
    finance.page.wait_for_url(f"**{pledge_path}")
    finance.step("pledge-to-confirm")
    finance.page.locator("#confirmed_on").fill(utcnow().date().isoformat())
    finance.page.get_by_role("button", name=t("Confirm the pledge")).click()
    finance.page.wait_for_load_state()
    assert t("The pledge is confirmed and booked as receivable.") in finance.page.inner_text("main")
    finance.step("pledge-confirmed")

    # …then records Norway's bank transfer and applies it to the pledge.
    finance.open("/donations/bank-receipts/new")
    finance.step("bank-receipt-form")
    form = finance.page.locator("main form")
    form.locator("#value_date").fill(utcnow().date().isoformat())
    form.locator("#amount").fill("100000")
    form.locator("#currency").select_option("EUR")
    form.locator("#bank_reference").fill("NO-MFA-2026-0114")
    form.locator("#donor_id").select_option(label="Norway")
    finance.step("bank-receipt-filled")
    form.get_by_role("button", name=t("Record")).click()
    finance.page.wait_for_url(re.compile(r"/donations/bank-receipts/\d+$"))
    finance.step("bank-receipt-recorded")
    allocation = finance.page.locator("form[action$='/allocate']")
    pledge_id = pledge_path.rsplit("/", 1)[1]
    allocation.locator("#pledge_id").select_option(pledge_id)
    allocation.get_by_role("button", name=t("Apply the payment")).click()
    finance.page.wait_for_load_state()
    applied = t(
        "%(amount)s applied to pledge #%(id)s.",
        amount=finance.money(100_000_00, "EUR"),
        id=pledge_id,
    )
    assert applied in finance.page.inner_text("main")
    # The exchange rate is written in the reader's notation (0.9118 / 0,9118).
    rate = re.search(r"\b0([.,\u066b])\d{2,}", finance.page.inner_text("main"))
    assert rate is not None and rate.group(1) == get_decimal_symbol(lang), rate
    finance.step("payment-applied")
    with live.app.app_context():
        pledge = db.session.get(Pledge, int(pledge_id))
        assert pledge.status == PledgeStatus.PAID
        assert pledge.outstanding_amount == 0

    # The representative sees the pledge paid, with the payment, in the Mission's account.
    mission.open(pledge_path)
    assert "NO-MFA-2026-0114" in mission.page.inner_text("main")
    mission.step("pledge-paid")
    mission.open("/my/giving")
    mission.step("my-giving")
