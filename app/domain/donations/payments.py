"""Card gifts through Stripe: starting and confirming a gift, and applying Stripe's webhooks.

The browser never tells us that money arrived. The page saves the card (SetupIntent), our server
charges it (PaymentIntent or Subscription), and only a webhook records the money: the event is
stored by id first (a second delivery is a no-op), then the object is fetched again from Stripe
and its *current* state applied, so events that arrive twice or out of order change nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.db import utcnow
from app.domain.accounts.models import User, UserRole
from app.domain.accounts.permissions import (
    ROLE_PERMISSIONS,
    Permission,
    can_stop_monthly_gift,
    has_permission,
)
from app.domain.audit.services import record_event
from app.domain.donations.gateway import PaymentDeclined, PaymentGateway, stripe_id
from app.domain.donations.models import (
    DonationReceipt,
    Gift,
    GiftDispute,
    GiftKind,
    GiftRefund,
    GiftStatus,
    GiftSubscription,
    StripeEvent,
    SubscriptionStatus,
)
from app.domain.donations.services import (
    Conversion,
    convert_to_functional,
    find_or_create_individual_donor,
    functional_currency,
    issue_receipt,
    offered_currencies,
)
from app.domain.donations.services.checks import check_amount, check_currency
from app.domain.donations.workflow import GIFT_WORKFLOW
from app.domain.errors import N_, Conflict, PermissionDenied, ValidationFailed
from app.domain.ledger.chart import CASH_STRIPE, FUND_AVAILABLE, account_by_key
from app.domain.ledger.models import TransferCode
from app.domain.ledger.services import (
    TransferSpec,
    post_transfers,
    require_accepted,
    transfer_id,
)
from app.domain.money import convert_at_rate
from app.domain.notifications.models import NotificationKind
from app.domain.notifications.services import link_to, notify_all
from app.extensions import db

M = TypeVar("M")

LOST = "lost"
CLOSED_DISPUTE_STATUSES = frozenset({"won", "lost", "warning_closed", "prevented"})


def new_token() -> str:
    return secrets.token_hex(16)


def _key(kind: str, record_id: int, token: str, step: str) -> str:
    """An idempotency key from our own record: its id, and its token (ids can be reused after a
    rollback on SQLite; the token never is)."""
    return f"{kind}-{record_id}-{token[:12]}-{step}"


def _when(timestamp: Any) -> datetime:
    if isinstance(timestamp, int | float) and timestamp > 0:
        return datetime.fromtimestamp(timestamp, UTC)
    return utcnow()


def _locked(model: type[M], *condition: sa.ColumnElement[bool]) -> M | None:
    """The row, locked for this transaction on PostgreSQL: concurrent webhooks for the same
    gift then apply one after the other (SQLite serialises writers anyway)."""
    return db.session.execute(
        sa.select(model)
        .where(*condition)
        # OF the row itself: eagerly joined relationships are outer joins PostgreSQL cannot lock.
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


# --- starting a gift (the Give page) -------------------------------------------------------


@dataclass(frozen=True)
class GiveRequest:
    amount: int
    currency: str
    monthly: bool
    name: str
    email: str
    public_recognition: bool = False


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
    """Record the pending gift (or monthly gift) and open a Stripe Customer and SetupIntent."""
    currency = check_currency(request.currency)
    if currency not in offered_currencies(on=utcnow().date()):
        raise ValidationFailed(N_("Gifts in %(currency)s are not accepted."), currency=currency)
    check_amount(request.amount)
    donor = find_or_create_individual_donor(actor=actor, name=request.name, email=request.email)
    token = new_token()
    actor_id = actor.id if isinstance(actor, User) else None
    record: Gift | GiftSubscription
    if request.monthly:
        record = GiftSubscription(
            donor=donor,
            amount=request.amount,
            currency=currency,
            public_recognition=request.public_recognition,
            public_token=token,
            created_by_id=actor_id,
        )
        kind = "subscription"
    else:
        record = Gift(
            donor=donor,
            kind=GiftKind.ONE_OFF,
            amount=request.amount,
            currency=currency,
            public_recognition=request.public_recognition,
            public_token=token,
            created_by_id=actor_id,
        )
        kind = "gift"
    db.session.add(record)
    db.session.flush()
    metadata = {f"{kind}_id": str(record.id), f"{kind}_token": token}
    record.stripe_customer_id = gateway.create_customer(
        name=donor.name,
        email=request.email.strip().lower(),
        idempotency_key=_key(kind, record.id, token, "customer"),
    )
    intent = gateway.create_setup_intent(
        customer_id=record.stripe_customer_id,
        metadata=metadata,
        idempotency_key=_key(kind, record.id, token, "setup-intent"),
    )
    record.stripe_setup_intent_id = str(intent["id"])
    record_event(
        actor=actor,
        action=f"{'gift_subscription' if request.monthly else 'gift'}.started",
        subject=record,
        summary=f"{request.amount} {currency} {'monthly' if request.monthly else 'one-off'}",
    )
    return StartedGift(
        token=token, client_secret=str(intent["client_secret"]), monthly=request.monthly
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


def _outcome_of_intent(intent: Mapping[str, Any]) -> PaymentOutcome:
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
    on the PaymentIntent the first one created."""
    if gift.status == GiftStatus.FAILED:
        return PaymentOutcome("failed", message=gift.failure_message)
    if gift.status == GiftStatus.SUCCEEDED:
        return PaymentOutcome("processing")
    if gift.stripe_payment_intent_id:
        return _outcome_of_intent(gateway.retrieve_payment_intent(gift.stripe_payment_intent_id))
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
            idempotency_key=_key("gift", gift.id, gift.public_token, "payment-intent"),
        )
    except PaymentDeclined as declined:
        _fail_gift(gift, message=declined.message)
        return PaymentOutcome("failed", message=declined.message)
    gift.stripe_payment_intent_id = str(intent["id"])
    outcome = _outcome_of_intent(intent)
    if outcome.status == "failed":
        _fail_gift(gift, message=outcome.message)
    return outcome


