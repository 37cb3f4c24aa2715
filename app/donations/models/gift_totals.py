"""The gifts' running totals, kept by the database as gifts, refunds and disputes are written.

Finance's list of contributions shows what every gift matching its filters adds up to; summing
476,000 gifts on each view took 170 to 220 ms (the large bench fund). Triggers (migration
3f5b7d9e1a2c) add a row here for each change of a gift that counts: its figures with a plus
sign under its new key, with a minus sign under its old one, and a refund or a lost dispute as
what it took back. Rows only ever arrive, so writers never wait for each other here;
``app.donations.reports.gift_totals.compact_gift_totals`` (every minute, by the beat) sums them
into one row per key. A sum over this table is, at any moment, the sum over the gifts.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.platform.db import Model, Money


class GiftTotal(Model):
    """Gifts of one key (donor kind, gift kind, year, status, currency): how many and their
    figures, or a change to them. Written by the database's triggers and the compaction only."""

    __tablename__ = "gift_totals"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    donor_kind: Mapped[str] = mapped_column(sa.String(32))
    kind: Mapped[str] = mapped_column(sa.String(32))
    # The UTC year the gift counts in (when it succeeded, else when it was started), as the
    # list's year filter reads it.
    year: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(32))
    currency: Mapped[str] = mapped_column(sa.String(3))
    gifts: Mapped[int] = mapped_column(sa.BigInteger)
    amount: Mapped[int] = mapped_column(Money)
    functional_amount: Mapped[int] = mapped_column(Money)
    # Less refunds and lost disputes (Gift.net_functional_amount).
    received_functional: Mapped[int] = mapped_column(Money)
    fees_functional: Mapped[int] = mapped_column(Money)
