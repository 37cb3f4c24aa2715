"""An application's money: the budget's total and the programme support cost."""

from __future__ import annotations

from decimal import Decimal

from app.applications.models import Application, BudgetCategory
from app.platform.money import apply_rate
from app.platform.settings import settings


def psc_rate() -> Decimal:
    return settings().fund.psc_rate


def refresh_money(application: Application) -> None:
    """Requested amount = the budget's total; the PSC is added on top at the configured rate."""
    application.requested_amount = sum(line.amount for line in application.budget_lines)
    application.psc_rate = psc_rate()
    application.psc_amount = apply_rate(application.requested_amount, application.psc_rate)


def budget_by_category(application: Application) -> dict[BudgetCategory, int]:
    totals: dict[BudgetCategory, int] = {}
    for line in application.budget_lines:
        totals[line.category] = totals.get(line.category, 0) + line.amount
    return totals
