"""The fund's application list pages by keyset: every application once, newest first."""

from __future__ import annotations

import re
from html import unescape

import sqlalchemy as sa

from app.accounts.models import Role
from app.applications.models import Application
from app.platform.extensions import db
from devtools.seed.scale import FundGenerator, Scale
from tests.factories import user_with


def _references(html: str) -> list[str]:
    return re.findall(r"APP-\d{5}", html)


def _link(html: str, label: str) -> str | None:
    match = re.search(r'<a class="page-link" href="([^"#]+)"[^>]*>' + label + "<", html)
    return unescape(match.group(1)) if match else None


def test_next_and_previous_walk_every_application_once(app, sign_in):
    FundGenerator(Scale("paging", 2, 4, 60, 2, 3, 1, 80, years=1), advance=lambda n: None).run()
    client = sign_in(user_with(Role.FUND_MANAGER))
    expected = [
        f"APP-{i:05d}"
        for i in db.session.scalars(
            sa.select(Application.id).order_by(Application.updated_at.desc(), Application.id.desc())
        )
    ]

    pages, url = [], "/applications/all"
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append((url, html))
        url = _link(html, "Next")

    seen = [ref for _url, html in pages for ref in _references(html)]
    assert seen == expected
    assert len(pages) == 3  # 60 applications, 25 a page
    back = _link(pages[-1][1], "Previous")
    assert back is not None
    assert _references(client.get(back).get_data(as_text=True)) == _references(pages[1][1])


def test_a_malformed_cursor_shows_the_first_page(sign_in):
    client = sign_in(user_with(Role.FUND_MANAGER))
    assert client.get("/applications/all?after=junk.x").status_code == 200
    assert client.get("/applications/all?before=99999999999999999999999.1").status_code == 200
