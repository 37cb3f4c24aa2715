"""Bank receipts as finance lists them, and the pledges a receipt can pay."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.donations.models import BankReceipt, Donor, Pledge, PledgeStatus
from app.platform.extensions import db
from app.platform.listing import contains_pattern


def unapplied_receipts(*, words: str | None = None) -> list[BankReceipt]:
    """Bank receipts with money not applied to any pledge (over-payments, unknown payers).

    With ``words`` (the contributions list's search), only the receipts whose donor's name,
    payer's name as the bank wrote it, or bank reference holds them, as the list finds a donor's
    name (case set aside, % and _ taken literally)."""
    query = (
        sa.select(BankReceipt)
        .options(selectinload(BankReceipt.allocations))
        .order_by(BankReceipt.value_date.desc(), BankReceipt.id.desc())
    )
    if words and (text := words.strip().lstrip("#")):
        pattern = contains_pattern(text)
        query = query.where(
            sa.or_(
                BankReceipt.donor.has(Donor.name.ilike(pattern, escape="\\")),
                BankReceipt.payer_name.ilike(pattern, escape="\\"),
                BankReceipt.bank_reference.ilike(pattern, escape="\\"),
            )
        )
    receipts = db.session.execute(query).scalars()
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
