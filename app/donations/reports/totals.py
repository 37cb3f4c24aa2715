"""The totals under the finance list of contributions: what was given, received, paid in fees
and is still outstanding. They are sums of stored integers, so they agree with the ledger to the
cent."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from app.donations.models import (
    BankReceiptAllocation,
    Gift,
    GiftDispute,
    GiftRefund,
    GiftStatus,
    GiftTotal,
    PledgeStatus,
)
from app.donations.reports import gift_totals
from app.donations.reports.contributions import (
    ContributionFilter,
    gift_conditions,
    pledge_query,
)
from app.platform.extensions import db


@dataclass
class Totals:
    rows: int = 0
    # currency → amount in that currency
    by_currency: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    functional: int = 0
    received_functional: int = 0
    fees_functional: int = 0
    outstanding_by_currency: dict[str, int] = field(default_factory=lambda: defaultdict(int))


# Listed but not counted in the money totals: nothing was (or will be) received.
NOT_COUNTED = frozenset(
    {GiftStatus.PENDING.value, GiftStatus.FAILED.value, PledgeStatus.CANCELLED.value}
)


def gift_reversals() -> tuple[Any, Any]:
    """What refunds and lost disputes took back, added up per gift, in the functional currency:
    two sub-queries (``gift_id``, ``amount``) to LEFT JOIN on ``Gift.id``. They are few, so one
    join costs far less than two correlated sub-queries per gift."""
    refunded = (
        sa.select(GiftRefund.gift_id, sa.func.sum(GiftRefund.functional_amount).label("amount"))
        .group_by(GiftRefund.gift_id)
        .subquery("refunded")
    )
    lost = (
        sa.select(
            GiftDispute.gift_id, sa.func.sum(GiftDispute.functional_amount_lost).label("amount")
        )
        .group_by(GiftDispute.gift_id)
        .subquery("lost")
    )
    return refunded, lost


def contribution_totals(filters: ContributionFilter) -> Totals:
    """The totals of every gift and pledge matching the filters (see ``totals``), summed in
    SQL: the gifts' from their running totals when these hold the filters."""
    result = Totals()
    gifts = _running_sums(filters) if gift_totals.holds(filters) else _gift_sums(filters)
    for query in (_pledge_sums(filters), gifts):
        if query is None:
            continue
        for row in db.session.execute(query):
            currency, listed, in_totals, amount, functional, net, fees, outstanding = row
            result.rows += int(listed)
            if not in_totals:
                continue
            result.by_currency[currency] += int(amount)
            result.functional += int(functional)
            result.received_functional += int(net)
            result.fees_functional += int(fees)
            if outstanding:
                result.outstanding_by_currency[currency] += int(outstanding)
    return result


def _pledge_sums(filters: ContributionFilter) -> Any:
    """Per currency, as ``_running_sums``, and what is still owed (Pledge.outstanding_amount)."""
    query = pledge_query(filters)
    if query is None:
        return None
    pledge = query.subquery("matching")
    paid = (
        sa.select(
            BankReceiptAllocation.pledge_id,
            sa.func.sum(BankReceiptAllocation.amount).label("amount"),
            sa.func.sum(BankReceiptAllocation.functional_amount).label("functional"),
        )
        .group_by(BankReceiptAllocation.pledge_id)
        .subquery("paid")
    )
    left = pledge.c.amount - sa.func.coalesce(paid.c.amount, 0)
    owed = pledge.c.status.not_in([PledgeStatus.CANCELLED.value, PledgeStatus.WRITTEN_OFF.value])
    status = pledge.c.status
    return (
        sa.select(
            pledge.c.currency,
            sa.func.count(),
            _counted_sum(status, 1),
            _counted_sum(status, pledge.c.amount),
            _counted_sum(status, sa.func.coalesce(pledge.c.functional_amount, 0)),
            _counted_sum(status, sa.func.coalesce(paid.c.functional, 0)),
            sa.literal(0),
            _counted_sum(status, sa.case((sa.and_(owed, left > 0), left), else_=0)),
        )
        .select_from(pledge)
        .outerjoin(paid, paid.c.pledge_id == pledge.c.id)
        .group_by(pledge.c.currency)
    )


def contribution_count(filters: ContributionFilter) -> int | None:
    """How many gifts and pledges match, the gifts read from their running totals; None when
    these do not hold the filters."""
    if not gift_totals.holds(filters):
        return None
    pledges = pledge_query(filters)
    pledge_count = 0
    if pledges is not None:
        counted = sa.select(sa.func.count()).select_from(pledges.subquery())
        pledge_count = int(db.session.scalar(counted) or 0)
    return gift_totals.gift_count(filters) + pledge_count


def _counted_sum(status: Any, value: Any) -> Any:
    """The sum of ``value`` over the rows the totals count (see NOT_COUNTED)."""
    counted = status.not_in(sorted(NOT_COUNTED))
    return sa.func.sum(sa.case((counted, value), else_=0))


def _running_sums(filters: ContributionFilter) -> Any:
    """Per currency: gifts listed, gifts counted, amount, value, received, fees."""
    conditions = gift_totals.running_conditions(filters)
    if conditions is None:
        return None
    status = GiftTotal.status
    return (
        sa.select(
            GiftTotal.currency,
            sa.func.sum(GiftTotal.gifts),
            _counted_sum(status, GiftTotal.gifts),
            _counted_sum(status, GiftTotal.amount),
            _counted_sum(status, GiftTotal.functional_amount),
            _counted_sum(status, GiftTotal.received_functional),
            _counted_sum(status, GiftTotal.fees_functional),
            sa.literal(0),  # nothing is owed on a gift
        )
        .where(*conditions)
        .group_by(GiftTotal.currency)
    )


def _gift_sums(filters: ContributionFilter) -> Any:
    """As ``_running_sums``, summed over the matching gifts themselves."""
    conditions = gift_conditions(filters)
    if conditions is None:
        return None
    refunded, lost = gift_reversals()
    # Gift.net_functional_amount, in SQL.
    received = sa.case(
        (Gift.functional_amount.is_(None), 0),
        else_=Gift.functional_amount
        - sa.func.coalesce(refunded.c.amount, 0)
        - sa.func.coalesce(lost.c.amount, 0),
    )
    return (
        sa.select(
            Gift.currency,
            sa.func.count(),
            _counted_sum(Gift.status, 1),
            _counted_sum(Gift.status, Gift.amount),
            _counted_sum(Gift.status, sa.func.coalesce(Gift.functional_amount, 0)),
            _counted_sum(Gift.status, received),
            _counted_sum(Gift.status, Gift.fee_amount),
            sa.literal(0),  # nothing is owed on a gift
        )
        .select_from(Gift)
        .outerjoin(refunded, refunded.c.gift_id == Gift.id)
        .outerjoin(lost, lost.c.gift_id == Gift.id)
        .where(*conditions)
        .group_by(Gift.currency)
    )
