"""Stripe's webhook events: stored by id first, then applied from the object's current state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.donations.gateway import PaymentGateway, stripe_id
from app.donations.models import DonationReceipt, StripeEvent
from app.donations.payments.common import stripe_time
from app.donations.payments.disputes import sync_charge, sync_dispute
from app.donations.payments.intents import sync_invoice, sync_payment_intent
from app.donations.payments.recording import EVENT_NOTES
from app.donations.payments.subscriptions import (
    FailedMonthlyPayment,
    note_failed_invoice,
    sync_subscription,
)
from app.platform.db import utcnow
from app.platform.errors import N_, ValidationFailed
from app.platform.extensions import db


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
            stripe_created_at=stripe_time(event.get("created")),
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
    db.session.info.pop(EVENT_NOTES, None)
    receipts = handler(gateway=gateway, **{argument: object_id})
    notes = db.session.info.pop(EVENT_NOTES, [])
    stored.outcome = "; ".join([f"applied; {len(receipts)} receipt(s)", *notes])[:300]
    db.session.flush()
    return EventOutcome(handled=True, receipts=receipts)
