"""Dashboard figures and the period statement, to the cent, against the ledger."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.applications.models import ApplicationStatus
from app.ledger import chart
from app.ledger.verify import verify_ledger
from app.platform.db import utcnow
from app.reporting import activity, balances, contributions, grants, people, statement
from app.reporting.statement import Period
from tests.grants_support import USD, balance
from tests.reporting_support import build_scenario

COMMITMENT = 11_300 * USD  # USD 10,000 + 13 % programme support cost
GIFTS = 250_00 + 80_00
FEES = 780 + 270  # 3 % + 30 cents on each card gift
DONOR_REFUNDS = 30_00


@pytest.fixture
def scenario(app):
    return build_scenario()


def test_key_figures_come_from_the_ledger_to_the_cent(scenario):
    tranche = scenario.tranche
    figures = balances.key_figures()

    assert figures.available == 60_000 * USD + GIFTS - FEES - DONOR_REFUNDS - COMMITMENT
    assert figures.available == balance(chart.FUND_AVAILABLE).available
    assert figures.pledged_unpaid == 40_000 * USD
    assert figures.committed_total == COMMITMENT
    assert figures.disbursed == tranche.amount
    assert figures.psc == tranche.psc_amount > 0
    assert figures.committed_outstanding == COMMITMENT - tranche.amount - tranche.psc_amount
    assert figures.in_transit == 0
    assert verify_ledger().ok


def test_the_statement_reconciles_to_the_ledger(scenario):
    today = utcnow().date()
    result = statement.statement(Period(today - timedelta(days=1), today))

    available = result.sections[statement.AVAILABLE]
    assert available.opening == 0
    assert result.contributions_by_kind == {
        "member_state": 60_000 * USD,
        "individual": GIFTS,
    }
    assert available.lines[statement.CONTRIBUTIONS] == 60_000 * USD + GIFTS
    assert available.lines[statement.FEES] == -FEES
    assert available.lines[statement.DONOR_REFUNDS] == -DONOR_REFUNDS
    assert available.lines[statement.COMMITTED] == -COMMITMENT
    assert available.closing == balances.key_figures().available
    assert available.difference == 0

    commitments = result.sections[statement.COMMITMENTS]
    assert commitments.lines == {
        statement.COMMITTED: COMMITMENT,
        statement.DISBURSED: -scenario.tranche.amount,
        statement.PSC_CHARGED: -scenario.tranche.psc_amount,
    }
    pledges = result.sections[statement.PLEDGES]
    assert pledges.lines == {
        statement.PLEDGES_CONFIRMED: 100_000 * USD,
        statement.PLEDGES_PAID: -60_000 * USD,
    }
    assert pledges.closing == 40_000 * USD
    assert result.reconciled


def test_a_period_before_everything_has_the_movements_in_its_closing_balance(scenario):
    today = utcnow().date()
    before = statement.statement(Period(date(2020, 1, 1), today - timedelta(days=1)))
    assert before.sections[statement.AVAILABLE].opening == 0
    assert before.sections[statement.AVAILABLE].closing == 0
    assert before.reconciled

    later = statement.statement(Period(today + timedelta(days=1), today + timedelta(days=2)))
    section = later.sections[statement.AVAILABLE]
    assert section.opening == section.closing == balances.key_figures().available
    assert section.lines == {}
    assert later.reconciled


def test_a_gift_the_donor_breakdown_misses_is_flagged(scenario, monkeypatch):
    monkeypatch.setattr(
        statement, "contributions_by_kind", lambda period, fund_id: {"individual": GIFTS}
    )
    today = utcnow().date()
    result = statement.statement(Period(today, today))
    assert result.sections[statement.AVAILABLE].difference == 60_000 * USD
    assert not result.reconciled


def test_contributions_by_year_and_kind_are_net_of_refunds(scenario):
    year = utcnow().year
    assert contributions.by_year_and_kind()[year] == {
        "member_state": 60_000 * USD,
        "individual": GIFTS - DONOR_REFUNDS,
    }


def test_donors_are_named_only_when_governments_or_when_they_chose_to_be(scenario):
    table = contributions.by_donor()
    assert [(line.name, line.amount) for line in table.lines] == [
        ("Norway", 60_000 * USD),
        ("Ada Giver", 250_00),
    ]
    assert table.others == 80_00 - DONOR_REFUNDS
    assert table.total == 60_000 * USD + GIFTS - DONOR_REFUNDS


def test_grants_by_country_region_and_theme(scenario):
    lines = grants.by_country()
    assert [(line.country, line.grants, line.amount) for line in lines] == [("NG", 1, 10_000 * USD)]
    regions = grants.by_region(lines)
    assert [(r.region.value, r.amount) for r in regions] == [("002", 10_000 * USD)]
    totals = grants.grant_totals()
    assert (totals.grants, totals.amount, totals.psc) == (1, 10_000 * USD, 1_300 * USD)


def test_a_grant_in_several_countries_is_split_to_the_cent(scenario):
    scenario.grant.application.countries = ["NG", "GH", "BJ"]
    scenario.grant.amount = 10_000 * USD + 1
    lines = {line.country: line.amount for line in grants.by_country()}
    assert lines == {"NG": 333_335, "GH": 333_333, "BJ": 333_333}
    assert sum(lines.values()) == 10_000 * USD + 1


def test_disbursements_by_month(scenario):
    today = utcnow().date()
    months = grants.disbursements_by_month(since=today.replace(day=1))
    assert months == {(today.year, today.month): scenario.tranche.amount}


def test_people_assisted_from_accepted_reports(scenario):
    counted = people.people_assisted()
    assert counted.sex_age["female.adult"] == 12
    assert counted.sex_age["female.child"] == 3
    assert counted.sex_age["male.adult"] == 0
    assert counted.exploitation["sexual_exploitation"] == 15
    assert counted.total == 15


def test_applications_by_status_and_nothing_overdue_yet(scenario):
    counts = activity.applications_by_status()
    # Every status is listed, in workflow order; the scenario's one application was approved.
    assert list(counts) == list(ApplicationStatus)
    assert {status: count for status, count in counts.items() if count} == {
        ApplicationStatus.APPROVED: 1
    }
    assert activity.overdue(utcnow().date()) == activity.Overdue(
        reports=0, tranches=0, tranche_amount=0
    )


def test_themes_count_each_grant_once_per_theme(scenario):
    lines = {line.theme: (line.grants, line.amount) for line in grants.by_theme()}
    assert lines == {
        "women_and_girls": (1, 10_000 * USD),
        "children": (1, 10_000 * USD),
    }
    (country,) = grants.by_country()
    assert country.themes == {"women_and_girls", "children"}


def test_money_nobody_has_matched_yet_is_unidentified(scenario):
    from app.donations import services as donations
    from tests.donations_support import finance_user

    donations.record_bank_receipt(
        actor=finance_user(),
        value_date=utcnow().date(),
        amount=5_000 * USD,
        currency="USD",
        bank_reference="UNKNOWN-1",
    )
    year = utcnow().year
    assert contributions.by_year_and_kind()[year]["unidentified"] == 5_000 * USD
    table = contributions.by_donor()
    assert table.others == 80_00 - DONOR_REFUNDS + 5_000 * USD
