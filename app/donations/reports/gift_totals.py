"""The gifts' running totals (app/donations/models/gift_totals.py): read for finance's list of
contributions, whatever the number of gifts; they and what donors gave per donor and year
(app/donations/models/received_totals.py, read by reporting) are compacted by the beat.

The database's triggers add a row per change, so the sum of the rows of a key is always what the
gifts of that key add up to; compacting only makes that sum cheaper to read.
"""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa

from app.donations.models import GiftKind, GiftTotal, ReceivedTotal
from app.donations.reports.contributions import ContributionFilter, ContributionKind
from app.platform.extensions import db

KEY = ("donor_kind", "kind", "year", "status", "currency")
FIGURES = ("gifts", "amount", "functional_amount", "received_functional", "fees_functional")
RECEIVED_KEY = ("donor_id", "year", "named")
RECEIVED_FIGURES = ("entries", "amount")
GIFT_KINDS = {
    ContributionKind.ONE_OFF_GIFT: GiftKind.ONE_OFF,
    ContributionKind.MONTHLY_GIFT: GiftKind.MONTHLY,
}


def holds(filters: ContributionFilter) -> bool:
    """Whether the running totals answer for these filters: they are kept per donor kind, gift
    kind, year, status and currency, not per donor nor for words searched."""
    return filters.donor_id is None and not filters.words


def running_conditions(filters: ContributionFilter) -> list[Any] | None:
    """The filters as conditions on the running totals; None when they leave no gift."""
    if filters.kind == ContributionKind.PLEDGE:
        return None
    conditions: list[Any] = []
    if filters.kind in GIFT_KINDS:
        conditions.append(GiftTotal.kind == GIFT_KINDS[filters.kind].value)
    if filters.donor_kind:
        conditions.append(GiftTotal.donor_kind == str(filters.donor_kind))
    if filters.year is not None:
        conditions.append(GiftTotal.year == filters.year)
    if filters.status:
        conditions.append(GiftTotal.status == filters.status)
    if filters.currency:
        conditions.append(GiftTotal.currency == filters.currency)
    return conditions


def gift_count(filters: ContributionFilter) -> int:
    """How many gifts match the filters (``holds`` must be true)."""
    conditions = running_conditions(filters)
    if conditions is None:
        return 0
    found = db.session.scalar(sa.select(sa.func.sum(GiftTotal.gifts)).where(*conditions))
    return int(found or 0)


def compact_gift_totals() -> int:
    """Sum the gifts' running totals into one row per key, leaving out keys whose figures all
    add up to zero; the number of keys kept. The caller commits."""
    return _compact(cast(sa.Table, GiftTotal.__table__), KEY, FIGURES)


def compact_received_totals() -> int:
    """The same for what donors gave per donor and year (``received_totals``, read by the
    public page of donors, transparency and the annual report)."""
    return _compact(cast(sa.Table, ReceivedTotal.__table__), RECEIVED_KEY, RECEIVED_FIGURES)


def compact_running_totals() -> int:
    """Both compactions, in the caller's transaction (the beat's job, ``make run``'s outbox
    loop, ``flask donations compact-totals``): the rows left in all."""
    return compact_gift_totals() + compact_received_totals()


def _compact(table: sa.Table, key: tuple[str, ...], figures: tuple[str, ...]) -> int:
    """Safe beside the triggers' writers and another compaction: one DELETE ... RETURNING takes
    the rows it sees and gives back exactly those, which are summed and inserted again in the
    same transaction; a row committed meanwhile is neither taken nor lost."""
    taken = db.session.execute(
        sa.delete(table).returning(*(table.c[name] for name in key + figures))
    ).all()
    sums: dict[tuple[Any, ...], list[int]] = {}
    for row in taken:
        summed = sums.setdefault(tuple(row[: len(key)]), [0] * len(figures))
        for place, value in enumerate(row[len(key) :]):
            summed[place] += int(value)
    kept = [
        dict(zip(key + figures, (*values, *summed), strict=True))
        for values, summed in sums.items()
        if any(summed)
    ]
    if kept:
        db.session.execute(sa.insert(table), kept)
    return len(kept)
