"""Schedule: the tranches and report deadlines of a grant, built from its risk rating and edited
by the fund manager until the agreement is sent."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.accounts.models import User
from app.accounts.permissions import Permission
from app.applications.models import RiskRating
from app.audit.services import record_event
from app.grants.models import Grant, GrantReport, GrantStatus, ReportKind, Tranche
from app.grants.services.common import (
    add_months,
    ensure_fund_staff,
    format_money,
    months_between,
    report_title,
    require_status,
)
from app.platform.db import lock_rows
from app.platform.errors import N_, ValidationFailed
from app.platform.extensions import db
from app.platform.money import apply_rate
from app.platform.settings import settings

MAX_TRANCHES = 12


def tranche_shares(
    rating: RiskRating | str, *, by_rating: Mapping[str, Sequence[Decimal]]
) -> list[Decimal]:
    """The tranche shares for a risk rating, from ``by_rating`` (GRANT_TRANCHE_SHARES)."""
    shares = list(by_rating[RiskRating(rating).value])
    if not shares or any(s <= 0 for s in shares) or sum(shares) != 1:
        raise ValidationFailed(
            N_("The tranche shares for %(rating)s risk must be positive and add up to 1."),
            rating=str(rating),
        )
    return shares


def split_amount(amount: int, shares: Sequence[Decimal]) -> list[int]:
    """Minor units per share, adding up to ``amount`` exactly.

    Each boundary is the cumulative share rounded once, half up (the rounding rule of
    ``money.apply_rate``); a tranche is the difference between two boundaries.
    """
    parts: list[int] = []
    previous = 0
    cumulative = Decimal(0)
    for index, share in enumerate(shares):
        cumulative += share
        last = index == len(shares) - 1
        boundary = amount if last else apply_rate(amount, cumulative)
        parts.append(boundary - previous)
        previous = boundary
    return parts


def scale_amounts(amounts: Sequence[int], total: int) -> list[int]:
    """``amounts`` scaled to add up to ``total`` exactly (largest remainders get the extra)."""
    base = sum(amounts)
    if base == total or not amounts:
        return list(amounts)
    if base == 0:
        return split_amount(total, [Decimal(1) / len(amounts)] * len(amounts))
    exact = [Decimal(a) * total / base for a in amounts]
    floors = [int(value) for value in exact]
    short = total - sum(floors)
    order = sorted(range(len(amounts)), key=lambda i: (exact[i] - floors[i], -i), reverse=True)
    for i in order[:short]:
        floors[i] += 1
    return floors


def build_schedule(grant: Grant, shares: Sequence[Decimal]) -> None:
    """Tranches from ``shares`` spread over the project, a progress report before each later
    tranche, and the final narrative and financial reports after the end date."""
    for report in list(grant.reports):
        grant.reports.remove(report)
    for tranche in list(grant.tranches):
        grant.tranches.remove(tranche)
    db.session.flush()
    months = months_between(grant.start_date, grant.end_date)
    count = len(shares)
    lead = timedelta(days=settings().grants.report_lead_days)
    tranches = []
    for index, amount in enumerate(split_amount(grant.amount, shares)):
        planned = add_months(grant.start_date, (index * months) // count)
        tranche = Tranche(number=index + 1, amount=amount, planned_date=planned)
        grant.tranches.append(tranche)
        tranches.append(tranche)
    db.session.flush()
    for index, tranche in enumerate(tranches[1:], start=1):
        grant.reports.append(
            GrantReport(
                kind=ReportKind.PROGRESS,
                number=index,
                due_date=max(grant.start_date, tranche.planned_date - lead),
                gates_tranche_id=tranche.id,
            )
        )
    final_due = grant.end_date + timedelta(days=settings().grants.final_report_days)
    grant.reports.append(GrantReport(kind=ReportKind.FINAL, number=1, due_date=final_due))
    grant.reports.append(GrantReport(kind=ReportKind.FINANCIAL, number=1, due_date=final_due))
    db.session.flush()


@dataclass(frozen=True)
class TrancheRow:
    number: int
    amount: int
    planned_date: date


@dataclass(frozen=True)
class ReportRow:
    report_id: int
    due_date: date


def _ensure_schedule_editable(actor: User, grant: Grant) -> None:
    ensure_fund_staff(actor, grant, Permission.AWARD_GRANT)
    require_status(
        grant,
        GrantStatus.AWARDED,
        message=N_(
            "The schedule of %(reference)s is fixed once the agreement is sent (it is "
            "%(status)s): changes need an amendment."
        ),
    )


def update_schedule(
    *,
    actor: User,
    grant: Grant,
    start_date: date,
    end_date: date,
    tranches: Sequence[TrancheRow],
    reports: Sequence[ReportRow],
) -> Grant:
    """The fund manager's edits of dates and tranche amounts; the tranches must still add up
    to the grant exactly, and each progress report must fall due before its tranche."""
    lock_rows(grant)
    _ensure_schedule_editable(actor, grant)
    if end_date < start_date:
        raise ValidationFailed(N_("The project must end after it starts."))
    _check_tranche_rows(grant, tranches, start_date=start_date)
    _check_report_rows(grant, reports, tranches, start_date=start_date)
    by_number = {t.number: t for t in grant.tranches}
    reports_by_id = {r.id: r for r in grant.reports}
    before = _schedule_snapshot(grant)
    grant.start_date, grant.end_date = start_date, end_date
    for tranche_row in tranches:
        by_number[tranche_row.number].amount = tranche_row.amount
        by_number[tranche_row.number].planned_date = tranche_row.planned_date
    for report_row in reports:
        reports_by_id[report_row.report_id].due_date = report_row.due_date
    db.session.flush()
    record_event(
        actor=actor,
        action="grant.schedule_updated",
        subject=grant,
        summary=f"{grant.reference}: schedule edited",
        changes={"schedule": [before, _schedule_snapshot(grant)]},
    )
    return grant


def _check_tranche_rows(grant: Grant, tranches: Sequence[TrancheRow], *, start_date: date) -> None:
    """Every tranche given, each more than zero, adding up to the grant, in date order."""
    if sorted(row.number for row in tranches) != sorted(t.number for t in grant.tranches):
        raise ValidationFailed(N_("Give an amount and a date for every tranche."))
    total = sum(row.amount for row in tranches)
    if any(row.amount <= 0 for row in tranches):
        raise ValidationFailed(N_("Every tranche must be more than zero."))
    if total != grant.amount:
        raise ValidationFailed(
            N_("The tranches add up to %(total)s; they must add up to the grant, %(amount)s."),
            total=format_money(total, grant.currency),
            amount=format_money(grant.amount, grant.currency),
        )
    ordered = sorted(tranches, key=lambda row: row.number)
    for earlier, later in itertools.pairwise(ordered):
        if later.planned_date < earlier.planned_date:
            raise ValidationFailed(
                N_("Tranche %(number)s cannot be planned before tranche %(earlier)s."),
                number=later.number,
                earlier=earlier.number,
            )
    if ordered and ordered[0].planned_date < start_date:
        raise ValidationFailed(N_("The first tranche cannot be paid before the project starts."))


def _check_report_rows(
    grant: Grant,
    reports: Sequence[ReportRow],
    tranches: Sequence[TrancheRow],
    *,
    start_date: date,
) -> None:
    """Every report given a due date, none before the start, each before the tranche it gates."""
    reports_by_id = {r.id: r for r in grant.reports}
    if sorted(row.report_id for row in reports) != sorted(reports_by_id):
        raise ValidationFailed(N_("Give a due date for every report."))
    planned = {row.number: row.planned_date for row in tranches}
    for row in reports:
        report = reports_by_id[row.report_id]
        if row.due_date < start_date:
            raise ValidationFailed(
                N_("%(report)s cannot be due before the project starts."),
                report=report_title(report),
            )
        gated = report.gates_tranche
        if gated is not None and row.due_date > planned[gated.number]:
            raise ValidationFailed(
                N_("%(report)s must be due on or before the date of tranche %(number)s."),
                report=report_title(report),
                number=gated.number,
            )


def rebuild_schedule(*, actor: User, grant: Grant, tranche_count: int | None = None) -> Grant:
    """Start the schedule again: from the risk rating, or ``tranche_count`` equal tranches."""
    lock_rows(grant)
    _ensure_schedule_editable(actor, grant)
    if tranche_count is None:
        shares = tranche_shares(grant.risk_rating, by_rating=settings().grants.tranche_shares)
    else:
        if not 1 <= tranche_count <= MAX_TRANCHES:
            raise ValidationFailed(
                N_("A grant is paid in 1 to %(max)s tranches."), max=MAX_TRANCHES
            )
        # Exact thirds (and so on): split_amount rounds each boundary once.
        shares = [Decimal(1) / tranche_count] * tranche_count
    before = _schedule_snapshot(grant)
    build_schedule(grant, shares)
    record_event(
        actor=actor,
        action="grant.schedule_rebuilt",
        subject=grant,
        summary=f"{grant.reference}: schedule rebuilt with {len(shares)} tranche(s)",
        changes={"schedule": [before, _schedule_snapshot(grant)]},
    )
    return grant


def _schedule_snapshot(grant: Grant) -> dict[str, Any]:
    return {
        "start_date": grant.start_date.isoformat(),
        "end_date": grant.end_date.isoformat(),
        "tranches": [[t.number, t.amount, t.planned_date.isoformat()] for t in grant.tranches],
        "reports": [[r.kind.value, r.number, r.due_date.isoformat()] for r in grant.reports],
    }
