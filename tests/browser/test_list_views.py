"""A staff list in the browser, by keyboard: the fund manager sorts the applications by
organisation from its column header, filters them by a country, saves that as a view, and
opens it again from the list page; axe judges each state."""

from __future__ import annotations

from typing import Any


def _enter_and_wait(actor: Any) -> None:
    with actor.page.expect_navigation():
        actor.press("Enter")


def test_sort_filter_save_and_reopen_a_view(cast, live, lang):
    manager = cast.sign_in("fund_manager")
    manager.open("/applications/all")
    page = manager.page
    assert page.locator("th[aria-sort]").count() == 1  # sorted by last change, as usual

    manager.tab_to('th a[href*="sort=organisation"]')
    _enter_and_wait(manager)
    header = page.locator('th:has(a[href*="sort=organisation"])')
    assert header.get_attribute("aria-sort") == "ascending"
    # The organisation is the sixth column from the end (the list may start with checkboxes).
    names = page.locator("tbody tr td:nth-last-child(6)").all_inner_texts()
    assert len(names) > 1 and names in (sorted(names), sorted(names, key=str.casefold))
    manager.step("sorted-by-organisation")

    # A country that has applications: the first one the filter offers.
    options = page.locator("#country option").evaluate_all("os => os.map(o => o.value)")
    country = next(value for value in options if value)
    manager.tab_to("#country")
    page.locator("#country").select_option(country)
    manager.tab_to("main form[role=search] button[type=submit]")
    _enter_and_wait(manager)
    assert f"country={country}" in page.url and "sort=organisation" in page.url
    assert header.get_attribute("aria-sort") == "ascending"
    shown = page.locator("tbody tr").count()
    assert page.locator("#list-count").inner_text().strip()
    manager.step("filtered-by-country")

    manager.tab_to("#saved-views summary")
    manager.press("Enter")  # opens the panel
    manager.tab_to("#view-name")
    page.keyboard.type("Country, by organisation")
    manager.tab_to("#saved-views button[type=submit]")
    _enter_and_wait(manager)
    assert page.locator(".alert-success").count() == 1
    manager.step("view-saved")

    manager.open("/applications/all")
    manager.tab_to('#saved-views a[href^="/lists/views/"]')
    assert page.locator("#saved-views a[href^='/lists/views/']").inner_text() == (
        "Country, by organisation"
    )
    _enter_and_wait(manager)
    assert f"country={country}" in page.url and "sort=organisation" in page.url
    assert page.locator("#country").input_value() == country
    assert page.locator('th:has(a[href*="sort=organisation"])').get_attribute("aria-sort") == (
        "ascending"
    )
    assert page.locator("tbody tr").count() == shown
    manager.step("view-reopened")
