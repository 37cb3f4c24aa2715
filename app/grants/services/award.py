"""Award: a Board-approved application becomes a grant, and its money is committed on the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.accounts.models import User
from app.accounts.permissions import Permission, ensure_permission, is_member
from app.applications.models import (
    Application,
    ApplicationStatus,
    BudgetCategory,
    RiskRating,
)
from app.applications.services import profile_of
from app.audit.services import record_event
from app.funding.allocation import GrantProfile
from app.funding.services import commit_to_grant, fundable_for, grant_profile
from app.grants.models import Grant, GrantBudgetLine, GrantSequence, GrantStatus
from app.grants.services.common import (
    add_months,
    format_money,
    grant_ledger_account,
)
from app.grants.services.schedule import build_schedule, scale_amounts, tranche_shares
from app.ledger.services.posting import transfer_id
from app.platform.db import lock_rows, utcnow
from app.platform.errors import (
    N_,
    Conflict,
    InvalidTransition,
    SegregationOfDuties,
    ValidationFailed,
)
from app.platform.extensions import db
from app.platform.money import apply_rate
from app.platform.settings import settings
from app.screening.services.decisions import ensure_no_sanctions_hold


@dataclass(frozen=True)
class _AwardTerms:
    """What the award commits, once every check has passed."""

    currency: str
    amount: int
    psc_rate: Decimal
    psc: int
    risk_rating: RiskRating


def award_grant(
    *,
    actor: User,
    application: Application,
    start_date: date | None = None,
    now: datetime | None = None,
) -> Grant:
    """Turn a Board-approved application into a grant and commit its money on the ledger.

    Amount and conditions come from the Board's approving decision. The commitment is the
    grant plus the programme support cost at PSC_RATE, posted ``fund:available`` →
    ``grant:<id>``; when the fund cannot cover it nothing is recorded, and the application
    stays approved, waiting for funds.
    """
    ensure_permission(actor, Permission.AWARD_GRANT)
    if is_member(actor, application.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to this organisation, so another fund manager must award the grant.")
        )
    now = now or utcnow()
    lock_rows(application)
    ensure_no_sanctions_hold(application.organisation)
    decision = _approving_decision(application)
    terms = _award_terms(application, decision, on=now.date())
    grant = _new_grant(
        actor=actor,
        application=application,
        decision=decision,
        terms=terms,
        start_date=start_date,
        now=now,
    )
    _copy_budget(grant, application)
    shares = tranche_shares(grant.risk_rating, by_rating=settings().grants.tranche_shares)
    build_schedule(grant, shares)
    _commit_money(actor=actor, grant=grant)
    record_event(
        actor=actor,
        action="grant.awarded",
        subject=grant,
        summary=f"{grant.reference} awarded to {application.organisation.name}: "
        f"{format_money(terms.amount, terms.currency)} + PSC "
        f"{format_money(terms.psc, terms.currency)}",
        changes={
            "application_id": [None, application.id],
            "amount": [None, terms.amount],
            "psc_amount": [None, terms.psc],
        },
    )
    return grant


def _approving_decision(application: Application) -> Any:
    """The Board's approving decision, once the application is approved and not yet a grant."""
    if application.status != ApplicationStatus.APPROVED:
        raise InvalidTransition(
            N_(
                "Only an application the Board approved can become a grant; this one is %(status)s."
            ),
            status=str(application.status).replace("_", " "),
        )
    existing = grant_for_application(application)
    if existing is not None:
        raise Conflict(
            N_("This application is already grant %(reference)s."), reference=existing.reference
        )
    decision = approved_decision(application)
    if decision is None:
        raise ValidationFailed(
            N_(
                "There is no approving Board decision for this application, "
                "so it cannot be awarded."
            )
        )
    return decision


def _award_terms(application: Application, decision: Any, *, on: date) -> _AwardTerms:
    """Currency, amount, support cost and risk rating, refused when the fund cannot cover them."""
    functional = settings().fund.currency
    if application.call.currency.upper() != functional.upper():
        raise ValidationFailed(
            N_(
                "Grants are paid in %(functional)s only, and this call is in %(currency)s: "
                "the Board must approve an amount in %(functional)s before it can be awarded."
            ),
            functional=functional,
            currency=application.call.currency,
        )
    amount = int(decision.approved_amount or 0)
    if amount <= 0:
        raise ValidationFailed(
            N_("The Board decision approves no amount, so there is nothing to award.")
        )
    profile = profile_of(application.organisation)
    if profile is None or profile.risk_rating is None:
        raise ValidationFailed(
            N_("Set the organisation's risk rating first: it decides the tranche schedule.")
        )
    rate = settings().fund.psc_rate
    psc = apply_rate(amount, rate)
    # Restricted balances matching the grant count, and are used first (app/funding).
    available = fundable_for(funding_profile(application, on=on))
    if available < amount + psc:
        raise _pending_funds(available=available, needed=amount + psc, currency=functional)
    return _AwardTerms(
        currency=functional,
        amount=amount,
        psc_rate=rate,
        psc=psc,
        risk_rating=profile.risk_rating,
    )


