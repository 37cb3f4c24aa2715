"""Every page of every role is accessible at 1280 px and on a 375 px phone (issue 19's goal):
no serious or critical axe-core violation, and no page wider than the phone.

Each demo person (and a visitor who is not signed in) follows the links from the home page and
the dashboard, like test_walk_the_demo.py does with the test client, and opens one page of each
kind (/applications/12 and /applications/13 are one kind), up to a bound. Each page is judged
at both widths without reloading it: axe at 1280 px, then the window narrowed to 375 px, axe
again and the page's width. Files (CSV, XLSX, XML, PDF) and links that sign out or change the
language are not followed.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

import pytest

from devtools.seed.people import DEMO_USERS
from tests.browser.conftest import VIEWPORT, check_axe
from tests.browser.test_phone_width import _too_wide

PHONE = {"width": 375, "height": 800}
KINDS_PER_PERSON = 45
_SKIPPED = ("/logout", "/static/", "/language", "/dev/", "/webhooks/", "/metrics")
_FILES = (".csv", ".xlsx", ".xml", ".pdf", ".zip", ".json", ".ics")
# The second finance officer, the second reviewer and the second NGO see the same pages as the
# first; the visitor is nobody signed in.
PEOPLE = [login for login in DEMO_USERS if not login.endswith("2")] + ["visitor"]


def _kind(path: str) -> str:
    return re.sub(r"/\d+", "/<n>", path.split("?")[0])


def _links(page: Any) -> list[str]:
    hrefs = page.locator("a[href^='/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return [h.split("#")[0] for h in hrefs if h]


def _judge(page: Any, axe_source: str, problems: list[str], who: str) -> None:
    for size, name in ((VIEWPORT, "1280 px"), (PHONE, "375 px")):
        page.set_viewport_size(size)
        # The page's scripts answer the resize in the next frame (page.js): judged after it.
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r)))")
        try:
            check_axe(page, axe_source)
        except pytest.fail.Exception as failure:
            problems.append(f"{who} at {name}: {failure}")
        if size is PHONE:
            wider = _too_wide(page)
            if wider:
                problems.append(f"{who} at 375 px: {wider}")
    page.set_viewport_size(VIEWPORT)


@pytest.mark.parametrize("lang", ["en"])
@pytest.mark.parametrize("person", PEOPLE)
def test_every_page_of_each_role_is_accessible_at_desktop_and_phone_width(
    cast, live, axe_source, person
):
    actor = cast.visitor() if person == "visitor" else cast.sign_in(person)
    page = actor.page
    problems: list[str] = []
    kinds: set[str] = set()
    todo = deque(["/", "/dashboard"])
    opened = 0
    while todo and len(kinds) < KINDS_PER_PERSON:
        path = todo.popleft()
        kind = _kind(path)
        if kind in kinds or path.startswith(_SKIPPED) or path.split("?")[0].endswith(_FILES):
            continue
        kinds.add(kind)
        response = page.goto(actor.url(path))
        if response is None or response.status >= 400 or not page.url.startswith(live.url):
            continue  # a page this person may not see (the walk tests those answers elsewhere)
        if not (response.headers.get("content-type") or "").startswith("text/html"):
            continue  # the API's JSON, shown by the browser as text
        opened += 1
        _judge(page, axe_source, problems, f"{person} {path}")
        todo.extend(_links(page))
    assert opened >= 3, f"{person} opened only {opened} pages"
    assert not problems, f"{len(problems)} problem(s):\n" + "\n\n".join(problems)
