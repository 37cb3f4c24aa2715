"""Starting a card gift on the Give page, confirming it, and stopping a monthly gift."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.permissions import can_stop_monthly_gift
from app.audit.services import record_event
from app.donations.gateway import PaymentDeclined, PaymentGateway, stripe_id
from app.donations.models import (
    Donor,
    Gift,
    GiftKind,
    GiftStatus,
    GiftSubscription,
    SubscriptionStatus,
)
from app.donations.payments.common import idempotency_key_for, new_token, opening_key_for
from app.donations.payments.recording import fail_gift
from app.donations.payments.subscriptions import mirror_subscription, set_subscription_status
from app.donations.services import find_or_create_individual_donor, offered_currencies
from app.donations.services.checks import check_amount, check_currency
from app.donations.services.donors import giver_name_and_address
from app.platform.db import lock_rows, utcnow
from app.platform.errors import N_, Conflict, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.platform.settings import settings


@dataclass(frozen=True)
class GiveRequest:
    amount: int
    currency: str
    monthly: bool
    name: str
    email: str
    public_recognition: bool = False
    locale: str | None = None  # the page's language: the receipt e-mail is written in it


@dataclass(frozen=True)
class StartedGift:
    """What the page needs to save the card: the SetupIntent's client secret."""

    token: str
    client_secret: str
    monthly: bool


@dataclass(frozen=True)
class PaymentOutcome:
    """``processing`` (wait for the webhook), ``requires_action`` (the page completes the
    bank's authentication with ``client_secret``), or ``failed`` with the reason."""

    status: str
    client_secret: str | None = None
    message: str | None = None


def start_gift(*, actor: Any, gateway: PaymentGateway, request: GiveRequest) -> StartedGift:
    """Open a Stripe Customer and SetupIntent, then record the pending gift (or monthly gift).

    Stripe first: the donor record this may update stays unlocked while Stripe answers.
    """
    currency = check_currency(request.currency)
    if currency not in offered_currencies(on=utcnow().date()):
        raise ValidationFailed(N_("Gifts in %(currency)s are not accepted."), currency=currency)
    check_amount(request.amount)
    # The donor record may carry another person's name (one record per address): the gift keeps
    # the name typed for it.
    donor_name, email = giver_name_and_address(request.name, request.email)
    donor_name = donor_name[:300]
    token = new_token()
    kind = "subscription" if request.monthly else "gift"
    customer_id = gateway.create_customer(
        name=donor_name, email=email, idempotency_key=opening_key_for(kind, token, "customer")
    )
    intent = gateway.create_setup_intent(
        customer_id=customer_id,
        metadata={f"{kind}_token": token},
        idempotency_key=opening_key_for(kind, token, "setup-intent"),
    )
    donor = find_or_create_individual_donor(actor=actor, name=request.name, email=request.email)
    record = _pending_record(
        request, donor=donor, donor_name=donor_name, currency=currency, token=token, actor=actor
    )
    record.stripe_customer_id = customer_id
    record.stripe_setup_intent_id = str(intent["id"])
    db.session.add(record)
    db.session.flush()
    record_event(
        actor=actor,
        action=f"{'gift_subscription' if request.monthly else 'gift'}.started",
        subject=record,
        summary=f"{request.amount} {currency} {'monthly' if request.monthly else 'one-off'}",
    )
    return StartedGift(
        token=token, client_secret=str(intent["client_secret"]), monthly=request.monthly
    )


def _pending_record(
    request: GiveRequest, *, donor: Donor, donor_name: str, currency: str, token: str, actor: Any
) -> Gift | GiftSubscription:
    """The gift, or the monthly gift, waiting for the card to be confirmed."""
    actor_id = actor.id if isinstance(actor, User) else None
    if request.monthly:
        return GiftSubscription(
            donor=donor,
            donor_name=donor_name,
            locale=request.locale,
            amount=request.amount,
            currency=currency,
            public_recognition=request.public_recognition,
            public_token=token,
            created_by_id=actor_id,
        )
    return Gift(
        donor=donor,
        donor_name=donor_name,
        locale=request.locale,
        kind=GiftKind.ONE_OFF,
        amount=request.amount,
        currency=currency,
        public_recognition=request.public_recognition,
        public_token=token,
        created_by_id=actor_id,
    )


