"""Every page and every form of the demo fund, as each demo person: never a server error.

The demo (and a small generated fund on top) holds objects in every state. Signed in as each
demo login, the walk follows the links from the home page and the dashboard, opens a few pages
of each kind, and sends each kind of form with junk in every field: nothing, a number larger
than any column holds, a negative one, words where numbers go, a very long text and a NUL
character (which PostgreSQL cannot store). Each answer must be a page, a redirect or a 4xx with
its reason (or the 503 that says card payments are not available), never a 500.

It is a net, bounded to stay quick (a few pages and forms of each kind): it catches pages the
data cannot be shown on (the generator's calls, once). A wider walk of the same kind, 400 pages
per person, found the report counts and amounts that overflowed the database, the NUL character
PostgreSQL refused and the crash stopping a monthly gift without Stripe's keys; each has its own
test where it was fixed.
"""

from __future__ import annotations

import html
import re
from collections import Counter, deque
from typing import Any

import sqlalchemy as sa
from flask import Flask

from app.accounts.models import User
from app.platform.extensions import db
from devtools.seed.people import DEMO_USERS, demo_email
from tests.conftest import login

JUNK = ("", "99999999999999999999", "-1", "abc", "x" * 5000, "\x00")
PAGES_OF_A_KIND = 2  # /applications/12 and /applications/13 are the same kind of page
FORMS_OF_A_KIND = 4  # the same form on objects in other states takes other paths
PAGES_PER_PERSON = 150
_FORM = re.compile(r"<form([^>]*)>(.*?)</form>", re.S | re.I)
_FIELD = re.compile(r'<(?:input|select|textarea)[^>]*name="([^"]+)"')
_LINK = re.compile(r'href="(/[^"#]*)"')
_SKIPPED = ("/logout", "/static/", "/language")
_FILES = (".csv", ".xlsx", ".xml", ".pdf", ".zip", ".json")


def _kind(path: str) -> str:
    return re.sub(r"/\d+", "/<n>", path.split("?")[0])


def _attributes(tag: str) -> dict[str, str]:
    return {k.lower(): html.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', tag)}


def _sign_in_again(client: Any, email: str) -> None:
    """As this person, afresh: a form sent earlier may have changed their password or roles."""
    person = db.session.execute(sa.select(User).where(User.email == email)).scalar_one()
    db.session.refresh(person)
    login(client, person)


def _walk(app: Flask, email: str) -> list[str]:
    client = app.test_client()
    _sign_in_again(client, email)
    failures: list[str] = []
    seen: set[str] = set()
    kinds: Counter[str] = Counter()
    forms_sent: Counter[str] = Counter()
    actions: set[str] = set()
    todo = deque(["/", "/dashboard"])

    def ask(method: str, url: str, data: dict[str, str] | None = None) -> Any:
        try:
            response = client.open(url, method=method, data=data)
        except Exception as error:  # every failure is reported, with its kind
            failures.append(f"{method} {url}: {type(error).__name__}: {error}"[:300])
            return None
        # 503 is the card service unavailable (here: no Stripe keys), said as such to the person.
        if response.status_code >= 500 and response.status_code != 503:
            failures.append(f"{method} {url}: {response.status_code}")
        return response

    while todo and len(seen) < PAGES_PER_PERSON and not failures:
        url = todo.popleft()
        if url in seen or kinds[_kind(url)] >= PAGES_OF_A_KIND:
            continue
        seen.add(url)
        kinds[_kind(url)] += 1
        response = ask("GET", url)
        if response is None or response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        for link in _LINK.findall(page):
            link = html.unescape(link)
            if not any(s in link for s in _SKIPPED) and not link.endswith(_FILES):
                todo.append(link)
        for tag, body in _FORM.findall(page):
            form = _attributes(tag)
            action = form.get("action") or url
            if form.get("method", "get").lower() != "post" or any(s in action for s in _SKIPPED):
                continue
            if forms_sent[_kind(action)] >= FORMS_OF_A_KIND or action in actions:
                continue
            forms_sent[_kind(action)] += 1
            actions.add(action)
            fields = set(_FIELD.findall(body)) - {"csrf_token"}
            for junk in JUNK:
                ask("POST", action, dict.fromkeys(fields, junk))
            _sign_in_again(client, email)
    return failures


def test_every_page_and_form_of_the_demo_answers_without_a_server_error(
    app: Flask, runner: Any
) -> None:
    assert runner.invoke(args=["demo", "--quiet"]).exit_code == 0
    assert runner.invoke(args=["demo", "--quiet", "--scale", "small"]).exit_code == 0
    # The administrator last: their forms change other people's accounts.
    people = [name for name in DEMO_USERS if name != "admin"] + ["admin"]
    failures = {name: _walk(app, demo_email(name)) for name in people}
    assert {name: found for name, found in failures.items() if found} == {}