def confirm_monthly_gift(
    *, actor: Any, gateway: PaymentGateway, subscription: GiftSubscription, setup_intent_id: str
) -> PaymentOutcome:
    """Start the Stripe subscription on the saved card (a plan per amount, currency, month)."""
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
        product_name=f"{current_app.config['FUND_SHORT_NAME']} monthly gift",
    )
    try:
        created = gateway.create_subscription(
            customer_id=subscription.stripe_customer_id,
            plan_id=plan_id,
            metadata={
                "subscription_id": str(subscription.id),
                "subscription_token": subscription.public_token,
            },
            idempotency_key=_key(
                "subscription", subscription.id, subscription.public_token, "create"
            ),
        )
    except PaymentDeclined as declined:
        subscription.failure_message = declined.message[:500]
        return PaymentOutcome("failed", message=declined.message)
    subscription.stripe_subscription_id = str(created["id"])
    subscription.stripe_plan_id = plan_id
    _mirror_subscription(subscription, created, actor=actor)
    outcome = _outcome_of_subscription(gateway, created)
    if outcome.status == "failed":
        subscription.failure_message = (outcome.message or "")[:500]
    return outcome


def _invoice_payment_intent_id(invoice: Mapping[str, Any]) -> str | None:
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
    intent_id = _invoice_payment_intent_id(invoice) if isinstance(invoice, Mapping) else None
    if intent_id:
        return _outcome_of_intent(gateway.retrieve_payment_intent(intent_id))
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
    subscription.cancel_requested_at = utcnow()
    subscription.cancel_requested_by_id = actor.id if isinstance(actor, User) else None
    record_event(
        actor=actor,
        action="gift_subscription.stop_requested",
        subject=subscription,
        summary="signed link" if via_signed_link else "from the donor's account",
    )
    if subscription.stripe_subscription_id is None:
        _set_subscription_status(subscription, SubscriptionStatus.CANCELED, actor=actor)
        return
    canceled = gateway.cancel_subscription(
        subscription.stripe_subscription_id,
        idempotency_key=_key("subscription", subscription.id, subscription.public_token, "cancel"),
    )
    _mirror_subscription(subscription, canceled, actor=actor)


