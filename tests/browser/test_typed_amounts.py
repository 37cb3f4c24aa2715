"""A French and a Spanish donor type "50,00" on the Give page, as they write fifty: the page shows
what it read before anything is charged, the card is charged 50, and a mistyped large gift is
asked about once more. (In the first wave, "50,00" charged USD 5,000.00.)"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.donations.models import Gift, GiftStatus
from app.platform.extensions import db

SEEN = {"fr": "USD\xa050,00", "es": "USD\xa050,00"}
LARGE = {"fr": "5\u202f000,00", "es": "5.000,00"}


def _card(page) -> None:
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("30")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("28001")


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_fifty_typed_the_local_way_is_fifty(cast, live, lang):
    t = cast.t
    with live.app.app_context():
        gifts_before = db.session.execute(sa.select(sa.func.max(Gift.id))).scalar() or 0
    donor = cast.visitor("donor")
    donor.open("/give")
    page = donor.page
    page.locator("#custom_amount").fill("50.00")  # the English way: refused, never guessed
    understood = page.locator("#custom_amount-understood")
    assert t("Write it like this: %(example)s.", example="1")[:10] in understood.inner_text()
    page.locator("#custom_amount").fill("50,00")
    assert understood.inner_text() == t("Your gift: %(amount)s", amount=SEEN[lang])
    button = page.locator("#give-button")
    assert button.inner_text() == t("Give %(amount)s", amount=SEEN[lang])
    page.locator("#name").fill("Camille Martin")
    page.locator("#email").fill("camille@example.org")
    _card(page)
    donor.step("typed-the-local-way")

    # Five thousand: asked once more, nothing is saved until the donor says yes.
    page.locator("#custom_amount").fill(LARGE[lang])
    page.locator("input[name=frequency][value=monthly]").check()
    button.click()
    question = page.locator("#give-confirm")
    question.wait_for(state="visible")
    asked = t("You are about to give %(amount)s every month.", amount="USD\xa0" + LARGE[lang])
    assert asked in question.inner_text()
    donor.step("asked-once-more")
    with live.app.app_context():
        newest = db.session.execute(sa.select(sa.func.max(Gift.id))).scalar() or 0
        assert newest == gifts_before
    page.locator("#give-confirm-no").click()
    assert page.locator("#custom_amount").evaluate("e => e === document.activeElement")

    page.locator("#custom_amount").fill("50,00")
    page.locator("input[name=frequency][value=one_off]").check()
    button.click()
    page.wait_for_url(re.compile(r"/give/[^/]+/thanks$"))
    page.get_by_text(SEEN[lang]).first.wait_for(timeout=30_000)
    donor.step("thank-you")
    with live.app.app_context():
        gift = db.session.execute(sa.select(Gift).where(Gift.id > gifts_before)).scalar_one()
        assert (gift.amount, gift.currency) == (50_00, "USD")
        assert gift.status in {GiftStatus.SUCCEEDED, GiftStatus.PENDING}
