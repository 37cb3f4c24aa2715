"""A French donor, keyboard only, changes her mind about the amount on the Give page: the amount
shown as chosen (to the eye and to a screen reader) is always the one she last chose, and that
is the amount charged. (Typing 40 once left "25 USD" looking selected beside it.)"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.donations.models import Gift
from app.platform.extensions import db

# The selected look of a suggestion: Bootstrap's filled button, against the outlined one.
BACKGROUND = "e => getComputedStyle(document.querySelector(`label[for=${e.id}]`)).backgroundColor"


def _looks(page, radio_id: str, background: str) -> None:
    """The suggestion's button settles on ``background`` (its colour fades in 0.15 s)."""
    page.wait_for_function(
        "([id, bg]) => getComputedStyle(document.querySelector(`label[for=${id}]`))"
        ".backgroundColor === bg",
        arg=[radio_id, background],
        timeout=2_000,
    )


def _chosen(page) -> list[str]:
    """The amounts a screen reader announces as checked."""
    return [
        radio.evaluate("e => e.labels[0].textContent.trim()")
        for radio in page.get_by_role("radio", checked=True).all()
        if radio.get_attribute("name") == "amount"
    ]


@pytest.mark.parametrize("lang", ["fr"])
def test_the_amount_shown_as_chosen_is_the_one_charged(cast, live, lang):
    t = cast.t
    with live.app.app_context():
        gifts_before = db.session.execute(sa.select(sa.func.max(Gift.id))).scalar() or 0
    donor = cast.visitor("donor")
    donor.open("/give")
    page = donor.page
    first, other = page.locator("#amount-0"), page.locator("input[name=amount][value=custom]")
    assert first.is_checked()
    picked_look = first.evaluate(BACKGROUND)
    plain_look = page.locator("#amount-1").evaluate(BACKGROUND)
    assert picked_look != plain_look

    # She types her own amount: the suggestion picked by default is no longer chosen.
    donor.press("Tab")
    donor.press("Enter")  # the skip link
    donor.tab_to("#custom_amount")
    page.keyboard.type("40")
    assert not first.is_checked() and other.is_checked()
    assert _chosen(page) == [t("Other amount")]
    _looks(page, "amount-0", plain_look)
    donor.step("typed-forty")

    # Back to the suggestions (Shift+Tab lands on the checked radio), an arrow picks 25 USD:
    # the typed amount goes, so no two amounts are on the page at once.
    donor.tab_to("input[name=amount]:checked", backwards=True)
    donor.press("ArrowRight")  # from the last choice, round to the first
    assert first.is_checked() and page.locator("#custom_amount").input_value() == ""
    assert _chosen(page) == [first.evaluate("e => e.labels[0].textContent.trim()")]
    _looks(page, "amount-0", picked_look)
    assert page.locator("#give-button").inner_text() == t("Give %(amount)s", amount="USD\xa025,00")
    donor.step("picked-twenty-five")

    # And typing again: 40 it is, on the button and on the card.
    donor.tab_to("#custom_amount")
    page.keyboard.type("40")
    assert _chosen(page) == [t("Other amount")]
    assert page.locator("#give-button").inner_text() == t("Give %(amount)s", amount="USD\xa040,00")
    page.locator("#name").fill("Awa Diallo")
    page.locator("#email").fill("awa@example.org")
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("30")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("75011")
    donor.tab_to("#give-button")
    donor.press("Enter")
    page.wait_for_url(re.compile(r"/give/[^/]+/thanks$"))
    with live.app.app_context():
        gift = db.session.execute(sa.select(Gift).where(Gift.id > gifts_before)).scalar_one()
        assert (gift.amount, gift.currency) == (40_00, "USD")