def _new_grant(
    *,
    actor: User,
    application: Application,
    decision: Any,
    terms: _AwardTerms,
    start_date: date | None,
    now: datetime,
) -> Grant:
    """The grant row, numbered in the year's sequence."""
    start = start_date or default_start_date(now.date())
    duration = application.duration_months or application.call.max_duration_months
    number = _next_grant_number(now.year)
    grant = Grant(
        reference=grant_reference(now.year, number),
        year=now.year,
        number=number,
        application_id=application.id,
        organisation_id=application.organisation_id,
        board_decision_id=getattr(decision, "id", None),
        status=GrantStatus.AWARDED,
        title=application.title or application.reference,
        currency=terms.currency,
        amount=terms.amount,
        psc_rate=terms.psc_rate,
        psc_amount=terms.psc,
        conditions=str(getattr(decision, "conditions", "") or ""),
        risk_rating=terms.risk_rating,
        start_date=start,
        end_date=add_months(start, duration) - timedelta(days=1),
        awarded_at=now,
        awarded_by_id=actor.id,
    )
    db.session.add(grant)
    db.session.flush()
    return grant


def _copy_budget(grant: Grant, application: Application) -> None:
    """The application's budget lines, scaled to the amount awarded (version 1)."""
    amount = grant.amount
    lines = [(line.category, line.description) for line in application.budget_lines]
    amounts = scale_amounts([line.amount for line in application.budget_lines], amount)
    if not lines:
        # Spending is reported per line: a budget without lines becomes one line.
        lines, amounts = [(BudgetCategory.OTHER, "Approved budget")], [amount]
    for position, ((category, description), scaled) in enumerate(
        zip(lines, amounts, strict=True), start=1
    ):
        grant.budget_lines.append(
            GrantBudgetLine(
                version=1,
                position=position,
                category=category,
                description=description,
                amount=scaled,
            )
        )


def _commit_money(*, actor: User, grant: Grant) -> None:
    """Post the commitment ``fund:restricted:<id>`` (the matching restricted balances, by the
    funding rule of app/funding/allocation.py) and ``fund:available`` → ``grant:<id>``."""
    functional = grant.currency
    profile = funding_profile(grant.application, on=grant.awarded_at.date())
    draws = commit_to_grant(
        actor=actor,
        grant_id=grant.id,
        grant_account_id=grant_ledger_account(grant).id,
        amount=grant.commitment,
        grant=profile,
        memo=f"{grant.reference}: grant {format_money(grant.amount, functional)} "
        f"+ PSC {format_money(grant.psc_amount, functional)}",
    )
    if draws is None:
        # Another award took the money between our check and the posting.
        raise _pending_funds(
            available=fundable_for(profile), needed=grant.commitment, currency=functional
        )


def funding_profile(application: Application, *, on: date) -> GrantProfile:
    """What a restriction is matched against: the call's themes, the countries, the call."""
    return grant_profile(
        themes=application.call.themes or [],
        countries=application.countries or [],
        call_id=application.call_id,
        on=on,
    )


def _pending_funds(*, available: int, needed: int, currency: str) -> Conflict:
    return Conflict(
        N_(
            "The fund cannot cover this grant: it needs %(needed)s (grant plus support cost) "
            "and %(available)s is available. Nothing was awarded; the application stays "
            "approved until funds arrive."
        ),
        needed=format_money(needed, currency),
        available=format_money(max(available, 0), currency),
    )


def approved_decision(application: Application) -> Any:
    """The Board's approving decision for the application, or None (reviews area contract)."""
    from app.reviews.services.board import approved_decision_for

    return approved_decision_for(application)


def grant_for_application(application: Application) -> Grant | None:
    return db.session.execute(
        sa.select(Grant).where(Grant.application_id == application.id)
    ).scalar_one_or_none()


def default_start_date(day: date) -> date:
    """Projects start on the first day of the month after the award."""
    return add_months(day.replace(day=1), 1)


def _next_grant_number(year: int) -> int:
    """One more number in the year's grant sequence (the UPDATE serialises concurrent awards)."""
    table = cast(sa.Table, GrantSequence.__table__)
    insert = (
        postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    db.session.execute(
        insert(table)
        .values(year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    number = db.session.execute(
        sa.update(table)
        .where(table.c.year == year)
        .values(last_number=table.c.last_number + 1)
        .returning(table.c.last_number)
    ).scalar_one()
    return int(number)


def grant_reference(year: int, number: int) -> str:
    return f"{settings().grants.reference_prefix}/{year}/{number:03d}"


def _commitment_id(grant: Grant) -> Any:  # the unrestricted part (app/funding)
    return transfer_id("grant", grant.id, "commitment")