def find_by_token(token: str) -> Gift | GiftSubscription | None:
    if not token or len(token) > 64:
        return None
    gift = db.session.execute(
        sa.select(Gift).where(Gift.public_token == token)
    ).scalar_one_or_none()
    if gift is not None:
        return gift
    return db.session.execute(
        sa.select(GiftSubscription).where(GiftSubscription.public_token == token)
    ).scalar_one_or_none()


def _saved_payment_method(
    gateway: PaymentGateway, *, expected: str | None, given: str, customer: str | None
) -> str:
    """The card saved by the page's SetupIntent, checked to be the one we opened."""
    if not expected or given != expected:
        raise ValidationFailed(N_("This card confirmation does not belong to this gift."))
    intent = gateway.retrieve_setup_intent(given)
    intent_customer = stripe_id(intent.get("customer"))
    if customer and intent_customer and intent_customer != customer:
        raise ValidationFailed(N_("This card confirmation does not belong to this gift."))
    payment_method = stripe_id(intent.get("payment_method"))
    if intent.get("status") != "succeeded" or not payment_method:
        raise ValidationFailed(N_("The card was not saved. Please enter it again."))
    return payment_method


def outcome_of_intent(intent: Mapping[str, Any]) -> PaymentOutcome:
    status = intent.get("status")
    if status in ("requires_action", "requires_source_action"):
        return PaymentOutcome("requires_action", client_secret=str(intent.get("client_secret")))
    if status in ("requires_payment_method", "canceled"):
        error = intent.get("last_payment_error") or {}
        return PaymentOutcome("failed", message=str(error.get("message") or "card declined"))
    return PaymentOutcome("processing")


def confirm_gift(
    *, actor: Any, gateway: PaymentGateway, gift: Gift, setup_intent_id: str
) -> PaymentOutcome:
    """Charge the saved card for a one-off gift. Safe to call twice: the second call reports
    on the PaymentIntent the first one created (a retry of a request that failed after Stripe
    answered gets the same one again: same idempotency key). Stripe is called first, then the
    gift is locked and what Stripe said applied to its state then."""
    if gift.status == GiftStatus.FAILED:
        return PaymentOutcome("failed", message=gift.failure_message)
    if gift.status == GiftStatus.SUCCEEDED:
        return PaymentOutcome("processing")
    if gift.stripe_payment_intent_id:
        return outcome_of_intent(gateway.retrieve_payment_intent(gift.stripe_payment_intent_id))
    payment_method = _saved_payment_method(
        gateway,
        expected=gift.stripe_setup_intent_id,
        given=setup_intent_id,
        customer=gift.stripe_customer_id,
    )
    assert gift.stripe_customer_id is not None
    try:
        intent = gateway.create_payment_intent(
            amount=gift.amount,
            currency=gift.currency,
            customer_id=gift.stripe_customer_id,
            payment_method_id=payment_method,
            metadata={"gift_id": str(gift.id), "gift_token": gift.public_token},
            idempotency_key=idempotency_key_for(
                "gift", gift.id, gift.public_token, "payment-intent"
            ),
        )
    except PaymentDeclined as declined:
        lock_rows(gift)
        fail_gift(gift, message=declined.message)  # unless the webhook has decided since
        return PaymentOutcome("failed", message=declined.message)
    outcome = outcome_of_intent(intent)
    lock_rows(gift)
    # The webhook may have got here first, finding the gift by the intent's metadata: the
    # same intent (same idempotency key), and its state, applied later, stands.
    if gift.stripe_payment_intent_id is None:
        gift.stripe_payment_intent_id = str(intent["id"])
    if outcome.status == "failed":
        fail_gift(gift, message=outcome.message)
    return outcome


