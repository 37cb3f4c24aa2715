"""Numbered receipts for gifts and bank receipts (one sequence per year)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.donations.models import BankReceipt, DonationReceipt, Gift, ReceiptSequence
from app.platform.db import utcnow
from app.platform.extensions import db


def _next_receipt_number(year: int) -> int:
    """One more number in the year's sequence.

    The UPDATE takes the row lock, so concurrent receipts wait for each other and never share
    a number; the unique (year, number) constraint is the last line of defence.
    """
    table = cast(sa.Table, ReceiptSequence.__table__)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(table)
        .values(year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    number = db.session.execute(
        sa.update(table)
        .where(table.c.year == year)
        .values(last_number=table.c.last_number + 1)
        .returning(table.c.last_number)
    ).scalar_one()
    return int(number)


def issue_receipt(
    *, gift: Gift | None = None, bank_receipt: BankReceipt | None = None, at: datetime | None = None
) -> DonationReceipt:
    """The numbered receipt for a succeeded gift or a bank receipt (at most one each)."""
    if (gift is None) == (bank_receipt is None):
        raise ValueError("a receipt is for exactly one gift or bank receipt")
    at = at or utcnow()
    receipt = DonationReceipt(
        year=at.year,
        number=_next_receipt_number(at.year),
        gift=gift,
        bank_receipt=bank_receipt,
        issued_at=at,
    )
    db.session.add(receipt)
    db.session.flush()
    return receipt


def receipt_for(
    *, gift: Gift | None = None, bank_receipt: BankReceipt | None = None
) -> DonationReceipt | None:
    query = sa.select(DonationReceipt)
    if gift is not None:
        query = query.where(DonationReceipt.gift_id == gift.id)
    elif bank_receipt is not None:
        query = query.where(DonationReceipt.bank_receipt_id == bank_receipt.id)
    else:
        return None
    return db.session.execute(query).scalar_one_or_none()


def mark_receipt_emailed(*, receipt: DonationReceipt) -> None:
    receipt.emailed_at = utcnow()
