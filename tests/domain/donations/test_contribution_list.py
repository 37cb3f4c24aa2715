"""The finance list of contributions: pages, totals and the full export agree with each other.

Gifts are paged and summed in SQL and pledges merged in (app/donations/reports/), so
these tests compare every page and every total with the plain list of all rows.
"""

from __future__ import annotations

import pytest

from app.donations.reports.contributions import (
    ContributionFilter,
    ContributionKind,
    contribution_page,
    iter_contributions,
)
from app.donations.reports.totals import contribution_totals
from tests.donations_support import listed_totals, start_and_confirm
from tests.reporting_support import build_scenario, succeed


def _identity(rows):
    return [(row.kind, row.record_id) for row in rows]


@pytest.fixture
def fund(app):
    scenario = build_scenario()  # card gifts (one partly refunded), a part-paid pledge
    for number in range(7):
        gift = start_and_confirm(
            scenario.gateway,
            amount=(number + 1) * 10_00,
            email=f"giver{number}@example.org",
            name=f"Giver {number}",
            public=False,
        )
        if number != 3:  # one stays pending: listed, not counted
            succeed(scenario.gateway, gift)
    return scenario


@pytest.mark.parametrize(
    "filters",
    [
        ContributionFilter(),
        ContributionFilter(kind=ContributionKind.ONE_OFF_GIFT),
        ContributionFilter(kind=ContributionKind.PLEDGE),
        ContributionFilter(status="succeeded"),
        ContributionFilter(currency="USD"),
    ],
)
def test_every_page_and_the_totals_agree_with_the_whole_list(fund, filters):
    everything = list(iter_contributions(filters))
    assert everything, "the scenario should match something"
    newest_first = sorted(
        everything, key=lambda row: (row.day, row.kind.value, row.record_id), reverse=True
    )
    assert _identity(everything) == _identity(newest_first)

    paged = []
    for number in range(1, len(everything) // 3 + 2):
        rows, matching = contribution_page(filters, page=number, per_page=3)
        assert matching == len(everything)
        paged += rows
    assert _identity(paged) == _identity(everything)
    assert paged == everything  # the same figures on each row, not only the same rows

    assert contribution_totals(filters) == listed_totals(everything)


def test_a_page_past_the_end_is_empty(fund):
    rows, matching = contribution_page(ContributionFilter(), page=99, per_page=25)
    assert rows == [] and matching > 0


def test_pending_gifts_are_listed_but_not_counted(fund):
    pending = ContributionFilter(status="pending")
    rows = list(iter_contributions(pending))
    assert len(rows) == 1
    figures = contribution_totals(pending)
    assert figures.rows == 1 and figures.functional == 0 and dict(figures.by_currency) == {}
