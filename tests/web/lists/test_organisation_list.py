"""The fund's organisations list through the same staff-list rules: each column sorts both ways
across page boundaries, filters combine and are counted, junk is said, the CSV is what is shown."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.applications.models import DueDiligenceStatus, OrganisationProfile
from app.platform.extensions import db
from devtools.seed.scale import FundGenerator, Scale
from tests.factories import user_with


def _ids(html: str) -> list[int]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [int(i) for i in re.findall(r'<td><a href="/organisations/(\d+)">', body)]


def _walk(client, url: str) -> list[int]:
    seen: list[int] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        seen += _ids(html)
        match = re.search(r'<a class="page-link" href="([^"#]+)"[^>]*>Next<', html)
        url = unescape(match.group(1)) if match else None
        assert len(seen) < 500
    return seen


@pytest.fixture
def fund(app):
    FundGenerator(Scale("orgs", 2, 60, 10, 2, 3, 1, 80, years=1), advance=lambda n: None).run()


_KEYS = {
    "waiting": lambda p: 0 if p.status == DueDiligenceStatus.DOCUMENTS_SUBMITTED else 1,
    "name": lambda p: p.organisation.name,
    "country": lambda p: p.organisation.country or "",
    "status": lambda p: p.status.value,
    "risk": lambda p: p.risk_rating.value if p.risk_rating else "",
}


def _expected(key: str, descending: bool, keep=lambda p: True) -> list[int]:
    rows = [p for p in db.session.scalars(sa.select(OrganisationProfile)) if keep(p)]
    rows.sort(key=lambda p: (_KEYS[key](p), p.id), reverse=descending)
    return [p.organisation_id for p in rows]


@pytest.mark.parametrize("key", sorted(_KEYS))
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_each_column_sorts_across_page_boundaries(fund, sign_in, key, direction):
    client = sign_in(user_with(Role.FUND_MANAGER))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OrganisationProfile)) > 50
    assert _walk(client, f"/organisations/?sort={key}&dir={direction}") == _expected(
        key, direction == "desc"
    )


def test_filters_combine_counted_and_csv_is_what_is_shown(fund, sign_in):
    client = sign_in(user_with(Role.FUND_MANAGER))
    profile = db.session.scalars(sa.select(OrganisationProfile)).first()
    country, status = profile.organisation.country, profile.status

    def keep(p):
        return p.organisation.country == country and p.status == status

    url = f"/organisations/?country={country}&status={status.value}&sort=name&dir=desc"
    expected = _expected("name", True, keep)
    assert _walk(client, url) == expected
    html = client.get(url).get_data(as_text=True)
    noun = "organisation matches" if len(expected) == 1 else "organisations match"
    assert f"{len(expected)} {noun}" in html
    csv_url = unescape(re.search(r'href="(/lists/organisations\.csv[^"]*)"', html).group(1))
    rows = list(csv.reader(io.StringIO(client.get(csv_url, buffered=True).data.decode())))
    assert [int(row[0]) for row in rows[1:]] == expected


def test_junk_is_said(fund, sign_in):
    client = sign_in(user_with(Role.FUND_MANAGER))
    response = client.get("/organisations/?sort=secret&status=x&risk=y&flagged=maybe&country=1")
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    for said in (
        "cannot be sorted by “secret”",
        "“x” is not a status",
        "“y” is not a risk",
        "“maybe” is not yes",
        "“1” is not a country code",
    ):
        assert said in html
