"""An NGO member's applications (/applications/) a page at a time: the last changed first, every
application once, 25 a page; a handful shows as before, without a pager."""

from __future__ import annotations

import re
from html import unescape

import sqlalchemy as sa

from app.accounts.models import Organisation, Role
from app.applications.models import Application
from app.platform.extensions import db
from devtools.seed.scale import FundGenerator, Scale
from tests.factories import MembershipFactory, user_with


def _references(html: str) -> list[str]:
    return re.findall(r"APP-\d{5}", html)


def _link(html: str, label: str) -> str | None:
    match = re.search(r'<a class="page-link" href="([^"#]+)"[^>]*>' + label + "<", html)
    return unescape(match.group(1)) if match else None


def _member_of(organisations: list[Organisation]) -> object:
    user = user_with(Role.APPLICANT)
    for organisation in organisations:
        MembershipFactory(user=user, organisation=organisation)
    db.session.flush()
    return user


def test_pages_walk_every_application_of_the_members_organisations_once(app, sign_in):
    FundGenerator(Scale("paging", 2, 6, 60, 2, 3, 1, 80, years=1), advance=lambda n: None).run()
    organisations = list(db.session.scalars(sa.select(Organisation).order_by(Organisation.id)))
    mine = organisations[: len(organisations) - 1]  # not the last one: never shown
    client = sign_in(_member_of(mine))
    expected = [
        f"APP-{i:05d}"
        for i in db.session.scalars(
            sa.select(Application.id)
            .where(Application.organisation_id.in_([o.id for o in mine]))
            .order_by(Application.updated_at.desc(), Application.id.desc())
        )
    ]
    assert len(expected) > 25

    pages, url = [], "/applications/"
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append(html)
        url = _link(html, "Next")

    assert [ref for html in pages for ref in _references(html)] == expected
    assert [len(_references(html)) for html in pages[:-1]] == [25] * (len(pages) - 1)
    back = _link(pages[-1], "Previous")
    assert back is not None
    assert _references(client.get(back).get_data(as_text=True)) == _references(pages[-2])
    first = _link(pages[-1], "First")
    assert first is not None
    assert _references(client.get(first).get_data(as_text=True)) == _references(pages[0])


def test_a_handful_of_applications_shows_no_pager_and_junk_cursors_the_first_page(app, sign_in):
    FundGenerator(Scale("few", 2, 3, 6, 1, 2, 1, 20, years=1), advance=lambda n: None).run()
    busiest = (
        sa.select(Application.organisation_id)
        .group_by(Application.organisation_id)
        .order_by(sa.func.count().desc(), Application.organisation_id)
        .limit(1)
    )
    organisation = db.session.scalars(
        sa.select(Organisation).where(Organisation.id.in_(busiest))
    ).one()
    client = sign_in(_member_of([organisation]))
    html = client.get("/applications/").get_data(as_text=True)
    shown = _references(html)
    assert 0 < len(shown) < 25
    assert 'class="pagination"' not in html
    for junk in ("after=junk", "before=W1siaSIsMV1d", "after=W1sicyIsIngiXSxbImkiLDFdXQ"):
        answer = client.get(f"/applications/?{junk}")
        assert answer.status_code == 200
        assert _references(answer.get_data(as_text=True)) == shown
