"""The finance list of contributions: every gift and pledge matching the filters, a page at a
time or all of them for the export, newest first.

Gifts are counted and ordered in SQL; pledges, a few thousand at most, are merged in.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.donations.models import (
    Donor,
    DonorKind,
    Gift,
    GiftKind,
    Pledge,
)
from app.platform.extensions import db
from app.platform.sql import day_of, year_of


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
    # Words of the donor's name or the pledge's earmark, or a gift's or pledge's number.
    words: str | None = None


def _words_condition(name: Any, number: Any, earmark: Any, words: str) -> Any:
    text = words.strip().lstrip("#")
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    found = [name.ilike(f"%{escaped}%", escape="\\")]
    if earmark is not None:
        found.append(earmark.ilike(f"%{escaped}%", escape="\\"))
    if text.isascii() and text.isdigit() and len(text) <= 9:
        found.append(number == int(text))
    return sa.or_(*found)


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


def gift_moment() -> Any:
    """When a gift counts: when it succeeded, else when it was started."""
    return sa.func.coalesce(Gift.succeeded_at, Gift.created_at)


def gift_kind_value() -> Any:
    return sa.case(
        (Gift.kind == GiftKind.MONTHLY, ContributionKind.MONTHLY_GIFT.value),
        else_=ContributionKind.ONE_OFF_GIFT.value,
    )


def _gift_order() -> list[Any]:
    """Newest first, as ``_sort_key`` orders rows in Python."""
    return [day_of(gift_moment()).desc(), gift_kind_value().desc(), Gift.id.desc()]


def gift_conditions(filters: ContributionFilter) -> list[Any] | None:
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
        conditions.append(year_of(gift_moment()) == filters.year)
    if filters.words:
        conditions.append(_words_condition(Gift.donor_name, Gift.id, None, filters.words))
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


def pledge_query(filters: ContributionFilter) -> sa.Select[Any] | None:
    """The pledges matching the filters; None when the filters leave no pledge."""
    if filters.kind not in (None, ContributionKind.PLEDGE):
        return None
    query = sa.select(Pledge)
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
    if filters.words:
        named = sa.select(Donor.name).where(Donor.id == Pledge.donor_id).scalar_subquery()
        query = query.where(_words_condition(named, Pledge.id, Pledge.earmark, filters.words))
    return query


def pledge_rows(filters: ContributionFilter) -> list[ContributionRow]:
    query = pledge_query(filters)
    if query is None:
        return []
    query = query.options(selectinload(Pledge.allocations))
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
    pledges = pledge_rows(filters)
    keyed: list[tuple[tuple[date, str, int], ContributionRow | int]] = [
        (_sort_key(row), row) for row in pledges
    ]
    matching = len(pledges)
    conditions = gift_conditions(filters)
    if conditions is not None:
        found = db.session.execute(
            sa.select(Gift.id, gift_moment(), gift_kind_value())
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
    pledges = sorted(pledge_rows(filters), key=_sort_key, reverse=True)
    conditions = gift_conditions(filters)
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
