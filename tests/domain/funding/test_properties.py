"""Property test (issue 22): random sequences of restricted and unrestricted contributions,
grants, tranches, refunds and closures, through the real services.

After every sequence: every restricted balance is >= 0, no restricted money funds a grant
outside its restriction, the sum over donors of "where your money went" equals what was
disbursed, and the ledger verifies.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.donations.services.restrictions import RestrictionTerms
from app.funding.allocation import matches
from app.funding.models import Restriction
from app.funding.services import OWNER, RESTRICTED, terms_of
from app.grants import services as grants
from app.grants.models import Grant, GrantStatus, ReportKind, ReportStatus, TrancheStatus
from app.grants.services.award import funding_profile
from app.ledger import chart
from app.ledger.models import Account, Transfer, TransferCode, TransferKind
from app.ledger.verify import verify_ledger
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.reporting.money_went import funding
from tests.funding_support import donor, paid_pledge
from tests.grants_support import (
    USD,
    activate,
    approved_application,
    award,
    complete_report,
    finance,
    fund,
    manager,
    officers,
    pay,
    spend_everything,
)

TODAY = utcnow().date()
TERMS = [
    RestrictionTerms(theme="women_and_girls"),  # the tests' call: matches every grant
    RestrictionTerms(theme="older_persons"),  # matches none
    RestrictionTerms(country="KE"),
    RestrictionTerms(country="TV"),
    RestrictionTerms(region="002"),  # Africa: Kenya
    RestrictionTerms(ends_on=TODAY - timedelta(days=1)),  # over: never usable
    RestrictionTerms(starts_on=TODAY - timedelta(days=30), country="FR"),
]
COUNTRIES = [["KE"], ["TV"], ["FR"], ["KE", "FR"]]

restricted_gifts = st.tuples(
    st.just("restricted"),
    st.integers(0, 2),
    st.integers(2_000, 20_000),
    st.integers(0, len(TERMS) - 1),
)
contributions = st.one_of(
    restricted_gifts,
    st.tuples(st.just("unrestricted"), st.integers(0, 2), st.integers(2_000, 20_000)),
)
grant_op = st.tuples(st.just("grant"), st.integers(500, 4_000), st.integers(0, len(COUNTRIES) - 1))
tranche_op = st.tuples(st.just("tranche"), st.integers(0, 5))
close_op = st.tuples(st.just("close"), st.integers(0, 5), st.integers(0, 100))
# Money moves out more often than it comes in, so sequences reach tranches and closures.
operations = st.one_of(
    restricted_gifts,
    st.tuples(st.just("unrestricted"), st.integers(0, 2), st.integers(1, 20_000)),
    st.tuples(st.just("pool"), st.integers(1, 9_000)),
    grant_op,
    grant_op,
    tranche_op,
    tranche_op,
    tranche_op,
    close_op,
    close_op,
)


class World:
    def __init__(self) -> None:
        self.donors = [donor(name) for name in ("Norway", "Japan", "Ada")]
        self.grants: list[int] = []
        self.fm = manager()
        self.people = officers()
        self.officer = finance()

    def grant(self, index: int) -> Grant | None:
        if not self.grants:
            return None
        found = db.session.get(Grant, self.grants[index % len(self.grants)])
        return found

    def run(self, op: tuple[Any, ...]) -> None:
        savepoint = db.session.begin_nested()
        try:
            acted = getattr(self, op[0])(*op[1:])
        except DomainError as error:
            savepoint.rollback()
            db.session.expire_all()
            event(f"{op[0]} refused: {type(error).__name__} {error}"[:120])
        else:
            savepoint.commit()
            if acted is not False:
                event(f"{op[0]} done")

    def restricted(self, who: int, dollars: int, terms: int) -> None:
        paid_pledge(self.donors[who], dollars * USD, terms=TERMS[terms], actor=self.officer)

    def unrestricted(self, who: int, dollars: int) -> None:
        paid_pledge(self.donors[who], dollars * USD, actor=self.officer)

    def pool(self, dollars: int) -> None:
        fund(dollars * USD)

    def grant_(self, dollars: int, countries: int) -> None:
        application = approved_application(amount=dollars * USD)
        application.countries = COUNTRIES[countries]
        db.session.flush()
        self.grants.append(award(application, self.fm).id)

    def tranche(self, index: int) -> bool:
        grant = self.grant(index)
        if grant is None or grant.status not in (GrantStatus.AWARDED, GrantStatus.ACTIVE):
            return False
        if grant.status == GrantStatus.AWARDED:
            activate(grant, self.fm)
        for tranche in grant.tranches:
            if tranche.status in (TrancheStatus.SCHEDULED, TrancheStatus.REQUESTED):
                for report in grant.reports:
                    if (
                        report.kind == ReportKind.PROGRESS
                        and report.status != ReportStatus.ACCEPTED
                    ):
                        complete_report(report, self.fm)
                        break
                pay(tranche, self.people)
                return True
        return False

    def close(self, index: int, spent_percent: int) -> bool:
        grant = self.grant(index)
        if grant is None or grant.status not in (GrantStatus.ACTIVE,):
            return False
        paid = sum(t.amount for t in grant.tranches if t.status == TrancheStatus.PAID)
        for report in grant.reports:
            if report.status == ReportStatus.ACCEPTED:
                continue
            if report.kind == ReportKind.FINANCIAL:
                spent = spend_everything(grant, paid * spent_percent // 100)
                complete_report(report, self.fm, spent=spent)
            else:
                complete_report(report, self.fm)
        grants.start_closure(actor=self.fm, grant=grant)
        owed = grants.closure_statement(grant).refund_outstanding
        if owed > 0:
            grants.record_grantee_refund(
                actor=self.officer,
                grant=grant,
                amount=owed,
                bank_reference=f"RF-{grant.id}",
                received_on=TODAY,
            )
        grants.close_grant(actor=self.fm, grant=grant)
        return True


def _restricted_accounts() -> list[Any]:
    return list(
        db.session.execute(
            sa.select(Restriction, Account)
            .join(Account, sa.and_(Account.owner_type == OWNER, Account.owner_id == Restriction.id))
            .where(Account.code == RESTRICTED.code)
            .execution_options(populate_existing=True)
        ).all()
    )


def _disbursed() -> int:
    paid = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Transfer.amount), 0)).where(
            Transfer.code == TransferCode.DISBURSEMENT, Transfer.kind == TransferKind.POST_PENDING
        )
    ).scalar_one()
    refunded = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Transfer.amount), 0)).where(
            Transfer.code == TransferCode.REFUND,
            Transfer.document_type == "grant",
            Transfer.debit_account_id == chart.account_by_key(chart.CASH_BANK).id,
        )
    ).scalar_one()
    return int(paid) - int(refunded)


def check_invariants() -> None:
    accounts = _restricted_accounts()
    for _restriction, account in accounts:
        assert account.credits_posted - account.debits_posted - account.debits_pending >= 0
    by_account = {account.id: restriction for restriction, account in accounts}
    commitments = db.session.execute(
        sa.select(Transfer).where(
            Transfer.code == TransferCode.COMMITMENT,
            Transfer.debit_account_id.in_(list(by_account) or [0]),
        )
    ).scalars()
    for transfer in commitments:
        grant = db.session.get(Grant, int(transfer.document_id or 0))
        assert grant is not None
        profile = funding_profile(grant.application, on=grant.awarded_at.date())
        assert matches(terms_of(by_account[transfer.debit_account_id]), profile), (
            f"restricted money funded {grant.reference} outside its restriction"
        )
    figures = funding()
    assert sum(figures.totals_by_donor().values()) == _disbursed() == figures.disbursed
    report = verify_ledger()
    assert report.ok, report.problems


@pytest.mark.slow
@settings(
    # No example database: nothing written into the checkout (.hypothesis/).
    database=None,
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(contributions, min_size=1, max_size=4),
    st.lists(operations, min_size=3, max_size=20),
)
def test_restricted_money_stays_within_its_terms_and_is_accounted_for(app, first, ops):
    outer = db.session.begin_nested()
    try:
        world = World()
        for op in [*first, *ops]:
            world.run(("grant_", *op[1:]) if op[0] == "grant" else op)
            # After every step: no restricted balance below zero.
            for _restriction, account in _restricted_accounts():
                assert account.credits_posted >= account.debits_posted + account.debits_pending
        check_invariants()
    finally:
        outer.rollback()
        db.session.expire_all()
