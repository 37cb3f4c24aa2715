"""Closing a grant: refused while anything is pending; unspent money refunded; what was never
paid released to the fund; the grant account at zero; the ledger still verifies."""

from __future__ import annotations

import pytest

from app.grants import services as grants
from app.grants.models import GrantStatus, ReportKind, TrancheStatus
from app.grants.services import reports
from app.ledger import chart
from app.ledger.verify import verify_ledger
from app.platform.errors import Conflict, InvalidTransition, ValidationFailed
from tests.grants_support import (
    USD,
    active_grant,
    available,
    balance,
    complete_report,
    days_ago,
    finance,
    fund,
    grant_balance,
    manager,
    officers,
    pay,
    report_data,
    report_of,
    signatory,
    spend_everything,
)


@pytest.fixture
def grant():
    fund(100_000 * USD)
    return active_grant(amount=10_000 * USD)  # 6,000 + 4,000; PSC 1,300


def _final_reports(grant, spent_total):
    complete_report(report_of(grant, ReportKind.FINAL))
    complete_report(
        report_of(grant, ReportKind.FINANCIAL), spent=spend_everything(grant, spent_total)
    )


def test_closure_waits_for_the_final_reports(grant):
    with pytest.raises(Conflict, match="Progress report 1 is not accepted yet"):
        grants.start_closure(actor=manager(), grant=grant)


def test_closure_waits_for_payments_under_way(grant):
    people = officers()
    complete_report(report_of(grant, ReportKind.PROGRESS))
    _final_reports(grant, 0)
    grants.request_disbursement(actor=people.maker, tranche=grant.tranches[0])
    with pytest.raises(Conflict, match="Tranche 1 is requested"):
        grants.start_closure(actor=manager(), grant=grant)


def test_closure_waits_for_a_report_under_review(grant):
    complete_report(report_of(grant, ReportKind.PROGRESS))
    complete_report(report_of(grant, ReportKind.FINAL))
    financial = report_of(grant, ReportKind.FINANCIAL)
    reports.save_report(actor=signatory(grant), report=financial, data=report_data(financial))
    reports.submit_report(actor=signatory(grant), report=financial)
    with pytest.raises(Conflict, match="submitted and waiting for your review"):
        grants.start_closure(actor=manager(), grant=grant)


def test_closure_arithmetic_with_a_refund_and_a_release(grant):
    """Paid 6,000 of 10,000, spent 5,000: the grantee returns 1,000 and the fund takes back the
    4,000 never paid with its support cost."""
    fm, people, officer = manager(), officers(), finance()
    fund_before_award = available() + grant.commitment
    psc_before = balance(chart.PSC_INCOME).posted
    pay(grant.tranches[0], people)
    complete_report(report_of(grant, ReportKind.PROGRESS))
    _final_reports(grant, 5_000 * USD)
    grants.start_closure(actor=fm, grant=grant)
    assert grant.status == GrantStatus.CLOSING
    assert grant.tranches[1].status == TrancheStatus.CANCELLED
    statement = grants.closure_statement(grant)
    assert statement.commitment == 11_300 * USD
    assert statement.paid == 6_000 * USD
    assert statement.psc_charged == 780 * USD
    assert statement.expenditure == 5_000 * USD
    assert statement.unspent == 1_000 * USD
    assert statement.undisbursed == 4_520 * USD

    with pytest.raises(Conflict, match=r"still owes USD 1,000\.00"):
        grants.close_grant(actor=fm, grant=grant)
    with pytest.raises(ValidationFailed, match="more than that"):
        grants.record_grantee_refund(
            actor=officer,
            grant=grant,
            amount=1_001 * USD,
            bank_reference="RF-1",
            received_on=days_ago(0),
        )
    refund = grants.record_grantee_refund(
        actor=officer,
        grant=grant,
        amount=1_000 * USD,
        bank_reference="RF-1",
        received_on=days_ago(0),
    )
    assert refund.psc_reversed == 130 * USD
    with pytest.raises(Conflict, match="already recorded"):
        grants.record_grantee_refund(
            actor=officer, grant=grant, amount=1, bank_reference="RF-1", received_on=days_ago(0)
        )

    grants.close_grant(actor=fm, grant=grant)
    assert grant.status == GrantStatus.CLOSED
    assert grant.released_amount == 4_520 * USD
    assert grant_balance(grant).posted == 0
    assert grant_balance(grant).pending == 0
    # The fund carries what the grantee kept and spent (5,000) and the support cost on it (650).
    assert available() == fund_before_award - 5_000 * USD - 650 * USD
    assert balance(chart.PSC_INCOME).posted == psc_before + 650 * USD
    assert verify_ledger().ok


def test_a_fully_spent_grant_closes_without_a_refund(grant):
    people = officers()
    pay(grant.tranches[0], people)
    complete_report(report_of(grant, ReportKind.PROGRESS))
    pay(grant.tranches[1], people)
    _final_reports(grant, 10_000 * USD)
    fm = manager()
    grants.start_closure(actor=fm, grant=grant)
    assert grants.closure_statement(grant).refund_outstanding == 0
    grants.close_grant(actor=fm, grant=grant)
    assert grant.released_amount == 0
    assert grant_balance(grant).posted == 0
    assert grant.psc_charged == grant.psc_amount  # every cent of the 13 %, no more


def test_a_closed_grant_is_read_only(grant):
    fm = manager()
    complete_report(report_of(grant, ReportKind.PROGRESS))
    _final_reports(grant, 0)
    grants.start_closure(actor=fm, grant=grant)
    grants.close_grant(actor=fm, grant=grant)
    people = officers()
    with pytest.raises(InvalidTransition):
        grants.request_disbursement(actor=people.maker, tranche=grant.tranches[0])
    with pytest.raises(InvalidTransition):
        reports.save_report(
            actor=signatory(grant),
            report=report_of(grant, ReportKind.FINAL),
            data=report_data(report_of(grant, ReportKind.FINAL)),
        )
    with pytest.raises(InvalidTransition):
        grants.suspend_grant(actor=fm, grant=grant, reason="x")
    with pytest.raises(InvalidTransition):
        grants.close_grant(actor=fm, grant=grant)