# --- recording money (webhooks) ------------------------------------------------------------


def _fail_gift(gift: Gift, *, message: str | None) -> None:
    if gift.status != GiftStatus.PENDING:
        return
    GIFT_WORKFLOW.transition(gift, GiftStatus.FAILED, actor=None, reason=(message or "")[:200])
    gift.failure_message = (message or "")[:500] or None
    gift.failed_at = utcnow()


def _fee_in_functional(
    gateway: PaymentGateway,
    charge: Mapping[str, Any],
    gift: Gift,
    conversion: Conversion,
    day: date,
) -> int:
    """The processing fee from the charge's balance transaction, in the functional currency."""
    transaction_id = stripe_id(charge.get("balance_transaction"))
    if not transaction_id:
        return 0
    transaction = gateway.retrieve_balance_transaction(transaction_id)
    fee = int(transaction.get("fee") or 0)
    if fee <= 0:
        return 0
    currency = str(transaction.get("currency") or gift.currency).upper()
    return _stripe_amount_in_functional(
        fee, currency=currency, gift=gift, rate=conversion.rate, on=day
    )


def _stripe_amount_in_functional(
    amount: int, *, currency: str, gift: Gift, rate: Decimal, on: date
) -> int:
    """An amount Stripe charged us (a fee), in the functional currency: as it is, at the gift's
    rate when in the gift's currency, else at the rate in force on the day."""
    functional = functional_currency()
    if currency == functional:
        return amount
    if currency == gift.currency:
        return convert_at_rate(amount, currency=currency, rate=rate, to_currency=functional)
    return convert_to_functional(amount=amount, currency=currency, on=on).amount


def _record_success(
    gateway: PaymentGateway, gift: Gift, *, charge_id: str | None, paid_at: datetime
) -> DonationReceipt | None:
    """The gift succeeded: gross and fee on the ledger, a numbered receipt. Once only."""
    if gift.status == GiftStatus.SUCCEEDED:
        return None
    charge: Mapping[str, Any] = gateway.retrieve_charge(charge_id) if charge_id else {}
    if charge.get("created"):
        paid_at = _when(charge.get("created"))
    day = paid_at.date()
    conversion = convert_to_functional(amount=gift.amount, currency=gift.currency, on=day)
    fee = _fee_in_functional(gateway, charge, gift, conversion, day)
    GIFT_WORKFLOW.transition(
        gift,
        GiftStatus.SUCCEEDED,
        actor=None,
        changes={"functional_amount": conversion.amount, "fee": fee},
    )
    gift.functional_amount = conversion.amount
    gift.fx_rate = conversion.rate
    gift.fx_month = conversion.month
    gift.fee_amount = fee
    gift.stripe_charge_id = charge_id
    gift.succeeded_at = paid_at
    gift.failure_message = None
    cash = account_by_key(CASH_STRIPE).id
    available = account_by_key(FUND_AVAILABLE).id
    document_type, document_id = "gift", str(gift.id)
    specs = [
        TransferSpec(
            id=transfer_id("gift", gift.id, "gross"),
            code=TransferCode.GIFT,
            amount=conversion.amount,
            debit_account_id=cash,
            credit_account_id=available,
            memo=f"Gift {gift.amount} {gift.currency} at {conversion.rate}",
            document_type=document_type,
            document_id=document_id,
        )
    ]
    if fee > 0:
        specs.append(
            TransferSpec(
                id=transfer_id("gift", gift.id, "fee"),
                code=TransferCode.FEE,
                amount=fee,
                debit_account_id=available,
                credit_account_id=cash,
                memo="Card processing fee",
                document_type=document_type,
                document_id=document_id,
            )
        )
    require_accepted(post_transfers(specs, actor=None))
    db.session.flush()
    return issue_receipt(gift=gift)