def confirm_monthly_gift(
    *, actor: Any, gateway: PaymentGateway, subscription: GiftSubscription, setup_intent_id: str
) -> PaymentOutcome:
    """Start the Stripe subscription on the saved card (a plan per amount, currency, month).
    Stripe is called first, then the monthly gift is locked and what Stripe said applied."""
    if subscription.stripe_subscription_id:
        return _outcome_of_subscription(
            gateway, gateway.retrieve_subscription(subscription.stripe_subscription_id)
        )
    payment_method = _saved_payment_method(
        gateway,
        expected=subscription.stripe_setup_intent_id,
        given=setup_intent_id,
        customer=subscription.stripe_customer_id,
    )
    assert subscription.stripe_customer_id is not None
    # localstripe (and Stripe) charge the customer's default card for the subscription's invoices.
    gateway.set_default_payment_method(
        customer_id=subscription.stripe_customer_id, payment_method_id=payment_method
    )
    plan_id = gateway.ensure_plan(
        amount=subscription.amount,
        currency=subscription.currency,
        interval="month",
        product_name=f"{settings().fund.short_name} monthly gift",
    )
    try:
        created = gateway.create_subscription(
            customer_id=subscription.stripe_customer_id,
            plan_id=plan_id,
            metadata={
                "subscription_id": str(subscription.id),
                "subscription_token": subscription.public_token,
            },
            idempotency_key=idempotency_key_for(
                "subscription", subscription.id, subscription.public_token, "create"
            ),
        )
    except PaymentDeclined as declined:
        lock_rows(subscription)
        subscription.failure_message = declined.message[:500]
        return PaymentOutcome("failed", message=declined.message)
    outcome = _outcome_of_subscription(gateway, created)
    lock_rows(subscription)
    if subscription.stripe_subscription_id is None:
        subscription.stripe_subscription_id = str(created["id"])
        mirror_subscription(subscription, created, actor=actor)
    # else the webhook got here first (by the metadata) and mirrored a later state than ours.
    subscription.stripe_plan_id = plan_id
    if outcome.status == "failed":
        subscription.failure_message = (outcome.message or "")[:500]
    return outcome


def invoice_payment_intent_id(invoice: Mapping[str, Any]) -> str | None:
    """The PaymentIntent of an invoice: a field in older API versions, a payments list now."""
    found = stripe_id(invoice.get("payment_intent"))
    if found:
        return found
    payments = (invoice.get("payments") or {}).get("data") or []
    for payment in payments:
        inner = payment.get("payment") or {}
        found = stripe_id(inner.get("payment_intent"))
        if found:
            return found
    return None


def _outcome_of_subscription(gateway: PaymentGateway, created: Mapping[str, Any]) -> PaymentOutcome:
    invoice = created.get("latest_invoice")
    if isinstance(invoice, str):
        invoice = gateway.retrieve_invoice(invoice)
    intent_id = invoice_payment_intent_id(invoice) if isinstance(invoice, Mapping) else None
    if intent_id:
        return outcome_of_intent(gateway.retrieve_payment_intent(intent_id))
    if created.get("status") in ("incomplete_expired", "canceled"):
        return PaymentOutcome("failed", message="card declined")
    return PaymentOutcome("processing")


def stop_monthly_gift(
    *,
    actor: Any,
    gateway: PaymentGateway,
    subscription: GiftSubscription,
    via_signed_link: bool = False,
) -> None:
    """Stop a monthly gift, from the donor's account or the signed link in each receipt."""
    if not via_signed_link and not can_stop_monthly_gift(actor, subscription):
        raise PermissionDenied(N_("You cannot stop this monthly gift."))
    if not subscription.is_live:
        raise Conflict(N_("This monthly gift has already stopped."))
    canceled = None
    if subscription.stripe_subscription_id is not None:
        # Stripe first, the row unlocked; a second request cancels with the same key.
        canceled = gateway.cancel_subscription(
            subscription.stripe_subscription_id,
            idempotency_key=idempotency_key_for(
                "subscription", subscription.id, subscription.public_token, "cancel"
            ),
        )
    lock_rows(subscription)
    if subscription.cancel_requested_at is not None and not subscription.is_live:
        raise Conflict(N_("This monthly gift has already stopped."))  # by a request just now
    subscription.cancel_requested_at = utcnow()
    subscription.cancel_requested_by_id = actor.id if isinstance(actor, User) else None
    record_event(
        actor=actor,
        action="gift_subscription.stop_requested",
        subject=subscription,
        summary="signed link" if via_signed_link else "from the donor's account",
    )
    if canceled is None:
        set_subscription_status(subscription, SubscriptionStatus.CANCELED, actor=actor)
        return
    mirror_subscription(subscription, canceled, actor=actor)
