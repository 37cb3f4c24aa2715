"""Helpers for the grant tests: a funded fund, Board-approved applications, grants at each stage."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.accounts.models import Role, User
from app.applications.models import (
    Application,
    ApplicationStatus,
    BudgetCategory,
    BudgetLine,
    OrganisationProfile,
    RiskRating,
)
from app.grants import services as grants
from app.grants.models import (
    Grant,
    GrantReport,
    ReportKind,
    Tranche,
)
from app.grants.services import reports as grant_reports
from app.grants.services.reports import ReportData
from app.ledger import chart
from app.ledger.models import TransferCode
from app.ledger.rules import TransferSpec
from app.ledger.services.balances import account_balance
from app.ledger.services.posting import post_transfers, require_accepted
from app.platform.categories import AgeGroup, Sex
from app.platform.db import utcnow
from app.platform.extensions import db
from app.reviews.models import BoardDecision, BoardMeeting, DecisionOutcome
from tests.applications_support import applicant_of, ngo_organisation, open_call
from tests.bank_support import confirmed_account
from tests.factories import user_with

USD = 100  # minor units per dollar
_numbers = itertools.count(1)


def fund(amount: int) -> None:
    """Money reaches the fund, as a received gift would put it there."""
    require_accepted(
        post_transfers(
            [
                TransferSpec(
                    id=uuid.uuid4(),
                    code=TransferCode.GIFT,
                    amount=amount,
                    debit_account_id=chart.account_by_key(chart.CASH_STRIPE).id,
                    credit_account_id=chart.account_by_key(chart.FUND_AVAILABLE).id,
                )
            ],
            actor=None,
        )
    )


def available() -> int:
    return grants.fund_available()


def balance(key: str) -> Any:
    account = chart.account_by_key(key)
    return account_balance(account=account)


def grant_balance(grant: Grant) -> Any:
    return balance(chart.grant_key(grant.id))


def manager() -> User:
    return user_with(Role.FUND_MANAGER)


def finance() -> User:
    return user_with(Role.FINANCE)


def approved_application(
    *,
    amount: int = 10_000 * USD,
    requested: tuple[int, ...] | None = None,
    risk: RiskRating = RiskRating.LOW,
    currency: str = "USD",
    months: int = 12,
    conditions: str = "Quarterly monitoring visits.",
    decided: bool = True,
) -> Application:
    """An application the Board approved for ``amount`` (with its decision), budget lines
    ``requested`` (default: two lines adding up to ``amount``)."""
    n = next(_numbers)
    call = open_call(manager(), reference=f"GR-{uuid.uuid4().hex[:8]}", currency=currency)
    organisation = ngo_organisation(name=f"Grantee {n}", registration_number=f"RG-{n}")
    profile = db.session.get(OrganisationProfile, organisation.id)
    assert profile is not None
    profile.risk_rating = risk
    confirmed_account(organisation)  # a grantee's tranches are paid into a confirmed account
    owner = applicant_of(organisation)
    application = Application(
        call=call,
        organisation=organisation,
        status=ApplicationStatus.APPROVED,
        currency=currency,
        psc_rate=Decimal("0.13"),
        title=f"Shelter and legal aid {n}",
        summary="Safe housing and legal support.",
        duration_months=months,
        created_by_id=owner.id,
        updated_by_id=owner.id,
    )
    lines = requested or (amount * 3 // 4, amount - amount * 3 // 4)
    for position, line_amount in enumerate(lines, start=1):
        application.budget_lines.append(
            BudgetLine(
                position=position,
                category=BudgetCategory.DIRECT_ASSISTANCE
                if position == 1
                else BudgetCategory.PERSONNEL,
                description=f"Budget line {position}",
                quantity=1,
                unit_cost=line_amount,
            )
        )
    application.requested_amount = sum(lines)
    db.session.add(application)
    db.session.flush()
    if decided:
        meeting = BoardMeeting(held_on=utcnow().date(), quorum=1, call_id=call.id)
        db.session.add(meeting)
        db.session.flush()
        db.session.add(
            BoardDecision(
                application_id=application.id,
                meeting_id=meeting.id,
                outcome=DecisionOutcome.APPROVED,
                approved_amount=amount,
                conditions=conditions,
            )
        )
        db.session.flush()
    return application


def award(application: Application, actor: User | None = None, **kwargs: Any) -> Grant:
    return grants.award_grant(actor=actor or manager(), application=application, **kwargs)


def signatory(grant: Grant) -> User:
    return applicant_of(grant.organisation)


def activate(grant: Grant, fm: User | None = None) -> Grant:
    """Send the agreement and have the organisation's owner accept it."""
    grants.send_agreement(actor=fm or manager(), grant=grant)
    grants.accept_agreement(
        actor=signatory(grant),
        grant=grant,
        signatory_name="Amina Director",
        signatory_title="Executive director",
        confirmed=True,
        ip="198.51.100.7",
    )
    return grant


def active_grant(*, fm: User | None = None, **kwargs: Any) -> Grant:
    fm = fm or manager()
    application = approved_application(**kwargs)
    return activate(award(application, fm), fm)


@dataclass
class Officers:
    maker: User
    checker: User


def officers() -> Officers:
    return Officers(finance(), finance())


def pay(tranche: Tranche, people: Officers, reference: str | None = None) -> Tranche:
    """Request, approve (another officer), send and confirm one tranche."""
    grants.request_disbursement(actor=people.maker, tranche=tranche)
    grants.approve_disbursement(actor=people.checker, tranche=tranche)
    grants.send_disbursement(actor=people.maker, tranche=tranche)
    grants.confirm_disbursement(
        actor=people.checker, tranche=tranche, bank_reference=reference or f"BANK-{tranche.id}"
    )
    return tranche


def report_data(report: GrantReport, *, spent: dict[int, int] | None = None) -> ReportData:
    """A complete report: 12 women and 3 girls assisted, all new, after sexual exploitation;
    narrative, spending per line."""
    people = {
        ("sexual_exploitation", Sex.FEMALE, AgeGroup.ADULT): (12, 0),
        ("sexual_exploitation", Sex.FEMALE, AgeGroup.CHILD): (3, 0),
    }
    lines = report.grant.current_budget
    expenditures = spent if spent is not None else {line.id: 0 for line in lines}
    return ReportData(
        results="Fifteen survivors housed and supported.",
        challenges="Rising rents.",
        lessons="Partner early with the courts.",
        people=people,
        assistance={"shelter": 15},
        expenditures=expenditures,
    )


def complete_report(
    report: GrantReport, fm: User | None = None, *, spent: dict[int, int] | None = None
) -> GrantReport:
    """The grantee writes and submits the report; the fund manager accepts it."""
    author = signatory(report.grant)
    grant_reports.save_report(actor=author, report=report, data=report_data(report, spent=spent))
    grant_reports.submit_report(actor=author, report=report)
    grant_reports.accept_report(actor=fm or manager(), report=report)
    return report


def report_of(grant: Grant, kind: ReportKind, number: int = 1) -> GrantReport:
    return next(r for r in grant.reports if r.kind == kind and r.number == number)


def spend_everything(grant: Grant, total: int) -> dict[int, int]:
    """Spending that adds up to ``total``, spread like the budget."""
    lines = grant.current_budget
    shares = grants.scale_amounts([line.amount for line in lines], total)
    return {line.id: share for line, share in zip(lines, shares, strict=True)}


def days_ago(days: int) -> date:
    return utcnow().date() - timedelta(days=days)