def _reversal_in_functional(gift: Gift, amount: int) -> tuple[int, int]:
    """What a refund or lost dispute of ``amount`` takes back, at the gift's own rate, and how
    much of ``amount`` (gift currency) goes beyond what the gift brought in.

    Computed on the running total, so two partial refunds that make the whole reverse exactly
    the gross that was booked. Money beyond the gift is real too: a dispute lost after a full
    refund is taken by Stripe a second time, and is booked like the rest (at the gift's rate).
    """
    assert gift.functional_amount is not None and gift.fx_rate is not None
    before = gift.refunded_amount + gift.lost_amount
    within = max(0, min(amount, gift.amount - before))
    beyond = amount - within
    functional = 0
    if within:
        after = before + within
        if after == gift.amount:
            total = gift.functional_amount
        else:
            total = convert_at_rate(
                after, currency=gift.currency, rate=gift.fx_rate, to_currency=functional_currency()
            )
        # Nothing beyond the gift was booked yet (before < amount): all of it was within.
        functional = total - gift.reversed_functional_amount
    if beyond:
        functional += convert_at_rate(
            beyond, currency=gift.currency, rate=gift.fx_rate, to_currency=functional_currency()
        )
    return functional, beyond


def _post_reversal(
    gift: Gift,
    *,
    key: tuple[str, str],
    amount: int,
    code: TransferCode,
    document_type: str,
    document_id: int,
    memo: str,
) -> None:
    if amount <= 0:
        return
    require_accepted(
        post_transfers(
            [
                TransferSpec(
                    id=transfer_id(*key),
                    code=code,
                    amount=amount,
                    debit_account_id=account_by_key(FUND_AVAILABLE).id,
                    credit_account_id=account_by_key(CASH_STRIPE).id,
                    document_type=document_type,
                    document_id=str(document_id),
                    memo=memo,
                )
            ],
            actor=None,
        )
    )


def _sync_refunds(gateway: PaymentGateway, gift: Gift) -> None:
    if gift.status != GiftStatus.SUCCEEDED or not gift.stripe_charge_id:
        return
    known = {refund.stripe_refund_id for refund in gift.refunds}
    refunds = sorted(gateway.list_refunds(gift.stripe_charge_id), key=lambda r: r.get("created", 0))
    for refund in refunds:
        refund_id = str(refund["id"])
        if refund_id in known or refund.get("status") not in ("succeeded", None):
            continue
        amount = int(refund["amount"])
        functional, beyond = _reversal_in_functional(gift, amount)
        record = GiftRefund(
            gift=gift, stripe_refund_id=refund_id, amount=amount, functional_amount=functional
        )
        db.session.add(record)
        db.session.flush()
        _post_reversal(
            gift,
            key=("gift_refund", refund_id),
            amount=functional,
            code=TransferCode.REFUND,
            document_type="gift_refund",
            document_id=record.id,
            memo=f"Refund of {amount} {gift.currency} on gift {gift.id}",
        )
        record_event(
            actor=None,
            action="gift.refunded",
            subject=gift,
            summary=f"refund {amount} {gift.currency} ({refund_id})",
            changes={"refund": refund_id, "amount": amount, "functional_amount": functional},
        )
        if beyond:
            _tell_finance(gift, what=f"refund {refund_id} beyond the gift")
        known.add(refund_id)


def _gift_for_intent(intent: Mapping[str, Any]) -> Gift | None:
    intent_id = str(intent["id"])
    gift = _locked(Gift, Gift.stripe_payment_intent_id == intent_id)
    if gift is not None:
        return gift
    # The webhook can overtake the request that created the intent: find the gift by the
    # metadata we set, checked against its secret token.
    metadata = intent.get("metadata") or {}
    gift_id, token = metadata.get("gift_id"), metadata.get("gift_token")
    if not (gift_id and token and str(gift_id).isdigit()):
        return None
    gift = _locked(Gift, Gift.id == int(gift_id))
    if gift is None or gift.public_token != token or gift.stripe_payment_intent_id:
        return None
    gift.stripe_payment_intent_id = intent_id
    return gift


