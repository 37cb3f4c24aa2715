"""The Give page fetches no third party's script (Stripe.js, localstripe's stand-in in the tests)
while the donor reads it or picks an amount: only once she reaches the card step (her name,
then the card). Someone who only looks, or who leaves, never downloads it."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("lang", ["fr"])
def test_stripe_js_waits_for_the_card_step(cast, live):
    donor = cast.visitor("donor")
    elsewhere: list[str] = []
    donor.page.on(
        "request",
        lambda request: (
            elsewhere.append(request.url) if not request.url.startswith(live.url) else None
        ),
    )
    donor.open("/give")
    donor.page.wait_for_load_state("networkidle")
    donor.page.locator("label[for=amount-1]").click()
    donor.page.locator("#custom_amount").fill("40")
    donor.page.wait_for_timeout(300)
    assert elsewhere == []
    assert donor.page.locator("#card-element input").count() == 0
    donor.step("before-the-card-step")

    donor.page.locator("#name").fill("Awa Diallo")
    donor.page.locator("#card-element input[placeholder=number]").wait_for()
    assert any("js.stripe.com" in url for url in elsewhere), elsewhere
    donor.step("card-step")


@pytest.mark.parametrize("lang", ["fr"])
def test_enter_in_the_amount_opens_the_card_form(cast, live):
    donor = cast.visitor("donor")
    donor.open("/give")
    donor.page.locator("#custom_amount").fill("40")
    donor.press("Enter")
    number = donor.page.locator("#card-element input[placeholder=number]")
    number.wait_for()
    donor.page.wait_for_function(
        "() => document.activeElement?.matches('#card-element input[placeholder=number]')"
    )
    # Nothing was sent: the donor has a card to enter first.
    assert donor.page.locator("#give-errors").is_hidden()
