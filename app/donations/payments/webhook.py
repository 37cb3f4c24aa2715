"""Stripe's webhook events: the object's current state fetched from Stripe first, then the event
stored by id and that state applied, with the gift's rows locked."""

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
from app.donations.payments.snapshot import (
    CHARGE,
    DISPUTE,
    INVOICE,
    PAYMENT_INTENT,
    SUBSCRIPTION,
    fetch_snapshot,
)
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


# Each handled event: its handler, the argument naming the object, and the object's kind.
_HANDLERS: dict[str, tuple[_Handler, str, str]] = {
    "payment_intent.succeeded": (sync_payment_intent, "payment_intent_id", PAYMENT_INTENT),
    "payment_intent.payment_failed": (sync_payment_intent, "payment_intent_id", PAYMENT_INTENT),
    "invoice.payment_succeeded": (sync_invoice, "invoice_id", INVOICE),
    "invoice.paid": (sync_invoice, "invoice_id", INVOICE),
    "charge.refunded": (sync_charge, "charge_id", CHARGE),
    "charge.dispute.created": (sync_dispute, "dispute_id", DISPUTE),
    "charge.dispute.updated": (sync_dispute, "dispute_id", DISPUTE),
    "charge.dispute.closed": (sync_dispute, "dispute_id", DISPUTE),
    "customer.subscription.created": (sync_subscription, "subscription_id", SUBSCRIPTION),
    "customer.subscription.updated": (sync_subscription, "subscription_id", SUBSCRIPTION),
    "customer.subscription.deleted": (sync_subscription, "subscription_id", SUBSCRIPTION),
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
    """Fetch, store, then apply, one verified webhook event. Flushes; the webhook commits.

    Stripe is called before anything is written or locked (a slow answer holds no gift row);
    what it said is applied once the event is stored and the rows are locked.
    """
    # No query before the event is stored: on SQLite a transaction that has read cannot start
    # writing once another has written meanwhile. A second delivery costs a few reads at Stripe.
    event_type = str(event.get("type") or "")
    entry = _HANDLERS.get(event_type)
    object_id = _event_object_id(event)
    snapshot = None
    if object_id and (entry is not None or event_type == _FAILED_INVOICE):
        kind = entry[2] if entry is not None else INVOICE
        snapshot = fetch_snapshot(gateway, kind=kind, object_id=object_id)
    stored = store_stripe_event(event)
    if stored is None:
        return EventOutcome(duplicate=True)
    if stored.type == _FAILED_INVOICE and object_id and snapshot is not None:
        failed = note_failed_invoice(gateway=snapshot, invoice_id=object_id)
        stored.outcome = "applied; donor to be told" if failed else "ignored"
        db.session.flush()
        return EventOutcome(handled=failed is not None, failed_payments=[failed] if failed else [])
    if entry is None or not object_id or snapshot is None:
        stored.outcome = "ignored"
        return EventOutcome()
    handler, argument, _kind = entry
    db.session.info.pop(EVENT_NOTES, None)
    receipts = handler(gateway=snapshot, **{argument: object_id})
    notes = db.session.info.pop(EVENT_NOTES, [])
    stored.outcome = "; ".join([f"applied; {len(receipts)} receipt(s)", *notes])[:300]
    db.session.flush()
    return EventOutcome(handled=True, receipts=receipts)
