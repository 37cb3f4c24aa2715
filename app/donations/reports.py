"""Read-only views of contributions: the finance list with totals, the donor portal, the public
recognition page. Totals are sums of stored integers, so they agree with the ledger to the cent.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.donations.models import (
    GOVERNMENT_KINDS,
    BankReceipt,
    DonationReceipt,
    Donor,
    DonorKind,
    Gift,
    GiftDispute,
    GiftKind,
    GiftRefund,
    GiftStatus,
    GiftSubscription,
    Pledge,
    PledgeStatus,
)
from app.platform.extensions import db
from app.reporting.sql import day_of, year_of


class ContributionKind(StrEnum):
    ONE_OFF_GIFT = "one_off_gift"
    MONTHLY_GIFT = "monthly_gift"
    PLEDGE = "pledge"


@dataclass(frozen=True)
class ContributionFilter:
    donor_id: int | None = None
    kind: ContributionKind | None = None
    year: int | None = None
    status: str | None = None
    currency: str | None = None
    donor_kind: DonorKind | None = None


@dataclass(frozen=True)
class ContributionRow:
    """One gift or pledge, in its currency and in the functional currency.

    For a gift: ``received`` is the gross less refunds and lost disputes; for a pledge it is what
    bank receipts paid against it, and ``outstanding`` what remains.
    """

    kind: ContributionKind
    record_id: int
    day: date
    year: int
    donor: Donor
    # Who gave: a gift's own name (the donor record, keyed by e-mail, may name another person
    # at the same address); a pledge's donor.
    donor_name: str
    status: str
    amount: int
    currency: str
    functional_amount: int
    received_functional: int
    fee_functional: int
    outstanding: int
    earmark: str | None = None


@dataclass
class Totals:
    rows: int = 0
    # currency → amount in that currency
    by_currency: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    functional: int = 0
    received_functional: int = 0
    fees_functional: int = 0
    outstanding_by_currency: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _gift_moment() -> Any:
    """When a gift counts: when it succeeded, else when it was started."""
    return sa.func.coalesce(Gift.succeeded_at, Gift.created_at)


def _gift_kind_value() -> Any:
    return sa.case(
        (Gift.kind == GiftKind.MONTHLY, ContributionKind.MONTHLY_GIFT.value),
        else_=ContributionKind.ONE_OFF_GIFT.value,
    )


def _gift_order() -> list[Any]:
    """Newest first, as ``_sort_key`` orders rows in Python."""
    return [day_of(_gift_moment()).desc(), _gift_kind_value().desc(), Gift.id.desc()]


def _gift_conditions(filters: ContributionFilter) -> list[Any] | None:
    """The filters as SQL conditions on gifts; None when the filters leave no gift."""
    if filters.kind == ContributionKind.PLEDGE:
        return None
    conditions: list[Any] = []
    if filters.kind == ContributionKind.ONE_OFF_GIFT:
        conditions.append(Gift.kind == GiftKind.ONE_OFF)
    elif filters.kind == ContributionKind.MONTHLY_GIFT:
        conditions.append(Gift.kind == GiftKind.MONTHLY)
    if filters.donor_id is not None:
        conditions.append(Gift.donor_id == filters.donor_id)
    if filters.currency:
        conditions.append(Gift.currency == filters.currency)
    if filters.status:
        conditions.append(Gift.status == filters.status)
    if filters.donor_kind:
        conditions.append(
            Gift.donor_id.in_(sa.select(Donor.id).where(Donor.kind == filters.donor_kind))
        )
    if filters.year is not None:
        conditions.append(year_of(_gift_moment()) == filters.year)
    return conditions


def _gift_row(gift: Gift) -> ContributionRow:
    moment = gift.succeeded_at or gift.created_at
    return ContributionRow(
        kind=(
            ContributionKind.MONTHLY_GIFT
            if gift.kind == GiftKind.MONTHLY
            else ContributionKind.ONE_OFF_GIFT
        ),
        record_id=gift.id,
        day=moment.date(),
        year=moment.year,
        donor=gift.donor,
        donor_name=gift.donor_name,
        status=str(gift.status),
        amount=gift.amount,
        currency=gift.currency,
        functional_amount=gift.functional_amount or 0,
        received_functional=gift.net_functional_amount,
        fee_functional=gift.fee_amount,
        outstanding=0,
    )


def _gifts_with_details() -> Any:
    return sa.select(Gift).options(
        selectinload(Gift.refunds), selectinload(Gift.disputes), selectinload(Gift.donor)
    )


def _sort_key(row: ContributionRow) -> tuple[date, str, int]:
    return (row.day, row.kind.value, row.record_id)


def _pledge_rows(filters: ContributionFilter) -> list[ContributionRow]:
    if filters.kind not in (None, ContributionKind.PLEDGE):
        return []
    query = sa.select(Pledge).options(selectinload(Pledge.allocations))
    if filters.donor_id is not None:
        query = query.where(Pledge.donor_id == filters.donor_id)
    if filters.currency:
        query = query.where(Pledge.currency == filters.currency)
    if filters.status:
        query = query.where(Pledge.status == filters.status)
    if filters.year is not None:
        query = query.where(Pledge.year == filters.year)
    if filters.donor_kind:
        query = query.join(Donor, Donor.id == Pledge.donor_id).where(
            Donor.kind == filters.donor_kind
        )
    return [
        ContributionRow(
            kind=ContributionKind.PLEDGE,
            record_id=pledge.id,
            day=pledge.confirmed_on or pledge.created_at.date(),
            year=pledge.year,
            donor=pledge.donor,
            donor_name=pledge.donor.name,
            status=str(pledge.status),
            amount=pledge.amount,
            currency=pledge.currency,
            functional_amount=pledge.functional_amount or 0,
            received_functional=pledge.paid_functional_amount,
            fee_functional=0,
            outstanding=pledge.outstanding_amount,
            earmark=pledge.earmark,
        )
        for pledge in db.session.execute(query).scalars()
    ]


def contribution_page(
    filters: ContributionFilter, *, page: int, per_page: int
) -> tuple[list[ContributionRow], int]:
    """One page of gifts and pledges matching the filters, newest first, and how many match.

    Gifts are counted and ordered in SQL (hundreds of thousands at scale); pledges, a few
    thousand at most, are merged in. A page needs the newest ``page * per_page`` gift keys at
    most, and loads only its own gifts.
    """
    pledges = _pledge_rows(filters)
    keyed: list[tuple[tuple[date, str, int], ContributionRow | int]] = [
        (_sort_key(row), row) for row in pledges
    ]
    matching = len(pledges)
    conditions = _gift_conditions(filters)
    if conditions is not None:
        found = db.session.execute(
            sa.select(Gift.id, _gift_moment(), _gift_kind_value())
            .where(*conditions)
            .order_by(*_gift_order())
            .limit(page * per_page)
        ).all()
        keyed += [((moment.date(), kind, gift_id), gift_id) for gift_id, moment, kind in found]
        matching += db.session.execute(
            sa.select(sa.func.count()).select_from(Gift).where(*conditions)
        ).scalar_one()
    keyed.sort(key=lambda item: item[0], reverse=True)
    chosen = [value for _key, value in keyed[(page - 1) * per_page : page * per_page]]
    gift_ids = [value for value in chosen if isinstance(value, int)]
    gifts = {
        gift.id: gift
        for gift in db.session.execute(_gifts_with_details().where(Gift.id.in_(gift_ids))).scalars()
    }
    rows = [_gift_row(gifts[value]) if isinstance(value, int) else value for value in chosen]
    return rows, matching


def iter_contributions(filters: ContributionFilter) -> Iterator[ContributionRow]:
    """Every gift and pledge matching the filters, newest first, gifts read in batches."""
    pledges = sorted(_pledge_rows(filters), key=_sort_key, reverse=True)
    conditions = _gift_conditions(filters)
    if conditions is None:
        yield from pledges
        return
    query = (
        _gifts_with_details()
        .where(*conditions)
        .order_by(*_gift_order())
        .execution_options(yield_per=500)
    )
    gifts = (_gift_row(gift) for gift in db.session.execute(query).scalars())
    yield from heapq.merge(gifts, pledges, key=_sort_key, reverse=True)


# Listed but not counted in the money totals: nothing was (or will be) received.
NOT_COUNTED = frozenset(
    {GiftStatus.PENDING.value, GiftStatus.FAILED.value, PledgeStatus.CANCELLED.value}
)


def totals(rows: Iterable[ContributionRow]) -> Totals:
    """Sums of the listed rows, leaving out failed and pending gifts and cancelled pledges."""
    result = Totals()
    for row in rows:
        result.rows += 1
        if row.status in NOT_COUNTED:
            continue
        result.by_currency[row.currency] += row.amount
        result.functional += row.functional_amount
        result.received_functional += row.received_functional
        result.fees_functional += row.fee_functional
        if row.outstanding:
            result.outstanding_by_currency[row.currency] += row.outstanding
    return result


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
    """The totals of every gift and pledge matching the filters (see ``totals``), gifts summed
    in SQL."""
    result = totals(_pledge_rows(filters))
    conditions = _gift_conditions(filters)
    if conditions is None:
        return result
    refunded, lost = gift_reversals()
    # Gift.net_functional_amount, in SQL.
    received = sa.case(
        (Gift.functional_amount.is_(None), 0),
        else_=Gift.functional_amount
        - sa.func.coalesce(refunded.c.amount, 0)
        - sa.func.coalesce(lost.c.amount, 0),
    )
    counted = Gift.status.not_in([status for status in GiftStatus if status in NOT_COUNTED])

    def counted_sum(value: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((counted, value), else_=0)), 0)

    query = (
        sa.select(
            Gift.currency,
            sa.func.count(),
            counted_sum(1),
            counted_sum(Gift.amount),
            counted_sum(sa.func.coalesce(Gift.functional_amount, 0)),
            counted_sum(received),
            counted_sum(Gift.fee_amount),
        )
        .select_from(Gift)
        .outerjoin(refunded, refunded.c.gift_id == Gift.id)
        .outerjoin(lost, lost.c.gift_id == Gift.id)
        .where(*conditions)
        .group_by(Gift.currency)
    )
    for currency, listed, in_totals, amount, functional, net, fees in db.session.execute(query):
        result.rows += int(listed)
        if not in_totals:
            continue
        result.by_currency[currency] += int(amount)
        result.functional += int(functional)
        result.received_functional += int(net)
        result.fees_functional += int(fees)
    return result


def unapplied_receipts() -> list[BankReceipt]:
    """Bank receipts with money not applied to any pledge (over-payments, unknown payers)."""
    receipts = db.session.execute(
        sa.select(BankReceipt)
        .options(selectinload(BankReceipt.allocations))
        .order_by(BankReceipt.value_date.desc(), BankReceipt.id.desc())
    ).scalars()
    return [receipt for receipt in receipts if receipt.unapplied_amount > 0]


def bank_receipts(*, page: int, per_page: int) -> tuple[list[BankReceipt], int]:
    total = db.session.execute(sa.select(sa.func.count()).select_from(BankReceipt)).scalar_one()
    rows = db.session.execute(
        sa.select(BankReceipt)
        .options(selectinload(BankReceipt.allocations))
        .order_by(BankReceipt.value_date.desc(), BankReceipt.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).scalars()
    return list(rows), int(total)


def payable_pledges(*, currency: str | None = None, donor_id: int | None = None) -> list[Pledge]:
    query = (
        sa.select(Pledge)
        .options(selectinload(Pledge.allocations))
        .where(Pledge.status.in_([PledgeStatus.CONFIRMED, PledgeStatus.PARTIALLY_PAID]))
        .order_by(Pledge.year, Pledge.id)
    )
    if currency:
        query = query.where(Pledge.currency == currency)
    if donor_id is not None:
        query = query.where(Pledge.donor_id == donor_id)
    return list(db.session.execute(query).scalars())


# --- donor portal --------------------------------------------------------------------------


@dataclass
class Portal:
    gifts: list[Gift]
    pledges: list[Pledge]
    receipts: list[DonationReceipt]
    subscriptions: list[GiftSubscription]


def portal_for(donors: list[Donor]) -> Portal:
    ids = [donor.id for donor in donors]
    if not ids:
        return Portal([], [], [], [])
    gifts = list(
        db.session.execute(
            sa.select(Gift)
            .options(selectinload(Gift.refunds), selectinload(Gift.disputes))
            .where(Gift.donor_id.in_(ids), Gift.status != GiftStatus.PENDING)
            .order_by(Gift.id.desc())
        ).scalars()
    )
    pledges = list(
        db.session.execute(
            sa.select(Pledge)
            .options(selectinload(Pledge.allocations))
            .where(Pledge.donor_id.in_(ids))
            .order_by(Pledge.year.desc(), Pledge.id.desc())
        ).scalars()
    )
    receipts = list(
        db.session.execute(
            sa.select(DonationReceipt)
            .outerjoin(Gift, Gift.id == DonationReceipt.gift_id)
            .outerjoin(BankReceipt, BankReceipt.id == DonationReceipt.bank_receipt_id)
            .where(sa.or_(Gift.donor_id.in_(ids), BankReceipt.donor_id.in_(ids)))
            .order_by(DonationReceipt.issued_at.desc(), DonationReceipt.id.desc())
        ).scalars()
    )
    subscriptions = list(
        db.session.execute(
            sa.select(GiftSubscription)
            .where(
                GiftSubscription.donor_id.in_(ids),
                GiftSubscription.stripe_subscription_id.is_not(None),
            )
            .order_by(GiftSubscription.id.desc())
        ).scalars()
    )
    return Portal(gifts, pledges, receipts, subscriptions)


# --- public recognition --------------------------------------------------------------------


@dataclass
class RecognitionYear:
    year: int
    total_functional: int = 0
    # name → amount received that year (functional currency)
    governments: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    named: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    anonymous_functional: int = 0


def recognition() -> list[RecognitionYear]:
    """Money received per year: governments by name (UN practice), others by name only when
    they opted in, everyone else counted together as anonymous. One grouped query."""
    # Reporting reads donations' models; imported here so donations never depends on it at load.
    from app.reporting.contributions import by_year_and_donor

    years: dict[int, RecognitionYear] = {}
    for line in by_year_and_donor():
        if line.amount <= 0:
            continue
        entry = years.setdefault(line.year, RecognitionYear(line.year))
        entry.total_functional += line.amount
        if line.kind in GOVERNMENT_KINDS:
            entry.governments[line.name] += line.amount
        elif line.named:
            entry.named[line.name] += line.amount
        else:
            entry.anonymous_functional += line.amount
    return [years[year] for year in sorted(years, reverse=True)]
