"""Finance's tranches (/grants/disbursements, the list under the queue) through the staff-list
rules: each column sorts both ways across page boundaries, filters combine and are counted,
?state=overdue is the dashboard's figure, junk is said, the CSV is exactly what is shown."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from html import unescape

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.grants import tranche_queries as queries
from app.grants.models import Tranche
from app.grants.services.common import today
from app.platform.extensions import db
from devtools.seed.scale import FundGenerator, Scale
from tests.factories import user_with


def _ids(html: str) -> list[int]:
    section = html.split('id="all-tranches"', 1)[1]
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [int(i) for i in re.findall(r'<th scope="row"><a href="/grants/tranches/(\d+)">', body)]


def _walk(client, url: str) -> list[int]:
    seen: list[int] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        seen += _ids(html)
        match = re.search(r'<a class="page-link" href="([^"#]+)"[^>]*>Next<', html)
        url = unescape(match.group(1)) if match else None
        assert len(seen) < 800
    return seen


@pytest.fixture
def fund(app):
    FundGenerator(
        Scale("tranches", 2, 10, 60, 20, 3, 2, 600, years=1), advance=lambda n: None
    ).run()


_NEVER = datetime(1970, 1, 1, tzinfo=UTC)
_KEYS = {
    "planned": lambda t: t.planned_date,
    "reference": lambda t: t.grant.reference,
    "organisation": lambda t: t.grant.organisation.name,
    "amount": lambda t: t.amount,
    "status": lambda t: t.status.value,
    "paid": lambda t: t.confirmed_at or _NEVER,
}


def _expected(key: str, descending: bool, keep=lambda t: True) -> list[int]:
    rows = [t for t in db.session.scalars(sa.select(Tranche)) if keep(t)]
    rows.sort(key=lambda t: (_KEYS[key](t), t.id), reverse=descending)
    return [t.id for t in rows]


@pytest.mark.parametrize("key", sorted(_KEYS))
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_each_column_sorts_across_page_boundaries(fund, sign_in, key, direction):
    client = sign_in(user_with(Role.FINANCE))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Tranche)) > 25
    assert _walk(client, f"/grants/disbursements?sort={key}&dir={direction}") == _expected(
        key, direction == "desc"
    )


def test_filters_combine_counted_and_csv_is_what_is_shown(fund, sign_in):
    client = sign_in(user_with(Role.FINANCE, Role.FUND_MANAGER))
    tranche = db.session.scalars(sa.select(Tranche).order_by(Tranche.id)).first()
    country, status = tranche.grant.organisation.country, tranche.status

    def keep(t):
        return t.grant.organisation.country == country and t.status == status

    url = f"/grants/disbursements?country={country}&state={status.value}&sort=amount&dir=asc"
    expected = _expected("amount", False, keep)
    assert expected and _walk(client, url) == expected
    html = client.get(url).get_data(as_text=True)
    noun = "tranche matches" if len(expected) == 1 else "tranches match"
    assert f"{len(expected)} {noun}" in html
    csv_url = unescape(re.search(r'href="(/lists/tranches\.csv[^"]*)"', html).group(1))
    rows = list(csv.reader(io.StringIO(client.get(csv_url, buffered=True).data.decode())))
    by_reference = {t.reference: t.id for t in db.session.scalars(sa.select(Tranche))}
    assert [by_reference[row[0]] for row in rows[1:]] == expected


def test_overdue_is_the_dashboards_figure_and_words_find_a_grant(fund, sign_in):
    client = sign_in(user_with(Role.FINANCE))
    overdue = {t.id for t in db.session.scalars(queries.overdue_tranches(on=today()))}
    assert set(_walk(client, "/grants/disbursements?state=overdue")) == overdue
    tranche = db.session.scalars(sa.select(Tranche).order_by(Tranche.id)).first()
    reference = tranche.grant.reference
    found = _walk(client, f"/grants/disbursements?q={reference}")
    assert tranche.id in found
    assert found == _expected("planned", False, lambda t: reference in t.grant.reference)


def test_junk_is_said(fund, sign_in):
    client = sign_in(user_with(Role.FINANCE))
    response = client.get("/grants/disbursements?sort=nope&state=lost&currency=dollars")
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert "cannot be sorted by “nope”" in html and "“lost” is not a state" in html
    assert "“dollars” is not a currency code" in html


def test_the_state_filter_names_each_state_in_words(app, sign_in):
    client = sign_in(user_with(Role.FINANCE))
    html = client.get("/grants/disbursements").get_data(as_text=True)
    options = re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', html)
    states = dict(options)
    assert (
        states["cancelled"] == "Cancelled" and states["sent"] == "Sent, awaiting bank confirmation"
    )
    assert all(value != text for value, text in options)