def sync_payment_intent(
    *, gateway: PaymentGateway, payment_intent_id: str
) -> list[DonationReceipt]:
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
    gateway: PaymentGateway, gift: Gift, intent: Mapping[str, Any]
) -> list[DonationReceipt]:
    status = intent.get("status")
    receipts: list[DonationReceipt] = []
    if status == "succeeded":
        receipt = _record_success(
            gateway,
            gift,
            charge_id=stripe_id(intent.get("latest_charge")),
            paid_at=_when(intent.get("created")),
        )
        if receipt is not None:
            receipts.append(receipt)
        _sync_refunds(gateway, gift)
    elif status in ("requires_payment_method", "canceled"):
        outcome = _outcome_of_intent(intent)
        _fail_gift(gift, message=outcome.message)
    return receipts


def _subscription_id_of_invoice(invoice: Mapping[str, Any]) -> str | None:
    found = stripe_id(invoice.get("subscription"))
    if found:
        return found
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return stripe_id(details.get("subscription"))


def sync_invoice(*, gateway: PaymentGateway, invoice_id: str) -> list[DonationReceipt]:
    """A paid invoice of a monthly gift becomes one gift (the month's), recorded once."""
    invoice = gateway.retrieve_invoice(invoice_id)
    stripe_subscription = _subscription_id_of_invoice(invoice)
    if not stripe_subscription:
        return []
    subscription = _subscription_for(gateway, stripe_subscription)
    if subscription is None:
        return []
    amount = int(invoice.get("amount_paid") or 0)
    if invoice.get("status") != "paid" or amount <= 0:
        return []
    gift = _locked(Gift, Gift.stripe_invoice_id == invoice_id)
    intent_id = _invoice_payment_intent_id(invoice)
    if gift is None:
        gift = Gift(
            donor_id=subscription.donor_id,
            subscription=subscription,
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
    receipt = _record_success(
        gateway, gift, charge_id=charge_id, paid_at=_when(transitions.get("paid_at"))
    )
    _sync_refunds(gateway, gift)
    _apply_subscription(subscription, gateway.retrieve_subscription(stripe_subscription))
    return [receipt] if receipt is not None else []


def _subscription_for(gateway: PaymentGateway, stripe_subscription: str) -> GiftSubscription | None:
    subscription = _locked(
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
    subscription = _locked(GiftSubscription, GiftSubscription.id == int(local_id))
    if (
        subscription is None
        or subscription.public_token != token
        or subscription.stripe_subscription_id
    ):
        return None
    subscription.stripe_subscription_id = stripe_subscription
    return subscription


def _set_subscription_status(
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


def _mirror_subscription(
    subscription: GiftSubscription, remote: Mapping[str, Any], *, actor: Any
) -> None:
    try:
        status = SubscriptionStatus(str(remote.get("status")))
    except ValueError:
        return  # a state this version does not know: keep ours
    _set_subscription_status(subscription, status, actor=actor)
    if status == SubscriptionStatus.CANCELED and remote.get("ended_at"):
        subscription.canceled_at = _when(remote.get("ended_at"))


def _apply_subscription(subscription: GiftSubscription, remote: Mapping[str, Any]) -> None:
    _mirror_subscription(subscription, remote, actor=None)


def sync_subscription(*, gateway: PaymentGateway, subscription_id: str) -> list[DonationReceipt]:
    subscription = _subscription_for(gateway, subscription_id)
    if subscription is not None:
        _apply_subscription(subscription, gateway.retrieve_subscription(subscription_id))
    return []


@dataclass(frozen=True)
class FailedMonthlyPayment:
    """A month of a monthly gift that the donor's card did not pay (yet)."""

    subscription: GiftSubscription
    amount: int
    currency: str
    next_attempt_at: datetime | None  # when Stripe tries again; None when it has given up


def note_failed_invoice(*, gateway: PaymentGateway, invoice_id: str) -> FailedMonthlyPayment | None:
    """A monthly gift's invoice could not be paid: audit it and mirror the subscription's state
    (Stripe makes it ``past_due`` while it retries, then ends it). Nothing is booked: no money
    moved. The caller tells the donor, who may want to stop the gift and give with a new card.
    """
    invoice = gateway.retrieve_invoice(invoice_id)
    stripe_subscription = _subscription_id_of_invoice(invoice)
    if not stripe_subscription or invoice.get("status") == "paid":
        return None  # not a monthly gift, or a retry has paid it since
    subscription = _subscription_for(gateway, stripe_subscription)
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
    _apply_subscription(subscription, gateway.retrieve_subscription(stripe_subscription))
    retry = invoice.get("next_payment_attempt")
    return FailedMonthlyPayment(
        subscription=subscription,
        amount=amount,
        currency=currency,
        next_attempt_at=_when(retry) if retry else None,
    )


def _gift_for_charge(
    gateway: PaymentGateway, charge: Mapping[str, Any]
) -> tuple[Gift | None, list[DonationReceipt]]:
    """The gift a charge paid, recording its success first if that webhook has not come yet."""
    charge_id = str(charge["id"])
    receipts: list[DonationReceipt] = []
    gift = _locked(Gift, Gift.stripe_charge_id == charge_id)
    if gift is not None:
        return gift, receipts
    intent_id = stripe_id(charge.get("payment_intent"))
    invoice_id = stripe_id(charge.get("invoice"))
    if intent_id:
        receipts += sync_payment_intent(gateway=gateway, payment_intent_id=intent_id)
    elif invoice_id:
        receipts += sync_invoice(gateway=gateway, invoice_id=invoice_id)
    return _locked(Gift, Gift.stripe_charge_id == charge_id), receipts


def sync_charge(*, gateway: PaymentGateway, charge_id: str) -> list[DonationReceipt]:
    """Refunds on a charge: each one Stripe lists and we have not recorded."""
    charge = gateway.retrieve_charge(charge_id)
    gift, receipts = _gift_for_charge(gateway, charge)
    if gift is not None:
        _sync_refunds(gateway, gift)
    return receipts


def sync_dispute(*, gateway: PaymentGateway, dispute_id: str) -> list[DonationReceipt]:
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
    _sync_refunds(gateway, gift)
    status = str(remote.get("status") or "needs_response")
    dispute = _locked(GiftDispute, GiftDispute.stripe_dispute_id == dispute_id)
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
    elif dispute.status != status:
        record_event(
            actor=None,
            action="gift.dispute_status",
            subject=gift,
            summary=f"dispute {dispute_id}: {dispute.status} → {status}",
        )
        dispute.status = status
    if status in CLOSED_DISPUTE_STATUSES and dispute.closed_at is None:
        dispute.closed_at = utcnow()
    if status == LOST and dispute.functional_amount_lost is None:
        functional, beyond = _reversal_in_functional(gift, dispute.amount)
        dispute.functional_amount_lost = functional
        _post_reversal(
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
        _post_reversal(
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
            _tell_finance(gift, what=f"dispute {dispute_id} lost after a refund")
    db.session.flush()
    return receipts


def _dispute_fee_in_functional(
    gateway: PaymentGateway, remote: Mapping[str, Any], gift: Gift
) -> int:
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
            total += _stripe_amount_in_functional(
                fee, currency=currency, gift=gift, rate=gift.fx_rate, on=utcnow().date()
            )
    return max(0, total)


# Notes on the event being applied, added to its stored outcome (see handle_stripe_event).
_EVENT_NOTES = "stripe_event_notes"


def _tell_finance(gift: Gift, *, what: str) -> None:
    """Money left beyond what a gift brought in: finance should look (and may ask the donor or
    the bank). The notice carries references only (DESIGN §6)."""
    roles = [
        role
        for role, granted in ROLE_PERMISSIONS.items()
        if Permission.RECORD_BANK_RECEIPT in granted
    ]
    staff = db.session.execute(
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(roles), User.is_active.is_(True))
        .order_by(User.id)
        .distinct()
    ).scalars()
    notify_all(
        [user for user in staff if has_permission(user, Permission.RECORD_BANK_RECEIPT)],
        kind=NotificationKind.ATTENTION_NEEDED,
        link=link_to("donations.gift", gift_id=gift.id),
        params={"reference": f"gift {gift.id}: {what}, money taken beyond the gift"},
    )
    db.session.info.setdefault(_EVENT_NOTES, []).append("beyond the gift: finance told")


# --- the webhook ---------------------------------------------------------------------------


@dataclass
class EventOutcome:
    duplicate: bool = False
    handled: bool = False
    receipts: list[DonationReceipt] = field(default_factory=list)
    # Monthly gifts whose donors should hear that this month's payment failed.
    failed_payments: list[FailedMonthlyPayment] = field(default_factory=list)


_Handler = Callable[..., list[DonationReceipt]]
_HANDLERS: dict[str, tuple[_Handler, str]] = {
    "payment_intent.succeeded": (sync_payment_intent, "payment_intent_id"),
    "payment_intent.payment_failed": (sync_payment_intent, "payment_intent_id"),
    "invoice.payment_succeeded": (sync_invoice, "invoice_id"),
    "invoice.paid": (sync_invoice, "invoice_id"),
    "charge.refunded": (sync_charge, "charge_id"),
    "charge.dispute.created": (sync_dispute, "dispute_id"),
    "charge.dispute.updated": (sync_dispute, "dispute_id"),
    "charge.dispute.closed": (sync_dispute, "dispute_id"),
    "customer.subscription.created": (sync_subscription, "subscription_id"),
    "customer.subscription.updated": (sync_subscription, "subscription_id"),
    "customer.subscription.deleted": (sync_subscription, "subscription_id"),
}
_FAILED_INVOICE = "invoice.payment_failed"
HANDLED_EVENT_TYPES = frozenset(_HANDLERS) | {_FAILED_INVOICE}


def _event_object_id(event: Mapping[str, Any]) -> str | None:
    data = event.get("data") or {}
    return stripe_id(data.get("object"))


def store_stripe_event(event: Mapping[str, Any]) -> StripeEvent | None:
    """Insert the event by id; None when it was stored before (a duplicate delivery).

    On PostgreSQL a concurrent delivery of the same event waits here until the first one
    commits, then finds it stored.
    """
    table = cast(sa.Table, StripeEvent.__table__)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    event_id = str(event.get("id") or "")
    if not event_id:
        raise ValidationFailed(N_("The event has no id."))
    inserted = db.session.execute(
        insert(table)
        .values(
            id=event_id[:255],
            type=str(event.get("type") or "")[:100],
            livemode=bool(event.get("livemode")),
            object_id=(_event_object_id(event) or "")[:255] or None,
            stripe_created_at=_when(event.get("created")),
            received_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(table.c.id)
    ).scalar_one_or_none()
    if inserted is None:
        return None
    return db.session.get(StripeEvent, inserted)


def handle_stripe_event(*, gateway: PaymentGateway, event: Mapping[str, Any]) -> EventOutcome:
    """Store, then apply, one verified webhook event. Flushes; the webhook commits."""
    stored = store_stripe_event(event)
    if stored is None:
        return EventOutcome(duplicate=True)
    entry = _HANDLERS.get(stored.type)
    object_id = _event_object_id(event)
    if stored.type == _FAILED_INVOICE and object_id:
        failed = note_failed_invoice(gateway=gateway, invoice_id=object_id)
        stored.outcome = "applied; donor to be told" if failed else "ignored"
        db.session.flush()
        return EventOutcome(handled=failed is not None, failed_payments=[failed] if failed else [])
    if entry is None or not object_id:
        stored.outcome = "ignored"
        return EventOutcome()
    handler, argument = entry
    db.session.info.pop(_EVENT_NOTES, None)
    receipts = handler(gateway=gateway, **{argument: object_id})
    notes = db.session.info.pop(_EVENT_NOTES, [])
    stored.outcome = "; ".join([f"applied; {len(receipts)} receipt(s)", *notes])[:300]
    db.session.flush()
    return EventOutcome(handled=True, receipts=receipts)
