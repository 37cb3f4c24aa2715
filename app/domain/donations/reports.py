"""Read-only views of contributions: the finance list with totals, the donor portal, the public
recognition page. Totals are sums of stored integers, so they agree with the ledger to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.domain.donations.models import (
    GOVERNMENT_KINDS,
    BankReceipt,
    DonationReceipt,
    Donor,
    DonorKind,
    Gift,
    GiftKind,
    GiftStatus,
    GiftSubscription,
    Pledge,
    PledgeStatus,
)
from app.extensions import db


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


def _gift_rows(filters: ContributionFilter) -> list[ContributionRow]:
    if filters.kind == ContributionKind.PLEDGE:
        return []
    query = sa.select(Gift).options(selectinload(Gift.refunds), selectinload(Gift.disputes))
    if filters.kind == ContributionKind.ONE_OFF_GIFT:
        query = query.where(Gift.kind == GiftKind.ONE_OFF)
    elif filters.kind == ContributionKind.MONTHLY_GIFT:
        query = query.where(Gift.kind == GiftKind.MONTHLY)
    if filters.donor_id is not None:
        query = query.where(Gift.donor_id == filters.donor_id)
    if filters.currency:
        query = query.where(Gift.currency == filters.currency)
    if filters.status:
        query = query.where(Gift.status == filters.status)
    if filters.donor_kind:
        query = query.join(Donor, Donor.id == Gift.donor_id).where(Donor.kind == filters.donor_kind)
    rows = []
    for gift in db.session.execute(query).scalars():
        moment = gift.succeeded_at or gift.created_at
        if filters.year is not None and moment.year != filters.year:
            continue
        rows.append(
            ContributionRow(
                kind=(
                    ContributionKind.MONTHLY_GIFT
                    if gift.kind == GiftKind.MONTHLY
                    else ContributionKind.ONE_OFF_GIFT
                ),
                record_id=gift.id,
                day=moment.date(),
                year=moment.year,
                donor=gift.donor,
                status=str(gift.status),
                amount=gift.amount,
                currency=gift.currency,
                functional_amount=gift.functional_amount or 0,
                received_functional=gift.net_functional_amount,
                fee_functional=gift.fee_amount,
                outstanding=0,
            )
        )
    return rows


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


def contributions(filters: ContributionFilter) -> list[ContributionRow]:
    """Gifts and pledges matching the filters, newest first."""
    rows = _gift_rows(filters) + _pledge_rows(filters)
    rows.sort(key=lambda row: (row.day, row.kind.value, row.record_id), reverse=True)
    return rows


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
    they opted in, everyone else counted together as anonymous."""
    years: dict[int, RecognitionYear] = {}

    def add(year: int, donor: Donor, amount: int, opted_in: bool) -> None:
        if amount <= 0:
            return
        entry = years.setdefault(year, RecognitionYear(year))
        entry.total_functional += amount
        if donor.kind in GOVERNMENT_KINDS:
            entry.governments[donor.name] += amount
        elif opted_in:
            entry.named[donor.name] += amount
        else:
            entry.anonymous_functional += amount

    gifts = db.session.execute(
        sa.select(Gift)
        .options(selectinload(Gift.refunds), selectinload(Gift.disputes))
        .where(Gift.status == GiftStatus.SUCCEEDED)
    ).scalars()
    for gift in gifts:
        assert gift.succeeded_at is not None
        add(gift.succeeded_at.year, gift.donor, gift.net_functional_amount, gift.public_recognition)
    receipts = db.session.execute(
        sa.select(BankReceipt).where(BankReceipt.donor_id.is_not(None))
    ).scalars()
    for receipt in receipts:
        assert receipt.donor is not None
        add(
            receipt.value_date.year,
            receipt.donor,
            receipt.functional_amount,
            receipt.donor.public_recognition,
        )
    return [years[year] for year in sorted(years, reverse=True)]
