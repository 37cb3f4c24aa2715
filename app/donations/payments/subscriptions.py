"""Monthly gifts: their Stripe subscription's state mirrored, a month not paid noted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.audit.services import record_event
from app.donations.gateway import StripeReader, stripe_id
from app.donations.models import DonationReceipt, GiftSubscription, SubscriptionStatus
from app.donations.payments.common import locked_row, stripe_time
from app.platform.db import utcnow

ENDED_SUBSCRIPTION_STATUSES = frozenset(
    {SubscriptionStatus.CANCELED, SubscriptionStatus.INCOMPLETE_EXPIRED}
)


def subscription_id_of_invoice(invoice: Mapping[str, Any]) -> str | None:
    found = stripe_id(invoice.get("subscription"))
    if found:
        return found
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return stripe_id(details.get("subscription"))


def subscription_for(gateway: StripeReader, stripe_subscription: str) -> GiftSubscription | None:
    subscription = locked_row(
        GiftSubscription, GiftSubscription.stripe_subscription_id == stripe_subscription
    )
    if subscription is not None:
        return subscription
    # As for one-off gifts: the webhook may overtake the request that started the subscription.
    remote = gateway.retrieve_subscription(stripe_subscription)
    metadata = remote.get("metadata") or {}
    local_id, token = metadata.get("subscription_id"), metadata.get("subscription_token")
    if not (local_id and token and str(local_id).isdigit()):
        return None
    subscription = locked_row(GiftSubscription, GiftSubscription.id == int(local_id))
    if (
        subscription is None
        or subscription.public_token != token
        or subscription.stripe_subscription_id
    ):
        return None
    subscription.stripe_subscription_id = stripe_subscription
    return subscription


def set_subscription_status(
    subscription: GiftSubscription, status: SubscriptionStatus, *, actor: Any
) -> None:
    if subscription.status == status:
        return
    record_event(
        actor=actor,
        action="gift_subscription.status",
        subject=subscription,
        summary=f"monthly gift: {subscription.status} → {status}",
        changes={"status": [str(subscription.status), str(status)]},
    )
    subscription.status = status
    if status == SubscriptionStatus.CANCELED and subscription.canceled_at is None:
        subscription.canceled_at = utcnow()


def mirror_subscription(
    subscription: GiftSubscription, remote: Mapping[str, Any], *, actor: Any
) -> None:
    try:
        status = SubscriptionStatus(str(remote.get("status")))
    except ValueError:
        return  # a state this version does not know: keep ours
    if subscription.status in ENDED_SUBSCRIPTION_STATUSES and status != subscription.status:
        # Stripe never reopens an ended subscription: a state fetched before another event
        # recorded the end is older than it, and must not undo it.
        return
    set_subscription_status(subscription, status, actor=actor)
    if status == SubscriptionStatus.CANCELED and remote.get("ended_at"):
        subscription.canceled_at = stripe_time(remote.get("ended_at"))


def apply_subscription(subscription: GiftSubscription, remote: Mapping[str, Any]) -> None:
    mirror_subscription(subscription, remote, actor=None)


def sync_subscription(*, gateway: StripeReader, subscription_id: str) -> list[DonationReceipt]:
    subscription = subscription_for(gateway, subscription_id)
    if subscription is not None:
        apply_subscription(subscription, gateway.retrieve_subscription(subscription_id))
    return []


@dataclass(frozen=True)
class FailedMonthlyPayment:
    """A month of a monthly gift that the donor's card did not pay (yet)."""

    subscription: GiftSubscription
    amount: int
    currency: str
    next_attempt_at: datetime | None  # when Stripe tries again; None when it has given up


def note_failed_invoice(*, gateway: StripeReader, invoice_id: str) -> FailedMonthlyPayment | None:
    """A monthly gift's invoice could not be paid: audit it and mirror the subscription's state
    (Stripe makes it ``past_due`` while it retries, then ends it). Nothing is booked: no money
    moved. The caller tells the donor, who may want to stop the gift and give with a new card.
    """
    invoice = gateway.retrieve_invoice(invoice_id)
    stripe_subscription = subscription_id_of_invoice(invoice)
    if not stripe_subscription or invoice.get("status") == "paid":
        return None  # not a monthly gift, or a retry has paid it since
    subscription = subscription_for(gateway, stripe_subscription)
    if subscription is None:
        return None
    amount = int(invoice.get("amount_due") or 0)
    currency = str(invoice.get("currency") or subscription.currency).upper()
    attempts = int(invoice.get("attempt_count") or 1)
    record_event(
        actor=None,
        action="gift_subscription.payment_failed",
        subject=subscription,
        summary=f"monthly gift: invoice {invoice_id} not paid (attempt {attempts})",
        changes={"invoice": [None, invoice_id], "attempts": [None, attempts]},
    )
    apply_subscription(subscription, gateway.retrieve_subscription(stripe_subscription))
    retry = invoice.get("next_payment_attempt")
    return FailedMonthlyPayment(
        subscription=subscription,
        amount=amount,
        currency=currency,
        next_attempt_at=stripe_time(retry) if retry else None,
    )
