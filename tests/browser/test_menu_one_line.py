"""The menu bar fits on one line for every demo role at 1280 px (entries of one area share a
dropdown), collapses behind its button at 375 px, and its dropdowns work from the keyboard."""

from __future__ import annotations

from typing import Any

from devtools.seed.people import DEMO_USERS

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}

# Every entry of the menu bar (a link or a dropdown's button) and the bar's own height.
MEASURE = """() => {
    const bar = document.querySelector('nav.navbar');
    const entries = [...document.querySelectorAll('#nav-main > .navbar-nav > .nav-item')];
    const tops = new Set(entries.map(e => Math.round(e.getBoundingClientRect().top)));
    return {height: bar.getBoundingClientRect().height, rows: tops.size, entries: entries.length};
}"""


def _bar(person: Any) -> dict[str, Any]:
    return dict(person.page.evaluate(MEASURE))


def test_every_roles_menu_is_one_line_at_1280_px(cast, live):
    visitor = cast.visitor()
    visitor.page.set_viewport_size(DESKTOP)
    visitor.open("/")
    # A signed-out visitor's bar (two entries) is one line: the height every role must keep.
    one_line = _bar(visitor)["height"]
    problems = []
    for login in DEMO_USERS:
        person = cast.sign_in(login)
        person.page.set_viewport_size(DESKTOP)
        person.open("/")
        bar = _bar(person)
        if bar["rows"] != 1 or bar["height"] > one_line + 1:
            person.step(f"{login}-menu-too-tall", axe=False)
            problems.append(f"{login}: {bar}")
        person.context.close()
        cast.actors.remove(person)
    assert not problems, f"Menus taller than one line ({one_line} px):\n" + "\n".join(problems)


def test_the_menu_collapses_on_a_phone_and_its_dropdowns_work_by_keyboard(cast, live):
    manager = cast.sign_in("fund_manager")
    manager.page.set_viewport_size(PHONE)
    manager.open("/")
    assert manager.page.locator(".navbar-toggler").is_visible()
    assert not manager.page.locator("#nav-main").is_visible()
    manager.page.set_viewport_size(DESKTOP)
    manager.open("/")
    toggle = "#nav-group-reports"
    manager.tab_to(toggle)
    manager.press("Enter")
    menu = manager.page.locator(f"[aria-labelledby='{toggle[1:]}']")
    menu.wait_for(state="visible")
    assert manager.page.locator(toggle).get_attribute("aria-expanded") == "true"
    manager.step("reports-menu-open")
    manager.press("ArrowDown")
    assert manager.focused(".dropdown-menu.show .dropdown-item")
    with manager.page.expect_navigation():
        manager.press("Enter")
    assert manager.page.url.endswith("/dashboard")
    # The page's group is marked, and its entry says it is the current page.
    assert "active" in (manager.page.locator(toggle).get_attribute("class") or "")
    manager.press("Escape")
