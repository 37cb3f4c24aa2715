"""A paid PaymentIntent or invoice becomes a succeeded gift (a month's, for an invoice)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.audit.services import record_event
from app.donations.gateway import StripeReader, stripe_id
from app.donations.models import DonationReceipt, Gift, GiftKind
from app.donations.payments.common import locked_row, new_token, stripe_time
from app.donations.payments.gifts import invoice_payment_intent_id, outcome_of_intent
from app.donations.payments.recording import fail_gift, record_success, sync_refunds
from app.donations.payments.subscriptions import (
    apply_subscription,
    subscription_for,
    subscription_id_of_invoice,
)
from app.platform.extensions import db


def _gift_for_intent(intent: Mapping[str, Any]) -> Gift | None:
    intent_id = str(intent["id"])
    gift = locked_row(Gift, Gift.stripe_payment_intent_id == intent_id)
    if gift is not None:
        return gift
    # The webhook can overtake the request that created the intent: find the gift by the
    # metadata we set, checked against its secret token.
    metadata = intent.get("metadata") or {}
    gift_id, token = metadata.get("gift_id"), metadata.get("gift_token")
    if not (gift_id and token and str(gift_id).isdigit()):
        return None
    gift = locked_row(Gift, Gift.id == int(gift_id))
    if gift is None or gift.public_token != token or gift.stripe_payment_intent_id:
        return None
    gift.stripe_payment_intent_id = intent_id
    return gift


def sync_payment_intent(*, gateway: StripeReader, payment_intent_id: str) -> list[DonationReceipt]:
    """Apply a PaymentIntent's current state to its gift."""
    intent = gateway.retrieve_payment_intent(payment_intent_id)
    gift = _gift_for_intent(intent)
    if gift is None:
        invoice_id = stripe_id(intent.get("invoice"))
        if invoice_id:
            return sync_invoice(gateway=gateway, invoice_id=invoice_id)
        return []
    return _apply_intent(gateway, gift, intent)


def _apply_intent(
    gateway: StripeReader, gift: Gift, intent: Mapping[str, Any]
) -> list[DonationReceipt]:
    status = intent.get("status")
    receipts: list[DonationReceipt] = []
    if status == "succeeded":
        receipt = record_success(
            gateway,
            gift,
            charge_id=stripe_id(intent.get("latest_charge")),
            paid_at=stripe_time(intent.get("created")),
        )
        if receipt is not None:
            receipts.append(receipt)
        sync_refunds(gateway, gift)
    elif status in ("requires_payment_method", "canceled"):
        outcome = outcome_of_intent(intent)
        fail_gift(gift, message=outcome.message)
    return receipts


def sync_invoice(*, gateway: StripeReader, invoice_id: str) -> list[DonationReceipt]:
    """A paid invoice of a monthly gift becomes one gift (the month's), recorded once."""
    invoice = gateway.retrieve_invoice(invoice_id)
    stripe_subscription = subscription_id_of_invoice(invoice)
    if not stripe_subscription:
        return []
    subscription = subscription_for(gateway, stripe_subscription)
    if subscription is None:
        return []
    amount = int(invoice.get("amount_paid") or 0)
    if invoice.get("status") != "paid" or amount <= 0:
        return []
    gift = locked_row(Gift, Gift.stripe_invoice_id == invoice_id)
    intent_id = invoice_payment_intent_id(invoice)
    if gift is None:
        gift = Gift(
            donor_id=subscription.donor_id,
            subscription=subscription,
            donor_name=subscription.donor_name,
            locale=subscription.locale,
            kind=GiftKind.MONTHLY,
            amount=amount,
            currency=str(invoice.get("currency") or subscription.currency).upper(),
            public_recognition=subscription.public_recognition,
            public_token=new_token(),
            stripe_customer_id=subscription.stripe_customer_id,
            stripe_invoice_id=invoice_id,
            stripe_payment_intent_id=intent_id,
        )
        db.session.add(gift)
        db.session.flush()
        record_event(
            actor=None,
            action="gift.created",
            subject=gift,
            summary=f"monthly gift {amount} {gift.currency} (invoice {invoice_id})",
        )
    charge_id = stripe_id(invoice.get("charge"))
    if not charge_id and intent_id:
        charge_id = stripe_id(gateway.retrieve_payment_intent(intent_id).get("latest_charge"))
    transitions = invoice.get("status_transitions") or {}
    receipt = record_success(
        gateway, gift, charge_id=charge_id, paid_at=stripe_time(transitions.get("paid_at"))
    )
    sync_refunds(gateway, gift)
    apply_subscription(subscription, gateway.retrieve_subscription(stripe_subscription))
    return [receipt] if receipt is not None else []
