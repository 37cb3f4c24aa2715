"""What a donor's portal lists: their gifts, pledges, receipts and monthly gifts."""

from __future__ import annotations

from dataclasses import dataclass

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


def portal_for(donors: list[Donor]) -> Portal:
    ids = [donor.id for donor in donors]
    if not ids:
        return Portal([], [], [], [])
    gifts = list(
        db.session.execute(
            sa.select(Gift)
            .options(selectinload(Gift.refunds), selectinload(Gift.disputes))
            .where(Gift.donor_id.in_(ids), Gift.status != GiftStatus.PENDING)
            .order_by(Gift.id.desc())
        ).scalars()
    )
    pledges = list(
        db.session.execute(
            sa.select(Pledge)
            .options(selectinload(Pledge.allocations))
            .where(Pledge.donor_id.in_(ids))
            .order_by(Pledge.year.desc(), Pledge.id.desc())
        ).scalars()
    )
    receipts = list(
        db.session.execute(
            sa.select(DonationReceipt)
            .outerjoin(Gift, Gift.id == DonationReceipt.gift_id)
            .outerjoin(BankReceipt, BankReceipt.id == DonationReceipt.bank_receipt_id)
            .where(sa.or_(Gift.donor_id.in_(ids), BankReceipt.donor_id.in_(ids)))
            .order_by(DonationReceipt.issued_at.desc(), DonationReceipt.id.desc())
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
