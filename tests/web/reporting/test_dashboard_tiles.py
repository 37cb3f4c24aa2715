"""Every tile of the dashboard is a link, and a counting tile's link lists exactly what it
counts: the number on the tile is the number of rows on the page it opens."""

from __future__ import annotations

import re

import pytest

from app.accounts.models import Role
from app.platform.extensions import db
from tests.factories import user_with
from tests.grants_support import USD, active_grant, days_ago, fund

TILE = re.compile(
    r'<p class="card-subtitle[^"]*"><a href="(?P<href>[^"]+)">(?P<title>[^<]+)</a></p>\s*'
    r'<p class="figure-value[^"]*">(?P<value>[^<]+)</p>'
)


def _tiles(page: str) -> dict[str, tuple[str, str]]:
    return {
        m["title"]: (m["href"].replace("&amp;", "&"), m["value"].strip())
        for m in TILE.finditer(page)
    }


def _rows(page: str, table_id: str) -> int:
    table = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', page, re.S)
    return 0 if table is None else len(re.findall(r"<tr[ >]", table.group(1)))


@pytest.fixture
def overdue_work():
    """Two grants: three reports and two tranches overdue, one of each not yet due."""
    fund(500_000 * USD)
    first, second = active_grant(), active_grant()
    for report, due in zip(first.reports[:2] + second.reports[:1], (5, 40, 1), strict=True):
        report.due_date = days_ago(due)
    second.reports[1].due_date = days_ago(-30)
    unpaid = [*first.tranches, second.tranches[0]]
    unpaid[0].planned_date = days_ago(10)
    unpaid[1].planned_date = days_ago(2)
    unpaid[2].planned_date = days_ago(-10)
    db.session.flush()


@pytest.mark.parametrize("role", [Role.FUND_MANAGER, Role.FINANCE, Role.AUDITOR, Role.BOARD])
def test_each_counting_tile_lists_exactly_what_it_counts(client, sign_in, overdue_work, role):
    sign_in(user_with(role))
    tiles = _tiles(client.get("/dashboard").get_data(as_text=True))
    checked = 0
    for title, table_id in (
        ("Overdue reports", "outstanding-reports"),
        ("Overdue tranches", "overdue-tranches"),
    ):
        if title not in tiles:
            continue  # a reader who may not open the list sees the figure without a link
        href, value = tiles[title]
        listed = client.get(href)
        assert listed.status_code == 200, href
        assert _rows(listed.get_data(as_text=True), table_id) == int(value) > 0, title
        checked += 1
    expected = {Role.FUND_MANAGER: 2, Role.AUDITOR: 2, Role.FINANCE: 1, Role.BOARD: 0}
    assert checked == expected[role]


def test_every_tile_links_somewhere_the_reader_may_open(client, sign_in, overdue_work):
    sign_in(user_with(Role.FUND_MANAGER))
    page = client.get("/dashboard").get_data(as_text=True)
    tiles = _tiles(page)
    assert len(tiles) == page.count("figure-card") == 9
    for title, (href, _value) in tiles.items():
        assert client.get(href).status_code == 200, title


def test_the_full_lists_still_show_what_is_not_overdue(client, sign_in, overdue_work):
    sign_in(user_with(Role.FUND_MANAGER))
    assert _rows(client.get("/grants/reports").get_data(as_text=True), "outstanding-reports") > 3
    everything = client.get("/grants/disbursements").get_data(as_text=True)
    assert 'id="overdue-tranches"' not in everything
