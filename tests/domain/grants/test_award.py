"""Awarding a grant: the Board's amount, the reference, the commitment on the ledger, the
refusal when the fund cannot cover it, and the schedule the risk rating gives."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.applications.models import ApplicationStatus, RiskRating
from app.grants import services as grants
from app.grants.models import Grant, GrantStatus, ReportKind
from app.ledger import chart
from app.ledger.models import TransferCode
from app.ledger.services.transfers import transfers_for_document
from app.platform.db import utcnow
from app.platform.errors import Conflict, InvalidTransition, SegregationOfDuties, ValidationFailed
from app.platform.extensions import db
from app.platform.money import apply_rate
from tests.applications_support import applicant_of
from tests.grants_support import (
    USD,
    approved_application,
    available,
    award,
    balance,
    fund,
    grant_balance,
    manager,
)


def test_award_commits_grant_plus_support_cost_and_numbers_the_grant():
    fund(100_000 * USD)
    before = available()
    application = approved_application(amount=20_000 * USD, conditions="Audit at the end.")
    grant = award(application)
    assert grant.status == GrantStatus.AWARDED
    assert grant.reference == f"VTF/{utcnow().year}/{grant.number:03d}"
    assert grant.amount == 20_000 * USD
    assert grant.psc_amount == 2_600 * USD  # 13 %
    assert grant.conditions == "Audit at the end."
    assert grant.board_decision_id is not None
    # fund:available → grant:<id>, once, with the grant as its document.
    assert available() == before - 22_600 * USD
    assert grant_balance(grant).posted == 22_600 * USD
    (commitment,) = transfers_for_document(document_type="grant", document_id=grant.id)
    assert commitment.code == TransferCode.COMMITMENT
    assert commitment.amount == 22_600 * USD
    # The application stays approved: the grant is its continuation.
    assert application.status == ApplicationStatus.APPROVED


def test_the_board_decides_the_amount_and_the_budget_follows_it():
    fund(100_000 * USD)
    # Asked for 12,000.01 in three lines; the Board approved 10,000.
    application = approved_application(amount=10_000 * USD, requested=(500_001, 400_000, 300_000))
    grant = award(application)
    budget = grant.current_budget
    assert [line.amount for line in budget] == [416_667, 333_333, 250_000]
    assert sum(line.amount for line in budget) == grant.amount


def test_references_follow_each_other_within_the_year():
    fund(100_000 * USD)
    first = award(approved_application(amount=1_000 * USD))
    second = award(approved_application(amount=1_000 * USD))
    assert second.number == first.number + 1
    assert second.reference.endswith(f"/{second.number:03d}")
    # A new year starts its own sequence.
    assert grants._next_grant_number(2097) == 1
    assert grants._next_grant_number(2097) == 2


def test_award_is_refused_when_the_fund_cannot_cover_it_and_nothing_is_recorded():
    room = available()
    application = approved_application(amount=room + 1_000 * USD)
    grants_before = db.session.query(Grant).count()
    with pytest.raises(Conflict) as refused:
        award(application)
    assert "cannot cover" in refused.value.message
    assert "stays approved" in refused.value.message
    db.session.rollback()
    db.session.expire_all()
    assert db.session.query(Grant).count() == grants_before
    assert available() == room


def test_award_is_refused_for_a_call_in_another_currency():
    fund(100_000 * USD)
    application = approved_application(currency="EUR")
    with pytest.raises(ValidationFailed) as refused:
        award(application)
    assert "USD" in refused.value.message and "EUR" in refused.value.message


def test_award_needs_an_approving_board_decision():
    fund(100_000 * USD)
    application = approved_application(decided=False)
    with pytest.raises(ValidationFailed, match="no approving Board decision"):
        award(application)


def test_only_an_approved_application_can_be_awarded():
    fund(100_000 * USD)
    application = approved_application()
    application.status = ApplicationStatus.RESERVE
    db.session.flush()
    with pytest.raises(InvalidTransition):
        award(application)


def test_an_application_becomes_one_grant_only():
    fund(100_000 * USD)
    application = approved_application()
    grant = award(application)
    with pytest.raises(Conflict, match=grant.reference):
        award(application)


def test_nobody_awards_a_grant_to_their_own_organisation():
    fund(100_000 * USD)
    application = approved_application()
    insider = manager()
    from app.accounts.models import Membership

    db.session.add(Membership(user=insider, organisation_id=application.organisation_id))
    db.session.flush()
    db.session.refresh(insider)
    with pytest.raises(SegregationOfDuties):
        award(application, insider)


def test_an_applicant_cannot_award():
    fund(100_000 * USD)
    application = approved_application()
    with pytest.raises(Exception, match="permission"):
        award(application, applicant_of(application.organisation))


@pytest.mark.parametrize(
    ("risk", "shares"),
    [
        (RiskRating.LOW, ["0.60", "0.40"]),
        (RiskRating.MEDIUM, ["0.40", "0.30", "0.30"]),
        (RiskRating.HIGH, ["0.25", "0.25", "0.25", "0.25"]),
    ],
)
def test_the_risk_rating_sets_the_tranches_and_a_report_before_each_later_one(risk, shares):
    fund(100_000 * USD)
    amount = 10_000_01  # an odd number of cents: the tranches still add up exactly
    grant = award(approved_application(amount=amount, risk=risk, months=12))
    tranches = grant.tranches
    assert sum(t.amount for t in tranches) == amount
    assert [t.number for t in tranches] == list(range(1, len(shares) + 1))
    for tranche, share in zip(tranches[:-1], shares, strict=False):
        assert abs(tranche.amount - amount * Decimal(share)) < 1
    progress = [r for r in grant.reports if r.kind == ReportKind.PROGRESS]
    assert [r.gates_tranche.number for r in progress] == list(range(2, len(shares) + 1))
    for report in progress:
        assert report.due_date <= report.gates_tranche.planned_date
    finals = sorted(r.kind for r in grant.reports if r.gates_tranche is None)
    assert finals == [ReportKind.FINAL, ReportKind.FINANCIAL]
    assert all(r.due_date > grant.end_date for r in grant.reports if r.gates_tranche is None)


def test_project_dates_follow_the_start_and_the_duration():
    fund(100_000 * USD)
    grant = award(approved_application(months=8), start_date=date(2031, 1, 31))
    assert grant.start_date == date(2031, 1, 31)
    assert grant.end_date == date(2031, 9, 29)
    assert grant.tranches[0].planned_date == date(2031, 1, 31)


def test_split_amount_rounds_once_per_boundary():
    shares = [Decimal("0.25")] * 4
    assert grants.split_amount(101, shares) == [25, 26, 25, 25]
    assert sum(grants.split_amount(999_999, [Decimal("0.4"), Decimal("0.3"), Decimal("0.3")])) == (
        999_999
    )
    assert apply_rate(10_000_00, Decimal("0.13")) == 1_300_00


def test_balance_helper_reads_fixed_accounts():
    assert balance(chart.FUND_AVAILABLE).available == available()
