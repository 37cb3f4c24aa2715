"""Restricted and unrestricted money held for grants, as separate figures read from the ledger,
reconciled: together they are the fund's balance, to the cent, however it is added up."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.donations.services.restrictions import RestrictionTerms
from app.ledger import chart
from app.ledger.models import Account, AccountType
from app.ledger.verify import verify_ledger
from app.platform.extensions import db
from app.reporting import balances
from app.reporting.transparency import transparency
from tests.funding_support import donor, paid_pledge, restricted_balance
from tests.grants_support import USD, approved_application, award, balance
from tests.reporting_support import build_scenario

UNRESTRICTED = 60_000 * USD + 250_00 + 80_00 - (780 + 270) - 30_00 - 11_300 * USD
RESTRICTED = 5_000 * USD - 2_260 * USD  # a grant of 2,000 + 13 % support cost used the rest


@pytest.fixture
def scenario(app):
    built = build_scenario()
    _pledge, restriction = paid_pledge(
        donor("Japan"), 5_000 * USD, terms=RestrictionTerms(theme="women_and_girls")
    )
    award(approved_application(amount=2_000 * USD))
    return built, restriction


def _sum(accounts: sa.ColumnElement[bool]) -> int:
    a = Account.__table__.c
    total = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(a.credits_posted - a.debits_posted), 0)).where(
            accounts
        )
    ).scalar_one()
    return int(total)


def test_restricted_and_unrestricted_are_separate_figures_from_the_ledger(scenario):
    _built, restriction = scenario
    figures = balances.key_figures()

    assert figures.unrestricted == figures.available == UNRESTRICTED
    assert figures.unrestricted == balance(chart.FUND_AVAILABLE).available
    assert figures.restricted == RESTRICTED == restricted_balance(restriction)
    assert verify_ledger().ok


def test_together_they_are_the_funds_balance_to_the_cent(scenario):
    figures = balances.key_figures()
    a = Account.__table__.c

    # Every net-assets account but the pledges not yet received, added up on its own.
    net_assets = _sum(sa.and_(a.type == AccountType.NET_ASSETS, a.key != chart.FUND_PLEDGED))
    assert figures.restricted + figures.unrestricted == figures.held_for_grants == net_assets

    # And by double entry: what the fund has (cash, pledges receivable) less what it owes or
    # has earned (grants committed and unpaid, support cost) and the pledges not yet received.
    owned = -_sum(a.type == AccountType.ASSET)
    owed = _sum(a.type.in_([AccountType.LIABILITY, AccountType.REVENUE]))
    assert owned - owed - balances.key_figures().pledged_unpaid == figures.held_for_grants


def test_the_public_figures_are_the_same(scenario):
    data = transparency()
    figures = balances.key_figures()
    assert (data.unrestricted, data.restricted) == (figures.unrestricted, figures.restricted)
    assert data.held_for_grants == figures.held_for_grants
