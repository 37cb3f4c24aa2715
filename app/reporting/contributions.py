"""Money received from donors: by year and donor kind, and by donor (as donors may be named).

Received means card gifts that succeeded, net of refunds and lost disputes, by the year they
succeeded, and bank receipts by value date (applied to a pledge or not), in the functional
currency. Governments are named (UN practice); other donors only when they chose to be; the
rest are added up as "other donors". Each figure is one grouped query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.donations.models import (
    GOVERNMENT_KINDS,
    BankReceipt,
    Donor,
    Gift,
    GiftStatus,
)
from app.donations.reports.totals import gift_reversals
from app.platform.extensions import db
from app.platform.sql import date_year, year_of

UNIDENTIFIED = "unidentified"  # bank receipts nobody has matched to a donor yet


def _received() -> Any:
    """One row per gift or bank receipt: donor, opt-in, year, net functional amount."""
    refunded, lost = gift_reversals()
    net = (
        sa.func.coalesce(Gift.functional_amount, 0)
        - sa.func.coalesce(refunded.c.amount, 0)
        - sa.func.coalesce(lost.c.amount, 0)
    )
    gifts = (
        sa.select(
            Gift.donor_id.label("donor_id"),
            Gift.public_recognition.label("named"),
            year_of(Gift.succeeded_at).label("year"),
            net.label("amount"),
        )
        .select_from(Gift)
        .outerjoin(refunded, refunded.c.gift_id == Gift.id)
        .outerjoin(lost, lost.c.gift_id == Gift.id)
        .where(Gift.status == GiftStatus.SUCCEEDED)
    )
    receipts = (
        sa.select(
            BankReceipt.donor_id.label("donor_id"),
            sa.func.coalesce(Donor.public_recognition, sa.false()).label("named"),
            date_year(BankReceipt.value_date).label("year"),
            BankReceipt.functional_amount.label("amount"),
        )
        .select_from(BankReceipt)
        .outerjoin(Donor, Donor.id == BankReceipt.donor_id)
    )
    return sa.union_all(gifts, receipts).subquery("received")


def by_year_and_kind(*, since_year: int | None = None) -> dict[int, dict[str, int]]:
    """{year: {donor kind (or "unidentified"): amount}}, oldest year first."""
    received = _received()
    kind = sa.func.coalesce(sa.type_coerce(Donor.kind, sa.String), UNIDENTIFIED)
    query = (
        sa.select(received.c.year, kind, sa.func.sum(received.c.amount))
        .select_from(received)
        .outerjoin(Donor, Donor.id == received.c.donor_id)
        .group_by(received.c.year, kind)
        .order_by(received.c.year)
    )
    if since_year is not None:
        query = query.where(received.c.year >= since_year)
    result: dict[int, dict[str, int]] = {}
    for year, donor_kind, amount in db.session.execute(query):
        result.setdefault(int(year), {})[str(donor_kind)] = int(amount or 0)
    return result


@dataclass(frozen=True)
class DonorLine:
    """A named donor's total, or (``name`` None) all other donors together."""

    name: str | None
    kind: str | None
    amount: int


@dataclass(frozen=True)
class DonorTable:
    lines: list[DonorLine]  # named donors, largest first (at most ``limit``)
    others: int  # donors not named, and named ones beyond the limit
    total: int


def by_donor(*, year: int | None = None, limit: int = 100) -> DonorTable:
    """Received by named donor (governments, and others who opted in), largest first."""
    received = _received()
    listed = sa.or_(Donor.kind.in_(list(GOVERNMENT_KINDS)), received.c.named == sa.true())
    key = sa.case((listed, Donor.id), else_=None)
    name = sa.case((listed, Donor.name), else_=None)
    kind = sa.case((listed, Donor.kind), else_=None)
    total_amount = sa.func.sum(received.c.amount)
    query = (
        sa.select(key.label("key"), name.label("name"), kind.label("kind"), total_amount)
        .select_from(received)
        .outerjoin(Donor, Donor.id == received.c.donor_id)
        .group_by(key, name, kind)
        .having(total_amount != 0)
        # The unnamed group sorts with the rest; it is taken out below.
        .order_by(total_amount.desc(), name)
        .limit(limit + 1)
    )
    if year is not None:
        query = query.where(received.c.year == year)
    total_query = sa.select(sa.func.coalesce(sa.func.sum(received.c.amount), 0))
    if year is not None:
        total_query = total_query.where(received.c.year == year)
    total = int(db.session.execute(total_query).scalar_one())
    lines = [
        DonorLine(name=str(row.name), kind=str(row.kind), amount=int(row[3]))
        for row in db.session.execute(query)
        if row.key is not None
    ][:limit]
    return DonorTable(lines=lines, others=total - sum(line.amount for line in lines), total=total)


@dataclass(frozen=True)
class DonorYear:
    """What one donor gave in one year, with or without their consent to be named."""

    year: int
    kind: str
    name: str
    named: bool
    amount: int


def by_year_and_donor() -> list[DonorYear]:
    """Received per year and identified donor (unmatched bank receipts left out), newest first."""
    received = _received()
    amount = sa.func.sum(received.c.amount)
    query = (
        sa.select(received.c.year, Donor.kind, Donor.name, received.c.named, amount)
        .select_from(received)
        .join(Donor, Donor.id == received.c.donor_id)
        .group_by(received.c.year, Donor.id, Donor.kind, Donor.name, received.c.named)
        .order_by(received.c.year.desc(), Donor.id)
    )
    return [
        DonorYear(
            year=int(year), kind=str(kind), name=str(name), named=bool(named), amount=int(total)
        )
        for year, kind, name, named, total in db.session.execute(query)
    ]
