"""A French visitor, keyboard only, sends forms with mistakes: the error summary is what has
the focus (so it is read first), the title starts with "Erreur :", and each link of the summary
puts the focus in the field to fix. On the sign-in page (drawn by the server) and on the Give
page (drawn by its script from the server's answer)."""

from __future__ import annotations

import pytest


def _follow_summary_link(actor, target: str, *, backwards: bool = False) -> None:
    """Tab (or Shift+Tab) to the summary's link for ``target`` and follow it."""
    actor.tab_to(f".error-summary a[href='#{target}']", backwards=backwards)
    actor.press("Enter")
    assert actor.focused(f"#{target}"), actor.describe_focus()


@pytest.mark.parametrize("lang", ["fr"])
def test_the_summary_is_read_first_and_leads_to_each_field(cast, lang):
    t = cast.t
    visitor = cast.visitor("visitor")
    visitor.open("/login")
    visitor.page.locator("#email").fill("pas une adresse")
    with visitor.page.expect_navigation():
        visitor.page.get_by_role("button", name=t("Sign in"), exact=True).click()
    summary = visitor.page.locator("#error-summary")
    summary.wait_for()
    assert visitor.focused("#error-summary"), visitor.describe_focus()
    assert t("There is a problem") in summary.inner_text()
    assert visitor.page.title().startswith(t("Error:") + " ")
    # Each field still says what is wrong next to it.
    assert visitor.page.locator("#email-error").is_visible()
    visitor.step("login-summary")
    _follow_summary_link(visitor, "email")
    _follow_summary_link(visitor, "password", backwards=True)


@pytest.mark.parametrize("lang", ["fr"])
def test_the_give_page_summarises_the_servers_answer(cast, lang):
    t = cast.t
    donor = cast.visitor("donor")
    donor.open("/give")
    page = donor.page
    page.locator("#name").fill("Awa Diallo")
    page.locator("#email").fill("awa@")
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("30")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("75011")
    page.locator("#give-button").click()
    summary = page.locator("#give-errors")
    summary.wait_for()
    assert donor.focused("#give-errors"), donor.describe_focus()
    link = summary.locator("a[href='#email']")
    assert link.inner_text().startswith(
        t("%(field)s: %(error)s", field=t("Your e-mail address"), error="")[:-1]
    )
    assert page.title().startswith(t("Error:") + " ")
    assert page.locator("#email-error").is_visible()
    # The server's 422 is the answer this test asks for; any other problem still fails it.
    problems = cast.recorder.problems
    problems[:] = [p for p in problems if not ("422" in p and p.endswith(("/give", "/give)")))]
    donor.step("give-summary")
    _follow_summary_link(donor, "email")
