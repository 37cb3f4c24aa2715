"""The statement's restricted section reconciles to the ledger; a donor's "where your money
went" shows the grants its restricted money paid and its share of the pool."""

from __future__ import annotations

from decimal import Decimal

from app.donations.services.restrictions import RestrictionTerms
from app.grants.models import ReportKind
from app.platform.db import utcnow
from app.reporting import statement
from app.reporting.money_went import funding, where_money_went
from app.reporting.statement import Period
from tests.funding_support import donor, paid_pledge
from tests.grants_support import (
    USD,
    activate,
    approved_application,
    award,
    complete_report,
    manager,
    officers,
    pay,
    report_of,
)


def test_the_statement_shows_restricted_net_assets_reconciled_to_the_ledger():
    norway, japan = donor("Norway"), donor("Japan")
    paid_pledge(japan, 20_000 * USD)
    _p, restriction = paid_pledge(
        norway, 5_650 * USD, terms=RestrictionTerms(theme="women_and_girls")
    )
    assert restriction is not None
    grant = activate(award(approved_application(amount=10_000 * USD)), manager())
    pay(grant.tranches[0], officers())  # 6,000: half restricted (5,650 of 11,300)
    today = utcnow().date()
    result = statement.statement(Period(today, today))
    assert result.reconciled, {k: s.difference for k, s in result.sections.items()}
    restricted = result.sections[statement.RESTRICTED]
    assert restricted.lines == {
        statement.CONTRIBUTIONS: 5_650 * USD,
        statement.COMMITTED: -5_650 * USD,
    }
    assert restricted.closing == 0
    assert result.restricted_by_kind == {"member_state": 5_650 * USD}
    assert result.contributions_by_kind == {"member_state": 20_000 * USD}
    available = result.sections[statement.AVAILABLE]
    assert available.lines[statement.CONTRIBUTIONS] == 20_000 * USD
    assert available.lines[statement.COMMITTED] == -5_650 * USD

    # Where the money went: Norway's restricted money paid half of the 6,000, Japan's pooled
    # money (all of the pool) the other half.
    figures = funding()
    assert figures.disbursed == 6_000 * USD
    assert figures.totals_by_donor() == {norway.id: 3_000 * USD, japan.id: 3_000 * USD}
    flow = where_money_went(norway.id, figures=figures)
    assert (flow.restricted, flow.pooled) == (3_000 * USD, 0)
    assert [(line.reference, line.restricted) for line in flow.grants] == [
        (grant.reference, 3_000 * USD)
    ]
    assert flow.restricted_balances == [(restriction, 0)]
    japan_flow = where_money_went(japan.id, figures=figures)
    assert (japan_flow.restricted, japan_flow.pooled) == (0, 3_000 * USD)
    assert japan_flow.pool_share_percent == Decimal("100.00")


def test_people_assisted_are_shown_and_small_counts_hidden():
    norway = donor("Norway")
    paid_pledge(norway, 20_000 * USD)
    grant = activate(award(approved_application(amount=10_000 * USD)), manager())
    pay(grant.tranches[0], officers())
    assert where_money_went(norway.id).people == 0
    complete_report(report_of(grant, ReportKind.PROGRESS))  # 15 people
    flow = where_money_went(norway.id)
    assert flow.people == 15
    assert flow.grants[0].people == 15


def test_the_pool_is_shared_by_what_donors_gave_before_card_fees():
    from app.donations.memory_gateway import MemoryGateway
    from tests.donations_support import seed_fund, start_and_confirm
    from tests.reporting_support import succeed

    seed_fund(1_000 * USD)  # money from no donor: "other sources"
    gateway = MemoryGateway(fee_percent=3, fee_fixed=30)
    gift = succeed(gateway, start_and_confirm(gateway, amount=250 * USD))
    weights = funding().pool_weights
    assert weights == {gift.donor_id: 250 * USD, None: 1_000 * USD}
