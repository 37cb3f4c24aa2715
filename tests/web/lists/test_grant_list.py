"""The fund manager's grants (/grants/manage) through the staff-list rules: each column sorts
both ways across page boundaries, filters combine and are counted, the CSV is what is shown."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.grants import queries
from app.grants.models import Grant
from app.grants.services.common import today
from app.platform.extensions import db
from devtools.seed.scale import FundGenerator, Scale
from tests.factories import user_with


def _references(html: str) -> list[str]:
    section = html.split('id="grants-heading"', 1)[1]
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<th scope="row"><a href="/grants/\d+">([^<]+)</a>', body)


def _walk(client, url: str) -> list[str]:
    seen: list[str] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        seen += _references(html)
        match = re.search(r'<a class="page-link" href="([^"#]+)"[^>]*>Next<', html)
        url = unescape(match.group(1)) if match else None
        assert len(seen) < 500
    return seen


@pytest.fixture
def fund(app):
    FundGenerator(Scale("grants", 2, 10, 80, 40, 3, 2, 1200, years=1), advance=lambda n: None).run()


def _overdue(grant: Grant) -> int:
    return 0 if any(queries.is_overdue(r, today()) for r in grant.reports) else 1


_KEYS = {
    "overdue": _overdue,
    "reference": lambda g: g.reference,
    "organisation": lambda g: g.organisation.name,
    "amount": lambda g: g.amount,
    "status": lambda g: g.status.value,
}


def _expected(key: str, descending: bool, keep=lambda g: True) -> list[str]:
    rows = [g for g in db.session.scalars(sa.select(Grant)) if keep(g)]
    rows.sort(key=lambda g: (_KEYS[key](g), g.id), reverse=descending)
    return [g.reference for g in rows]


@pytest.mark.parametrize("key", sorted(_KEYS))
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_each_column_sorts_across_page_boundaries(fund, sign_in, key, direction):
    client = sign_in(user_with(Role.FUND_MANAGER))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Grant)) > 25
    assert _walk(client, f"/grants/manage?sort={key}&dir={direction}") == _expected(
        key, direction == "desc"
    )


def test_filters_combine_counted_and_csv_is_what_is_shown(fund, sign_in):
    client = sign_in(user_with(Role.FUND_MANAGER))
    grant = db.session.scalars(sa.select(Grant).order_by(Grant.id)).first()
    country, status = grant.organisation.country, grant.status

    def keep(g):
        return g.organisation.country == country and g.status == status

    url = f"/grants/manage?country={country}&status={status.value}&sort=amount&dir=asc"
    expected = _expected("amount", False, keep)
    assert expected and _walk(client, url) == expected
    html = client.get(url).get_data(as_text=True)
    noun = "grant matches" if len(expected) == 1 else "grants match"
    assert f"{len(expected)} {noun}" in html
    csv_url = unescape(re.search(r'href="(/lists/grants\.csv[^"]*)"', html).group(1))
    rows = list(csv.reader(io.StringIO(client.get(csv_url, buffered=True).data.decode())))
    assert [row[0] for row in rows[1:]] == expected


def test_overdue_only_and_junk(fund, sign_in):
    client = sign_in(user_with(Role.FUND_MANAGER))
    expected = _expected("reference", True, lambda g: _overdue(g) == 0)
    assert _walk(client, "/grants/manage?overdue=1&sort=reference&dir=desc") == expected
    response = client.get("/grants/manage?sort=nope&overdue=perhaps&status=lost")
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert "cannot be sorted by “nope”" in html and "“perhaps” is not yes" in html
