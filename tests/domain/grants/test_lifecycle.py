"""From the Board's approval to closure, the way the fund runs a medium-risk grant; the ledger
verifies at the end and the grant's account is at zero."""

from __future__ import annotations

from app.applications.models import RiskRating
from app.grants import services as grants
from app.grants.models import GrantStatus, ReportKind, TrancheStatus
from app.ledger.verify import verify_ledger
from app.platform.money import apply_rate
from tests.grants_support import (
    USD,
    activate,
    approved_application,
    award,
    complete_report,
    fund,
    grant_balance,
    manager,
    officers,
    pay,
    report_of,
    spend_everything,
)


def test_a_grant_from_award_to_closure():
    fund(50_000 * USD)
    fm, people = manager(), officers()
    amount = 19_999_99
    grant = award(approved_application(amount=amount, risk=RiskRating.MEDIUM), fm)
    activate(grant, fm)
    assert grant.status == GrantStatus.ACTIVE
    for tranche in grant.tranches:
        gate = [r for r in grant.reports if r.gates_tranche_id == tranche.id]
        for report in gate:
            complete_report(report, fm)
        pay(tranche, people)
    assert [t.status for t in grant.tranches] == [TrancheStatus.PAID] * 3
    assert grant.paid_amount == amount
    assert grant.psc_charged == apply_rate(amount, grant.psc_rate) == grant.psc_amount
    complete_report(report_of(grant, ReportKind.FINAL), fm)
    complete_report(
        report_of(grant, ReportKind.FINANCIAL), fm, spent=spend_everything(grant, amount)
    )
    grants.start_closure(actor=fm, grant=grant)
    grants.close_grant(actor=fm, grant=grant)
    assert grant.status == GrantStatus.CLOSED
    assert grant_balance(grant).posted == 0
    assert grant_balance(grant).pending == 0
    report = verify_ledger()
    assert report.ok, report.problems
