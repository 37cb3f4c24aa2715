"""Finance's staff list of contributions (app/donations/web/finance/contribution_listing.py):
every gift and pledge as one read-only row shape, each figure computed in SQL so each column
sorts, with the index that gives the default order."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property
from sqlalchemy.sql.functions import FunctionElement

from app.donations.models import (
    BankReceiptAllocation,
    Donor,
    Gift,
    GiftDispute,
    GiftRefund,
    Pledge,
    PledgeStatus,
)
from app.donations.reports.contributions import (
    ContributionKind,
    gift_kind_value,
    gift_moment,
)
from app.platform.sql import date_year


class _UtcDay(FunctionElement[date]):
    """The UTC calendar day of a timestamp, as ``day_of`` but chosen when compiled (the list's
    rows are declared once, before any database is known)."""

    type = sa.Date()
    name = "utc_day"
    inherit_cache = True


@compiles(_UtcDay)
def _utc_day_default(element: Any, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(_UtcDay, "postgresql")
def _utc_day_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST(timezone('UTC', {compiler.process(element.clauses, **kw)}) AS DATE)"


def _cast_text(column: Any) -> Any:
    return sa.type_coerce(column, sa.String(40))


def _donor(column: Any, donor_id: Any) -> Any:
    """A column of the row's donor, read by a sub-query rather than a join: with each branch of
    the UNION ALL on one table, PostgreSQL merges the branches in the list's order (a Merge
    Append over ``ix_gifts_listed``) and reads a page's rows alone instead of sorting every
    contribution (measured at 476,990: 1.3 ms against 400 ms)."""
    return sa.select(column).where(Donor.id == donor_id).scalar_subquery()


def valued(functional_amount: Any) -> Any:
    """What a contribution is worth in the functional currency, 0 while it has no value yet (a
    card gift not paid, a pledge not confirmed): the list's Value and Amount sort by it."""
    return sa.cast(sa.func.coalesce(functional_amount, 0), sa.BigInteger)


def _entries() -> Any:
    """Every gift and pledge as one row shape (a UNION ALL), keyed by a number unique across
    both: a gift's id * 2, a pledge's id * 2 + 1."""
    moment = gift_moment()
    gifts = sa.select(
        (Gift.id * 2).label("key"),
        _cast_text(gift_kind_value()).label("kind"),
        Gift.id.label("record_id"),
        _UtcDay(moment).label("day"),
        date_year(_UtcDay(moment)).label("year"),
        Gift.donor_id.label("donor_id"),
        Gift.donor_name.label("donor_name"),
        _cast_text(_donor(Donor.kind, Gift.donor_id)).label("donor_kind"),
        _cast_text(Gift.status).label("status"),
        Gift.amount.label("amount"),
        Gift.currency.label("currency"),
        valued(Gift.functional_amount).label("functional_amount"),
        Gift.fee_amount.label("fee_functional"),
        sa.null().label("earmark"),
    ).select_from(Gift)
    pledges = sa.select(
        (Pledge.id * 2 + 1).label("key"),
        _cast_text(sa.literal(ContributionKind.PLEDGE.value)).label("kind"),
        Pledge.id.label("record_id"),
        sa.func.coalesce(Pledge.confirmed_on, _UtcDay(Pledge.created_at), type_=sa.Date).label(
            "day"
        ),
        Pledge.year.label("year"),
        Pledge.donor_id.label("donor_id"),
        _donor(Donor.name, Pledge.donor_id).label("donor_name"),
        _cast_text(_donor(Donor.kind, Pledge.donor_id)).label("donor_kind"),
        _cast_text(Pledge.status).label("status"),
        Pledge.amount.label("amount"),
        Pledge.currency.label("currency"),
        valued(Pledge.functional_amount).label("functional_amount"),
        # Typed as the gifts' column: a branch whose columns need converting is not merged
        # in order (see ``_donor``).
        sa.cast(sa.literal_column("0"), sa.BigInteger).label("fee_functional"),
        Pledge.earmark.label("earmark"),
    ).select_from(Pledge)
    return sa.union_all(gifts, pledges).subquery("contribution_entries")


class _EntryBase(DeclarativeBase):
    """Read-only mappings over queries, kept out of the tables' metadata (no migration)."""


# The list's default order (newest first) read from an index: the day as the list computes it
# (compiled for each database) and the row's key. Made by migration 7c1e9a2b4d60.
cast(sa.Table, Gift.__table__).append_constraint(
    sa.Index("ix_gifts_listed", _UtcDay(gift_moment()), Gift.id * 2)
)


# The list sorted by value (the Amount and Value columns) read from an index the same way: what
# the gift is worth as the list computes it, and the row's key. Made by migration 9d4f2a6c8e13.
cast(sa.Table, Gift.__table__).append_constraint(
    sa.Index("ix_gifts_valued", valued(Gift.functional_amount), Gift.id * 2)
)


class ContributionEntry(_EntryBase):
    """One gift or pledge as the staff list shows it, read from ``_entries`` (never written):
    what ``ContributionRow`` holds, every figure computed in SQL so each column sorts."""

    __table__ = _entries()
    __mapper_args__ = {"primary_key": [__table__.c.key]}

    key: Mapped[int]
    kind: Mapped[str]
    record_id: Mapped[int]
    day: Mapped[date]
    year: Mapped[int]
    donor_id: Mapped[int]
    donor_name: Mapped[str]
    donor_kind: Mapped[str]
    status: Mapped[str]
    amount: Mapped[int]
    currency: Mapped[str]
    functional_amount: Mapped[int]
    fee_functional: Mapped[int]
    earmark: Mapped[str | None]
    if TYPE_CHECKING:  # mapped below, as column properties read after the sort
        received_functional: Mapped[int]
        outstanding: Mapped[int]

    @property
    def contribution_kind(self) -> ContributionKind:
        return ContributionKind(self.kind)

    @property
    def is_pledge(self) -> bool:
        return self.kind == ContributionKind.PLEDGE.value


def _summed(column: Any, owner: Any) -> Any:
    return sa.func.coalesce(
        sa.select(sa.func.sum(column))
        .where(owner == ContributionEntry.record_id)
        .scalar_subquery(),
        0,
    )


def _is_pledge() -> Any:
    return ContributionEntry.kind == ContributionKind.PLEDGE.value


# What was received and what is still owed: read for the rows of a page only (PostgreSQL
# evaluates them after the sort and its limit), so a page of the whole list stays cheap; sorting
# by one of them computes it for every row that matches.
ContributionEntry.received_functional = column_property(
    sa.cast(
        sa.case(
            (
                _is_pledge(),
                _summed(BankReceiptAllocation.functional_amount, BankReceiptAllocation.pledge_id),
            ),
            else_=ContributionEntry.functional_amount
            - _summed(GiftRefund.functional_amount, GiftRefund.gift_id)
            - _summed(GiftDispute.functional_amount_lost, GiftDispute.gift_id),
        ),
        sa.BigInteger,
    )
)
_LEFT = ContributionEntry.amount - _summed(
    BankReceiptAllocation.amount, BankReceiptAllocation.pledge_id
)
ContributionEntry.outstanding = column_property(
    sa.cast(
        sa.case(
            (
                sa.and_(
                    _is_pledge(),
                    ContributionEntry.status.not_in(
                        [PledgeStatus.CANCELLED.value, PledgeStatus.WRITTEN_OFF.value]
                    ),
                    _LEFT > 0,
                ),
                _LEFT,
            ),
            else_=0,
        ),
        sa.BigInteger,
    )
)
