"""Warning finance that restricted money will soon be unusable (`flask donations warn-expiring`,
the daily task ``donations.warn_expiring``; decision 0106).

A restricted balance may fund only grants awarded within its period (app/funding). When money
is still left and the period ends within a threshold (6 months, then 1 month), the finance
officers are told, in the app and by e-mail: the pledge's number, the amount left and the end
date, nothing else (no donor's name, DESIGN.md §6). Each restriction is warned once per
threshold, kept in ``fund_restriction_warnings``; a balance first found within 1 month is warned
once, at that threshold. Safe to run twice: the second run finds nothing left to do.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User, UserRole
from app.accounts.permissions import ROLE_PERMISSIONS, Permission, has_permission
from app.audit.services import record_event
from app.funding.models import Restriction, RestrictionWarning
from app.funding.services import restricted_balances
from app.grants.services.common import add_months, format_money
from app.notifications.models import NotificationKind
from app.notifications.services import link_to, notify_all
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.settings import settings

# Months before the end of a restriction's period at which finance is warned, widest first.
WARNING_MONTHS = (6, 1)


def due_threshold(ends_on: date, today: date) -> int | None:
    """The narrowest threshold whose window holds ``ends_on``; None when none does or the
    period is over."""
    if ends_on < today:
        return None
    due = None
    for months in WARNING_MONTHS:
        if ends_on <= add_months(today, months):
            due = months if due is None else min(due, months)
    return due


def finance_officers() -> list[User]:
    """Active people who may confirm pledges (finance), never a program's account."""
    roles = [r for r, granted in ROLE_PERMISSIONS.items() if Permission.CONFIRM_PLEDGE in granted]
    users = db.session.execute(
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(roles), User.is_active.is_(True), User.is_program.is_(False))
        .order_by(User.id)
        .distinct()
    ).scalars()
    return [user for user in users if has_permission(user, Permission.CONFIRM_PLEDGE)]


def _warned_within(restriction_id: int, months: int) -> bool:
    """Whether finance was already warned at this threshold or a narrower one."""
    return (
        db.session.execute(
            sa.select(RestrictionWarning.id).where(
                RestrictionWarning.restriction_id == restriction_id,
                RestrictionWarning.months <= months,
            )
        ).first()
        is not None
    )


def warn_expiring_restrictions(*, today: date | None = None) -> int:
    """Warn finance of each restricted balance with money left whose period ends within a
    threshold, once per threshold; how many warnings were given."""
    today = today or utcnow().date()
    currency = settings().fund.currency
    left = {b.restriction_id: b.available for b in restricted_balances()}
    candidates = db.session.execute(
        sa.select(Restriction)
        .where(
            Restriction.ends_on.is_not(None),
            Restriction.ends_on >= today,
            Restriction.ends_on <= add_months(today, max(WARNING_MONTHS)),
        )
        .order_by(Restriction.ends_on, Restriction.id)
    ).scalars()
    officers: list[User] | None = None
    given = 0
    for restriction in candidates:
        amount = left.get(restriction.id, 0)
        assert restriction.ends_on is not None
        months = due_threshold(restriction.ends_on, today)
        if amount <= 0 or months is None or _warned_within(restriction.id, months):
            continue
        try:
            # A run at the same moment warned first: its row wins, this one moves on.
            with db.session.begin_nested():
                db.session.add(
                    RestrictionWarning(
                        restriction_id=restriction.id,
                        months=months,
                        amount=amount,
                        ends_on=restriction.ends_on,
                    )
                )
        except IntegrityError:
            continue
        if officers is None:
            officers = finance_officers()
        notify_all(
            officers,
            kind=NotificationKind.RESTRICTED_MONEY_EXPIRING,
            link=link_to("donations.restricted_balances"),
            params={
                "reference": str(restriction.pledge_id),
                "amount": amount,
                "currency": currency,
                "due_on": restriction.ends_on.isoformat(),
            },
        )
        record_event(
            actor=None,
            action="restriction.expiry_warned",
            subject=restriction,
            summary=f"pledge {restriction.pledge_id}: finance warned that "
            f"{format_money(amount, currency)} of restricted money is unspent, its period "
            f"ending {restriction.ends_on} (within {months} months)",
        )
        given += 1
    db.session.flush()
    return given
