"""Bank receipts as finance lists them, and the pledges a receipt can pay."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.donations.models import BankReceipt, Pledge, PledgeStatus
from app.platform.extensions import db


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
