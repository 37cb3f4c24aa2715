"""Money received from donors: by year and donor kind, and by donor (as donors may be named).

Received means card gifts that succeeded, net of refunds and lost disputes, by the year they
succeeded, and bank receipts by value date (applied to a pledge or not), in the functional
currency. Governments are named (UN practice); other donors only when they chose to be (a gift
by its own choice, a bank receipt by its donor's current one); the rest are added up as "other
donors". Each figure is one grouped query over the running totals kept by the database per
donor and year (app/donations/models/received_totals.py, decision 0123), joined to the donors
for their kind, name and choice: a few rows per donor and year, whatever the number of gifts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.donations.models import GOVERNMENT_KINDS, Donor, ReceivedTotal
from app.platform.extensions import db

UNIDENTIFIED = "unidentified"  # bank receipts nobody has matched to a donor yet


def credited_by_name() -> Any:
    """Whether the money may be credited by name: a gift's own choice, a bank receipt's donor's
    (a gift's choice is kept with its totals; a receipt's row leaves it None)."""
    return sa.func.coalesce(ReceivedTotal.named, Donor.public_recognition, sa.false())


def holds_an_entry() -> Any:
    """A key that still holds a gift or a receipt, even if they add up to nothing (shown)."""
    return sa.func.sum(ReceivedTotal.entries) > 0


def by_year_and_kind(*, since_year: int | None = None) -> dict[int, dict[str, int]]:
    """{year: {donor kind (or "unidentified"): amount}}, oldest year first."""
    kind = sa.func.coalesce(sa.type_coerce(Donor.kind, sa.String), UNIDENTIFIED)
    query = (
        sa.select(ReceivedTotal.year, kind, sa.func.sum(ReceivedTotal.amount))
        .select_from(ReceivedTotal)
        .outerjoin(Donor, Donor.id == ReceivedTotal.donor_id)
        .group_by(ReceivedTotal.year, kind)
        .having(holds_an_entry())
        .order_by(ReceivedTotal.year)
    )
    if since_year is not None:
        query = query.where(ReceivedTotal.year >= since_year)
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
    # The donor's country: a State is named in the reader's language (donor_names.py).
    country: str | None = None


@dataclass(frozen=True)
class DonorTable:
    lines: list[DonorLine]  # named donors, largest first (at most ``limit``)
    others: int  # donors not named, and named ones beyond the limit
    total: int

    def top(self, count: int) -> DonorTable:
        """The ``count`` largest named donors; the rest added to the others (a page that
        summarises, such as /transparency, links to the full list instead)."""
        shown = self.lines[:count]
        return DonorTable(
            lines=shown, others=self.total - sum(line.amount for line in shown), total=self.total
        )


def by_donor(*, year: int | None = None, limit: int = 100) -> DonorTable:
    """Received by named donor (governments, and others who opted in), largest first."""
    listed = sa.or_(Donor.kind.in_(list(GOVERNMENT_KINDS)), credited_by_name() == sa.true())
    key = sa.case((listed, Donor.id), else_=None)
    name = sa.case((listed, Donor.name), else_=None)
    kind = sa.case((listed, Donor.kind), else_=None)
    country = sa.case((listed, Donor.country), else_=None)
    total_amount = sa.func.sum(ReceivedTotal.amount)
    query = (
        sa.select(
            key.label("key"),
            name.label("name"),
            kind.label("kind"),
            country.label("country"),
            total_amount,
        )
        .select_from(ReceivedTotal)
        .outerjoin(Donor, Donor.id == ReceivedTotal.donor_id)
        .group_by(key, name, kind, country)
        .having(total_amount != 0)
        # The unnamed group sorts with the rest; it is taken out below.
        .order_by(total_amount.desc(), name)
        .limit(limit + 1)
    )
    if year is not None:
        query = query.where(ReceivedTotal.year == year)
    total_query = sa.select(sa.func.coalesce(sa.func.sum(ReceivedTotal.amount), 0))
    if year is not None:
        total_query = total_query.where(ReceivedTotal.year == year)
    total = int(db.session.execute(total_query).scalar_one())
    lines = [
        DonorLine(name=str(row.name), kind=str(row.kind), amount=int(row[4]), country=row.country)
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
    amount = sa.func.sum(ReceivedTotal.amount)
    named = credited_by_name()
    query = (
        sa.select(ReceivedTotal.year, Donor.kind, Donor.name, named, amount)
        .select_from(ReceivedTotal)
        .join(Donor, Donor.id == ReceivedTotal.donor_id)
        .group_by(ReceivedTotal.year, Donor.id, Donor.kind, Donor.name, named)
        .having(holds_an_entry())
        .order_by(ReceivedTotal.year.desc(), Donor.id)
    )
    return [
        DonorYear(
            year=int(year), kind=str(kind), name=str(name), named=bool(named), amount=int(total)
        )
        for year, kind, name, named, total in db.session.execute(query)
    ]
