"""What every grant use case shares: the fund's day, names and amounts in messages,
the grant's ledger account, the lock order, and the check that the actor is fund staff."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from app.accounts.models import User
from app.accounts.permissions import Permission, ensure_permission, is_member
from app.grants.models import Grant, GrantReport, GrantStatus, ReportKind, Tranche
from app.ledger import chart
from app.ledger.services.balances import account_balance
from app.platform.db import lock_rows, utcnow
from app.platform.errors import N_, Amount, InvalidTransition, Phrase, SegregationOfDuties
from app.platform.money import amount_param

MAX_TEXT = 5000


def today() -> date:
    """The fund's calendar day (UTC, like every deadline: docs/decisions 0013)."""
    return utcnow().date()


def format_money(amount: int, currency: str) -> Amount:
    """``USD 1,234.56`` in memos and logs; a message shown to a person writes it in the
    reader's notation (app.platform.errors.Amount)."""
    return amount_param(amount, currency)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to the day after ``end`` (a grant's duration)."""
    after = end + timedelta(days=1)
    return max(1, (after.year - start.year) * 12 + after.month - start.month)


def clean_text(value: str | None, *, limit: int = MAX_TEXT) -> str:
    return (value or "").strip()[:limit]


def report_title(report: GrantReport) -> Phrase:
    """The report's name in messages: English in logs, the reader's language in a refusal."""
    if report.kind == ReportKind.PROGRESS:
        return Phrase(N_("Progress report %(number)s"), number=report.number)
    if report.kind == ReportKind.FINANCIAL:
        return Phrase(N_("Final financial report"))
    return Phrase(N_("Final narrative report"))


def tranche_title(tranche: Tranche) -> str:
    return f"tranche {tranche.number} ({tranche.reference})"


def grant_ledger_account(grant: Grant) -> Any:
    return chart.grant_account(
        grant_id=grant.id, name=f"{grant.reference} {grant.organisation.name}: {grant.title}"
    )


def fund_available() -> int:
    """What the fund could commit now (received money not yet committed)."""
    return account_balance(account=chart.account_by_key(chart.FUND_AVAILABLE)).available


def require_status(grant: Grant, *allowed: GrantStatus, message: str) -> None:
    if grant.status not in allowed:
        raise InvalidTransition(message, reference=grant.reference, status=str(grant.status))


def ensure_fund_staff(actor: User, grant: Grant, permission: Permission) -> None:
    ensure_permission(actor, permission)
    if is_member(actor, grant.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to the grantee organisation, so another colleague must do this.")
        )


def lock_tranche(tranche: Tranche) -> Grant:
    """Lock the tranche's grant, then the tranche: the one order every money operation uses."""
    grant = tranche.grant
    lock_rows(grant, tranche)
    return grant
