"""Restricted contributions through the real services: paid to their own balance, used first
by the grants that match, given back at closure to the balance they came from."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.donations.services.restrictions import RestrictionTerms, restrict_pledge
from app.funding.services import grant_sources, restricted_key
from app.grants import services as grants
from app.grants.models import GrantStatus, ReportKind
from app.ledger import chart
from app.ledger.models import TransferCode
from app.ledger.services.transfers import transfers_for_document
from app.ledger.verify import verify_ledger
from app.platform.errors import Conflict, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from tests.donations_support import finance_user
from tests.factories import user_with
from tests.funding_support import donor, paid_pledge, restricted_balance
from tests.grants_support import (
    USD,
    activate,
    approved_application,
    available,
    award,
    complete_report,
    days_ago,
    finance,
    fund,
    manager,
    officers,
    pay,
    report_of,
    spend_everything,
)

# The default call of the tests is for women and girls (tests/applications_support.py).
MATCHING = RestrictionTerms(theme="women_and_girls")
OTHER = RestrictionTerms(theme="older_persons")


def test_a_restricted_pledge_is_paid_to_its_own_balance():
    before = available()
    _pledge, restriction = paid_pledge(donor(), 5_000 * USD, terms=MATCHING)
    assert restriction is not None
    assert restricted_balance(restriction) == 5_000 * USD
    assert available() == before
    assert verify_ledger().ok


def test_a_grant_is_funded_from_matching_restricted_money_first():
    fund(20_000 * USD)
    _p, matching = paid_pledge(donor("Norway"), 5_000 * USD, terms=MATCHING)
    _p, other = paid_pledge(donor("Sweden"), 7_000 * USD, terms=OTHER)
    assert matching is not None and other is not None
    before = available()
    grant = award(approved_application(amount=10_000 * USD))  # commitment 11,300
    assert restricted_balance(matching) == 0
    assert restricted_balance(other) == 7_000 * USD
    assert available() == before - 6_300 * USD
    commitments = [
        t
        for t in transfers_for_document(document_type="grant", document_id=grant.id)
        if t.code == TransferCode.COMMITMENT
    ]
    by_account = {t.debit_account.key: t.amount for t in commitments}
    assert by_account == {
        restricted_key(matching.id): 5_000 * USD,
        chart.FUND_AVAILABLE: 6_300 * USD,
    }
    assert verify_ledger().ok


def test_restricted_money_that_does_not_match_never_funds_the_grant():
    _p, other = paid_pledge(donor(), 50_000 * USD, terms=OTHER)
    assert other is not None
    with pytest.raises(Conflict, match="cannot cover"):
        award(approved_application(amount=10_000 * USD))
    assert restricted_balance(other) == 50_000 * USD


def test_a_period_restriction_matches_grants_awarded_in_it():
    _p, expired = paid_pledge(donor(), 20_000 * USD, terms=RestrictionTerms(ends_on=days_ago(1)))
    _p, current = paid_pledge(
        donor("Japan"), 20_000 * USD, terms=RestrictionTerms(starts_on=days_ago(10))
    )
    assert expired is not None and current is not None
    award(approved_application(amount=10_000 * USD))
    assert restricted_balance(expired) == 20_000 * USD
    assert restricted_balance(current) == 8_700 * USD


def test_refunds_and_the_release_at_closure_go_back_where_they_came_from():
    fund(5_650 * USD)
    _p, restriction = paid_pledge(donor(), 5_650 * USD, terms=MATCHING)
    assert restriction is not None
    fm, people = manager(), officers()
    grant = activate(award(approved_application(amount=10_000 * USD)), fm)
    # Half restricted, half unrestricted.
    assert {
        s.restriction_id: s.amount for s in grant_sources(grants.grant_ledger_account(grant).id)
    } == {
        restriction.id: 5_650 * USD,
        None: 5_650 * USD,
    }
    pay(grant.tranches[0], people)  # 6,000 + PSC 780
    complete_report(report_of(grant, ReportKind.PROGRESS))
    complete_report(report_of(grant, ReportKind.FINAL))
    complete_report(
        report_of(grant, ReportKind.FINANCIAL), spent=spend_everything(grant, 5_000 * USD)
    )
    grants.start_closure(actor=fm, grant=grant)
    grants.record_grantee_refund(
        actor=finance(),
        grant=grant,
        amount=1_000 * USD,
        bank_reference="RF-1",
        received_on=days_ago(0),
    )
    grants.close_grant(actor=fm, grant=grant)
    assert grant.status == GrantStatus.CLOSED
    # 1,000 + 130 PSC + 4,520 released = 5,650 back, half to each balance.
    assert restricted_balance(restriction) == 2_825 * USD
    assert available() == 2_825 * USD
    assert verify_ledger().ok


def test_only_finance_restricts_and_only_before_money_arrives():
    giver = donor()
    pledge, _r = paid_pledge(giver, 1_000 * USD)
    with pytest.raises(Conflict, match="already received"):
        restrict_pledge(actor=finance_user(), pledge=pledge, terms=MATCHING)
    from app.donations import services as donations

    fresh = donations.make_pledge(
        actor=finance_user(), donor=giver, amount=100, currency="USD", year=pledge.year
    )
    with pytest.raises(PermissionDenied):
        restrict_pledge(actor=user_with(Role.FUND_MANAGER), pledge=fresh, terms=MATCHING)
    with pytest.raises(ValidationFailed):
        restrict_pledge(actor=finance_user(), pledge=fresh, terms=RestrictionTerms())
    with pytest.raises(ValidationFailed):
        restrict_pledge(actor=finance_user(), pledge=fresh, terms=RestrictionTerms(country="ZZ"))
    restriction = restrict_pledge(
        actor=finance_user(), pledge=fresh, terms=RestrictionTerms(country="ke", region="002")
    )
    assert (restriction.country, restriction.region) == ("KE", "002")
    with pytest.raises(Conflict, match="already restricted"):
        restrict_pledge(actor=finance_user(), pledge=fresh, terms=MATCHING)
    db.session.flush()


def test_the_awaiting_list_counts_the_restricted_money_that_matches():
    from decimal import Decimal

    from app.grants.queries import awaiting_award

    paid_pledge(donor(), 12_000 * USD, terms=MATCHING)
    application = approved_application(amount=10_000 * USD)
    waiting = {a.application.id: a for a in awaiting_award(psc_rate=Decimal("0.13"))}
    assert not waiting[application.id].pending_funds
