"""A contribution's restriction: what the money may fund. Its balance is a ledger account.

The balance is never kept here: it is the ledger account ``fund:restricted:<id>`` (see
``app/funding/services.py``), so the ledger itself says which contribution paid which grant.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.platform.db import Model, Money, TimestampMixin, UTCDateTime, utcnow


class Restriction(TimestampMixin, Model):
    """The terms a donor put on a pledge: every term that is set must match the grant."""

    __tablename__ = "fund_restrictions"
    __table_args__ = (
        sa.CheckConstraint(
            "theme IS NOT NULL OR region IS NOT NULL OR country IS NOT NULL "
            "OR call_id IS NOT NULL OR starts_on IS NOT NULL OR ends_on IS NOT NULL",
            name="some_term",
        ),
        sa.CheckConstraint(
            "starts_on IS NULL OR ends_on IS NULL OR starts_on <= ends_on", name="period_ordered"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One restriction per pledge; the donor is kept too, for "where your money went".
    pledge_id: Mapped[int] = mapped_column(sa.ForeignKey("pledges.id"), unique=True, index=True)
    donor_id: Mapped[int] = mapped_column(sa.ForeignKey("donors.id"), index=True)
    # A Theme code (app/platform/categories.py), an M49 region code, an ISO 3166-1 country.
    theme: Mapped[str | None] = mapped_column(sa.String(40))
    region: Mapped[str | None] = mapped_column(sa.String(3))
    country: Mapped[str | None] = mapped_column(sa.String(2))
    call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("calls.id"))
    # The money may fund grants awarded from ``starts_on`` to ``ends_on`` (both included).
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class RestrictionWarning(Model):
    """Finance was warned that a restricted balance's period ends within ``months`` with money
    left (app/donations/services/restriction_warnings.py): once per restriction and threshold."""

    __tablename__ = "fund_restriction_warnings"
    __table_args__ = (sa.UniqueConstraint("restriction_id", "months"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    restriction_id: Mapped[int] = mapped_column(sa.ForeignKey("fund_restrictions.id"), index=True)
    months: Mapped[int] = mapped_column()
    # What was left and when the period ended, as the warning said.
    amount: Mapped[int] = mapped_column(Money)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    warned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
