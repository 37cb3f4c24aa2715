"""Finance's dashboard and the public transparency page show restricted and unrestricted money
held for grants as separate figures, with their total (read from the ledger)."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.donations.services.restrictions import RestrictionTerms
from tests.factories import user_with
from tests.funding_support import donor, paid_pledge
from tests.grants_support import USD, approved_application, award
from tests.reporting_support import build_scenario

# 60,000 + 330 gifts - 10.50 fees - 30 refund - 11,300 committed (tests/reporting_support.py).
UNRESTRICTED = "48,989.50"
RESTRICTED = "2,740.00"  # 5,000 restricted, 2,260 of it committed to a matching grant
HELD = "51,729.50"


@pytest.fixture
def scenario(app):
    build_scenario()
    paid_pledge(donor("Japan"), 5_000 * USD, terms=RestrictionTerms(theme="women_and_girls"))
    award(approved_application(amount=2_000 * USD))


def test_finance_sees_both_balances_and_their_total_on_the_dashboard(client, sign_in, scenario):
    sign_in(user_with(Role.FINANCE))
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Available for grants, unrestricted" in page and UNRESTRICTED in page
    assert "Restricted, not yet committed" in page and RESTRICTED in page
    assert HELD in page
    assert 'href="/donations/restricted"' in page  # the tile opens the restricted balances


def test_the_board_sees_the_figures_without_the_link(client, sign_in, scenario):
    sign_in(user_with(Role.BOARD))
    page = client.get("/dashboard").get_data(as_text=True)
    assert RESTRICTED in page and 'href="/donations/restricted"' not in page


def test_the_public_page_shows_both_balances_and_their_total(client, scenario):
    page = client.get("/transparency").get_data(as_text=True)
    assert "Money held for grants" in page
    assert UNRESTRICTED in page and RESTRICTED in page and HELD in page


def test_the_json_api_gives_the_same_figures(client, scenario):
    totals = client.get("/api/v1/transparency").get_json()["totals"]
    assert totals["unrestricted"] == {"amount_minor": 48_989_50, "currency": "USD"}
    assert totals["restricted"] == {"amount_minor": 2_740_00, "currency": "USD"}
    assert totals["held_for_grants"]["amount_minor"] == 48_989_50 + 2_740_00
