"""Refunds and disputes on a charge: a lost dispute reverses the money once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.audit.services import record_event
from app.donations.gateway import StripeReader, stripe_id
from app.donations.models import DonationReceipt, Gift, GiftDispute, GiftStatus
from app.donations.payments.common import locked_row
from app.donations.payments.intents import sync_invoice, sync_payment_intent
from app.donations.payments.recording import (
    post_reversal,
    reversal_in_functional,
    stripe_amount_in_functional,
    sync_refunds,
    tell_finance,
)
from app.ledger.models import TransferCode
from app.platform.db import utcnow
from app.platform.extensions import db

LOST = "lost"


CLOSED_DISPUTE_STATUSES = frozenset({"won", "lost", "warning_closed", "prevented"})


def _gift_for_charge(
    gateway: StripeReader, charge: Mapping[str, Any]
) -> tuple[Gift | None, list[DonationReceipt]]:
    """The gift a charge paid, recording its success first if that webhook has not come yet."""
    charge_id = str(charge["id"])
    receipts: list[DonationReceipt] = []
    gift = locked_row(Gift, Gift.stripe_charge_id == charge_id)
    if gift is not None:
        return gift, receipts
    intent_id = stripe_id(charge.get("payment_intent"))
    invoice_id = stripe_id(charge.get("invoice"))
    if intent_id:
        receipts += sync_payment_intent(gateway=gateway, payment_intent_id=intent_id)
    elif invoice_id:
        receipts += sync_invoice(gateway=gateway, invoice_id=invoice_id)
    return locked_row(Gift, Gift.stripe_charge_id == charge_id), receipts


def sync_charge(*, gateway: StripeReader, charge_id: str) -> list[DonationReceipt]:
    """Refunds on a charge: each one Stripe lists and we have not recorded."""
    charge = gateway.retrieve_charge(charge_id)
    gift, receipts = _gift_for_charge(gateway, charge)
    if gift is not None:
        sync_refunds(gateway, gift)
    return receipts


def sync_dispute(*, gateway: StripeReader, dispute_id: str) -> list[DonationReceipt]:
    """Mirror a dispute; when it is lost, reverse the disputed money once."""
    remote = gateway.retrieve_dispute(dispute_id)
    charge_id = stripe_id(remote.get("charge"))
    if not charge_id:
        return []
    gift, receipts = _gift_for_charge(gateway, gateway.retrieve_charge(charge_id))
    if gift is None or gift.status != GiftStatus.SUCCEEDED:
        return receipts
    # A refund Stripe made before the dispute may not have reached us yet: count it first, so
    # the loss is booked as what it is (beyond the gift when the gift was already refunded).
    sync_refunds(gateway, gift)
    status = str(remote.get("status") or "needs_response")
    dispute = _mirror_dispute(gift, remote, dispute_id=dispute_id, status=status)
    if status in CLOSED_DISPUTE_STATUSES and dispute.closed_at is None:
        dispute.closed_at = utcnow()
    if status == LOST and dispute.functional_amount_lost is None:
        _book_lost_dispute(gateway, gift, dispute, remote, dispute_id=dispute_id)
    db.session.flush()
    return receipts


def _mirror_dispute(
    gift: Gift, remote: Mapping[str, Any], *, dispute_id: str, status: str
) -> GiftDispute:
    """Our record of the dispute, created the first time, its status kept as Stripe's."""
    dispute = locked_row(GiftDispute, GiftDispute.stripe_dispute_id == dispute_id)
    if dispute is None:
        dispute = GiftDispute(
            gift=gift,
            stripe_dispute_id=dispute_id,
            amount=int(remote["amount"]),
            reason=str(remote.get("reason") or "")[:60] or None,
            status=status,
        )
        db.session.add(dispute)
        db.session.flush()
        record_event(
            actor=None,
            action="gift.disputed",
            subject=gift,
            summary=f"dispute {dispute_id}: {dispute.amount} {gift.currency} ({dispute.reason})",
        )
    elif dispute.status != status and dispute.status not in CLOSED_DISPUTE_STATUSES:
        # A closed dispute stays closed at Stripe: a state fetched before another event
        # recorded the close is older than it.
        record_event(
            actor=None,
            action="gift.dispute_status",
            subject=gift,
            summary=f"dispute {dispute_id}: {dispute.status} → {status}",
        )
        dispute.status = status
    return dispute


def _book_lost_dispute(
    gateway: StripeReader,
    gift: Gift,
    dispute: GiftDispute,
    remote: Mapping[str, Any],
    *,
    dispute_id: str,
) -> None:
    """The disputed money and Stripe's dispute fee leave the fund, once."""
    functional, beyond = reversal_in_functional(gift, dispute.amount)
    dispute.functional_amount_lost = functional
    post_reversal(
        gift,
        key=("gift_dispute", dispute_id),
        amount=functional,
        code=TransferCode.CHARGEBACK,
        document_type="gift_dispute",
        document_id=dispute.id,
        memo=f"Dispute lost on gift {gift.id}"
        + (" (after a refund: taken twice)" if beyond else ""),
    )
    fee = _dispute_fee_in_functional(gateway, remote, gift)
    post_reversal(
        gift,
        key=("gift_dispute", f"{dispute_id}-fee"),
        amount=fee,
        code=TransferCode.FEE,
        document_type="gift_dispute",
        document_id=dispute.id,
        memo=f"Dispute fee on gift {gift.id}",
    )
    record_event(
        actor=None,
        action="gift.dispute_lost",
        subject=gift,
        summary=f"dispute {dispute_id} lost: {functional} taken back, fee {fee}"
        + (f", {beyond} {gift.currency} beyond the gift" if beyond else ""),
        changes={"functional_amount_lost": functional, "fee": fee, "beyond_gift": beyond},
    )
    if beyond:
        tell_finance(gift, what=f"dispute {dispute_id} lost after a refund")


def _dispute_fee_in_functional(gateway: StripeReader, remote: Mapping[str, Any], gift: Gift) -> int:
    """Stripe's dispute fee, from the dispute's balance transactions (net of any returned)."""
    assert gift.fx_rate is not None
    total = 0
    for entry in remote.get("balance_transactions") or []:
        transaction = (
            gateway.retrieve_balance_transaction(entry) if isinstance(entry, str) else entry
        )
        if not isinstance(transaction, Mapping):
            continue
        fee = int(transaction.get("fee") or 0)
        if fee:
            currency = str(transaction.get("currency") or gift.currency).upper()
            total += stripe_amount_in_functional(
                fee, currency=currency, gift=gift, rate=gift.fx_rate, on=utcnow().date()
            )
    return max(0, total)
