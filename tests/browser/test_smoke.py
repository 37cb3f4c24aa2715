"""The browser set-up itself: the home and Give pages load and pass axe, and Stripe.js (the
local stand-in in the tests) arrives once the donor reaches the card step."""


def test_home_and_give_pages(cast, live):
    visitor = cast.visitor()
    visitor.open("/")
    visitor.step("home")
    visitor.open("/give")
    visitor.step("give")
    # The Give page fetches Stripe.js only at the card step (test_give_stripe_late.py).
    visitor.page.locator("#name").fill("Ada Giver")
    visitor.page.wait_for_function("() => typeof Stripe === 'function'")
    assert visitor.page.evaluate("() => typeof Stripe") == "function"
