"""What donors gave, per donor and year, kept by the database as gifts and receipts are written.

The public page of donors, the transparency page and API and the Board's annual report show
what was received per donor (named where they may be) and per year: card gifts that succeeded,
net of refunds and lost disputes, and bank receipts (app/reporting/contributions.py). Summing
every gift and receipt on each view grew with the fund. Triggers (migration 5c2e8a4f6b1d) add a
row here for each change that moves those figures: a gift's contribution with a minus sign under
its old key and a plus sign under its new one, a refund or a lost dispute as what it took back,
a bank receipt as it is recorded, corrected or deleted. Rows only ever arrive, so writers never
wait for each other here; the beat's compaction of the running totals
(``app.donations.reports.gift_totals.compact_running_totals``) sums them into one row per key.
A sum over this table is, at any moment, the sum over the gifts and receipts.

Donors' kinds, names and choices to be named are not copied here: the readers join ``donors``,
so a donor's change needs no trigger.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.platform.db import Model, Money


class ReceivedTotal(Model):
    """What was received from one donor (or from nobody identified yet) in one year, or a change
    to it. Written by the database's triggers and the compaction only."""

    __tablename__ = "received_totals"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    # None: bank receipts nobody has matched to a donor yet. No foreign key: rows of a donor
    # whose gifts and receipts all went add up to nothing and are left out by the compaction.
    donor_id: Mapped[int | None] = mapped_column(sa.Integer)
    # The UTC year a gift succeeded in; a bank receipt's value date's year.
    year: Mapped[int] = mapped_column(sa.Integer)
    # A gift's own choice to be named (Gift.public_recognition); None for bank receipts, which
    # follow their donor's current choice (Donor.public_recognition, read with the totals).
    named: Mapped[bool | None] = mapped_column(sa.Boolean)
    # How many gifts and receipts: a key whose amount adds up to zero is still shown.
    entries: Mapped[int] = mapped_column(sa.BigInteger)
    # In the functional currency, net of refunds and lost disputes.
    amount: Mapped[int] = mapped_column(Money)
