"""What a donor's portal lists: their gifts, pledges, receipts and monthly gifts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.donations.models import (
    BankReceipt,
    DonationReceipt,
    Donor,
    Gift,
    GiftStatus,
    GiftSubscription,
    Pledge,
)
from app.platform.extensions import db


@dataclass
class Portal:
    gifts: list[Gift]
    pledges: list[Pledge]
    receipts: list[DonationReceipt]
    subscriptions: list[GiftSubscription]


def own_gifts(donor_ids: list[int]) -> sa.Select[Any]:
    """The donors' gifts as the portal lists them (pending card attempts left out), unordered:
    the portal orders them, the API pages them (app/donations/api.py)."""
    return (
        sa.select(Gift)
        .options(selectinload(Gift.refunds), selectinload(Gift.disputes))
        .where(Gift.donor_id.in_(donor_ids), Gift.status != GiftStatus.PENDING)
    )


def own_pledges(donor_ids: list[int]) -> sa.Select[Any]:
    return (
        sa.select(Pledge)
        .options(selectinload(Pledge.allocations))
        .where(Pledge.donor_id.in_(donor_ids))
    )


def own_receipts(donor_ids: list[int]) -> sa.Select[Any]:
    """The receipts of the donors' gifts and bank transfers."""
    return (
        sa.select(DonationReceipt)
        .outerjoin(Gift, Gift.id == DonationReceipt.gift_id)
        .outerjoin(BankReceipt, BankReceipt.id == DonationReceipt.bank_receipt_id)
        .where(sa.or_(Gift.donor_id.in_(donor_ids), BankReceipt.donor_id.in_(donor_ids)))
    )


def portal_for(donors: list[Donor]) -> Portal:
    ids = [donor.id for donor in donors]
    if not ids:
        return Portal([], [], [], [])
    gifts = list(db.session.execute(own_gifts(ids).order_by(Gift.id.desc())).scalars())
    pledges = list(
        db.session.execute(
            own_pledges(ids).order_by(Pledge.year.desc(), Pledge.id.desc())
        ).scalars()
    )
    receipts = list(
        db.session.execute(
            own_receipts(ids).order_by(DonationReceipt.issued_at.desc(), DonationReceipt.id.desc())
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
