"""Finance's contributions (/donations/contributions) through the staff-list rules: each column
sorts both ways across page boundaries (gifts and pledges together), filters combine and are
counted, words find a donor, junk is said, the CSV is exactly what is shown."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.donations.models import Gift, GiftKind, Pledge
from app.platform.extensions import db
from devtools.seed.scale import FundGenerator, Scale
from tests.factories import user_with


def _keys(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        f"{kind}{number}" for kind, number in re.findall(r'<a href="/(gifts|pledges)/(\d+)">', body)
    ]


def _walk(client, url: str) -> list[str]:
    seen: list[str] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        seen += _keys(html)
        match = re.search(r'<a class="page-link" href="([^"#]+)"[^>]*>Next<', html)
        url = unescape(match.group(1)) if match else None
        assert len(seen) < 800
    return seen


@pytest.fixture
def fund(app):
    FundGenerator(Scale("gifts", 2, 4, 6, 1, 40, 6, 150, years=1), advance=lambda n: None).run()


def _entries() -> list[dict]:
    rows = []
    for gift in db.session.scalars(sa.select(Gift)):
        moment = gift.succeeded_at or gift.created_at
        rows.append(
            {
                "key": gift.id * 2,
                "name": f"gifts{gift.id}",
                "date": moment.date(),
                "kind": "monthly_gift" if gift.kind == GiftKind.MONTHLY else "one_off_gift",
                "donor": gift.donor_name,
                "status": gift.status.value,
                "amount": gift.amount,
                "value": gift.functional_amount or 0,
                "received": gift.net_functional_amount,
                "outstanding": 0,
                "currency": gift.currency,
            }
        )
    for pledge in db.session.scalars(sa.select(Pledge)):
        rows.append(
            {
                "key": pledge.id * 2 + 1,
                "name": f"pledges{pledge.id}",
                "date": pledge.confirmed_on or pledge.created_at.date(),
                "kind": "pledge",
                "donor": pledge.donor.name,
                "status": pledge.status.value,
                "amount": pledge.amount,
                "value": pledge.functional_amount or 0,
                "received": pledge.paid_functional_amount,
                "outstanding": pledge.outstanding_amount,
                "currency": pledge.currency,
            }
        )
    return rows


_SORTS = ["date", "kind", "donor", "status", "amount", "value", "received", "outstanding"]
# Amount sorts by what a contribution is worth in the functional currency (its value), not by
# its number of minor units: 50,000 yen is less than 1,000 dollars.
_SORTED_BY = {"amount": "value"}


def _expected(key: str, descending: bool, keep=lambda r: True) -> list[str]:
    rows = [r for r in _entries() if keep(r)]
    by = _SORTED_BY.get(key, key)
    rows.sort(key=lambda r: (r[by], r["key"]), reverse=descending)
    return [r["name"] for r in rows]


@pytest.mark.parametrize("key", _SORTS)
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_each_column_sorts_across_page_boundaries(fund, sign_in, key, direction):
    client = sign_in(user_with(Role.FINANCE))
    entries = _entries()
    assert len(entries) > 25 and any(r["kind"] == "pledge" for r in entries)
    assert _walk(client, f"/donations/contributions?sort={key}&dir={direction}") == _expected(
        key, direction == "desc"
    )


def test_filters_and_words_combine_counted_and_csv_is_what_is_shown(fund, sign_in):
    client = sign_in(user_with(Role.FINANCE, Role.FUND_MANAGER))
    some = next(r for r in _entries() if r["kind"] != "pledge")
    word = some["donor"].split()[0]

    def keep(r):
        return r["currency"] == some["currency"] and word.lower() in r["donor"].lower()

    url = (
        f"/donations/contributions?currency={some['currency'].lower()}&q={word}&sort=amount&dir=asc"
    )
    expected = _expected("amount", False, keep)
    assert expected and _walk(client, url) == expected
    html = client.get(url).get_data(as_text=True)
    noun = "contribution matches" if len(expected) == 1 else "contributions match"
    assert f"{len(expected)} {noun}" in html
    row_noun = "row" if len(expected) == 1 else "rows"
    assert f"Totals ({len(expected)} {row_noun})" in html  # the totals are of what is listed
    csv_url = unescape(re.search(r'href="(/lists/contributions\.csv[^"]*)"', html).group(1))
    rows = list(csv.reader(io.StringIO(client.get(csv_url, buffered=True).data.decode())))
    assert rows[0][:3] == ["kind", "id", "date"] and rows[0][9].startswith("amount_")
    kinds = {"one_off_gift": "gifts", "monthly_gift": "gifts", "pledge": "pledges"}
    assert [f"{kinds[row[0]]}{row[1]}" for row in rows[1:]] == expected


def test_one_donors_contributions_are_named_and_left_for_all_donors(fund, sign_in):
    """No drop-down of every donor (thousands, on a slow line): search leads to one donor's
    contributions, named, with a way back to all donors that keeps the other filters."""
    client = sign_in(user_with(Role.FINANCE))
    everyone = client.get("/donations/contributions").get_data(as_text=True)
    assert 'name="donor"' not in everyone and "All donors" not in everyone
    pledge = db.session.scalars(sa.select(Pledge)).first()
    donor = pledge.donor
    url = f"/donations/contributions?donor={donor.id}&kind=pledge"
    html = unescape(client.get(url).get_data(as_text=True))
    assert f"<strong>{donor.name}</strong>" in html
    assert f'<input type="hidden" name="donor" value="{donor.id}">' in html
    expected = _expected("date", True, lambda r: r["kind"] == "pledge" and r["donor"] == donor.name)
    assert expected and _walk(client, url) == expected
    back = re.search(r'<a href="([^"]+)">All donors</a>', html).group(1)
    assert "donor=" not in back and "kind=pledge" in back
    every_pledge = _expected("date", True, lambda r: r["kind"] == "pledge")
    assert _walk(client, back) == every_pledge


def test_a_number_finds_the_gift_and_junk_is_said(fund, sign_in):
    client = sign_in(user_with(Role.FINANCE))
    gift = db.session.scalars(sa.select(Gift).order_by(Gift.id.desc())).first()
    found = _walk(client, f"/donations/contributions?q=%23{gift.id}")
    assert f"gifts{gift.id}" in found
    # One row is one row, in each language (fresh-eyes finding: "Totals (1 rows)").
    one = client.get(f"/donations/contributions?q=%23{gift.id}").get_data(as_text=True)
    assert "Totals (1 row)" in one
    french = client.get(
        f"/donations/contributions?q=%23{gift.id}", headers={"Accept-Language": "fr"}
    ).get_data(as_text=True)
    assert "Totaux (1 ligne)" in french
    response = client.get("/donations/contributions?sort=nope&kind=cheque&year=soon&status=lost")
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert "cannot be sorted by “nope”" in html and "“cheque” is not a kind" in html
    assert "“soon” is not a year" in html and "“lost” is not a status" in html


def test_other_roles_may_not_see_the_list_or_its_csv(fund, sign_in):
    client = sign_in(user_with(Role.REVIEWER))
    assert client.get("/donations/contributions").status_code == 403
    assert client.get("/lists/contributions.csv").status_code == 403
