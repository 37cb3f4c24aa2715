"""The browser set-up itself: the home and Give pages load, pass axe, and Stripe.js is local."""


def test_home_and_give_pages(cast, live):
    visitor = cast.visitor()
    visitor.open("/")
    visitor.step("home")
    visitor.open("/give")
    visitor.step("give")
    assert visitor.page.evaluate("() => typeof Stripe") == "function"
