"""Countries on a phone: at 375 px the NGO types in the filter box above the country
checkboxes, ticks two of the countries left by keyboard, and the profile keeps both."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.accounts.models import Organisation
from app.platform.extensions import db

PHONE = {"width": 375, "height": 800}


def _organisation_id(live: Any) -> int:
    with live.app.app_context():
        found = db.session.scalar(
            sa.select(Organisation.id).where(Organisation.name == "Safe Haven Initiative")
        )
    assert found is not None
    return int(found)


def _filter_and_tick(ngo: Any, typed: str, code: str, *, backwards: bool = False) -> None:
    ngo.tab_to("#countries_of_operation-filter", backwards=backwards)
    ngo.page.keyboard.press("Control+A")
    ngo.page.keyboard.type(typed)
    ngo.tab_to(f"#countries_of_operation-{code}", limit=20)
    ngo.press("Space")
    assert ngo.page.locator(f"#countries_of_operation-{code}").is_checked()


def test_two_countries_are_filtered_and_ticked_by_keyboard(cast, live, lang):
    organisation_id = _organisation_id(live)
    ngo = cast.sign_in("ngo")
    ngo.page.set_viewport_size(PHONE)
    ngo.open(f"/organisations/{organisation_id}/edit")
    checkboxes = ngo.page.locator("#countries_of_operation input[type=checkbox]")
    before = checkboxes.count()
    assert before > 200
    for code in ("GN", "GW"):
        assert not ngo.page.locator(f"#countries_of_operation-{code}").is_checked()

    # "Guin" leaves the four Guineas, in English and in French (Guinée).
    _filter_and_tick(ngo, "Guin", "GN")
    visible = ngo.page.locator("#countries_of_operation .form-check:not([hidden])")
    assert visible.count() == 4
    assert ngo.page.locator("#countries_of_operation-filter ~ [aria-live]").inner_text()
    # Back from Guinea's checkbox to the filter box (the box is above the list).
    _filter_and_tick(ngo, "Guin", "GW", backwards=True)
    fits = ngo.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the page scrolls sideways at 375 px"
    ngo.step("countries-filtered")

    with ngo.page.expect_navigation():
        ngo.page.locator("main form button[type=submit]").first.click()
    ngo.open(f"/organisations/{organisation_id}/edit")
    for code in ("GN", "GW"):
        assert ngo.page.locator(f"#countries_of_operation-{code}").is_checked()
