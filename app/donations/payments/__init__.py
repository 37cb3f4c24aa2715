"""Card gifts through Stripe: starting and confirming a gift, and applying Stripe's webhooks.

The browser never tells us that money arrived. The page saves the card (SetupIntent), our server
charges it (PaymentIntent or Subscription), and only a webhook records the money: the object is
fetched again from Stripe, then the event is stored by id (a second delivery is a no-op) and the
object's *current* state applied, so events that arrive twice or out of order change nothing.
Stripe is always called before any row is locked (snapshot.py holds what a webhook fetched).

gifts.py: the Give page (start, confirm, stop a monthly gift). webhook.py: an event stored, then
handed to intents.py (a PaymentIntent or invoice paid), subscriptions.py (monthly gifts) or
disputes.py (refunds and disputes). recording.py: what a succeeded, failed, refunded or lost gift
puts on the ledger. The names below are kept importable from here for the callers that always
did; new code may import from the module itself.
"""

from __future__ import annotations

from app.donations.payments.common import new_token
from app.donations.payments.disputes import (
    CLOSED_DISPUTE_STATUSES,
    LOST,
    sync_charge,
    sync_dispute,
)
from app.donations.payments.gifts import (
    GiveRequest,
    PaymentOutcome,
    StartedGift,
    confirm_gift,
    confirm_monthly_gift,
    find_by_token,
    start_gift,
    stop_monthly_gift,
)
from app.donations.payments.intents import sync_invoice, sync_payment_intent
from app.donations.payments.subscriptions import (
    FailedMonthlyPayment,
    note_failed_invoice,
    sync_subscription,
)
from app.donations.payments.webhook import (
    HANDLED_EVENT_TYPES,
    EventOutcome,
    handle_stripe_event,
    store_stripe_event,
)

__all__ = [
    "CLOSED_DISPUTE_STATUSES",
    "HANDLED_EVENT_TYPES",
    "LOST",
    "EventOutcome",
    "FailedMonthlyPayment",
    "GiveRequest",
    "PaymentOutcome",
    "StartedGift",
    "confirm_gift",
    "confirm_monthly_gift",
    "find_by_token",
    "handle_stripe_event",
    "new_token",
    "note_failed_invoice",
    "start_gift",
    "stop_monthly_gift",
    "store_stripe_event",
    "sync_charge",
    "sync_dispute",
    "sync_invoice",
    "sync_payment_intent",
    "sync_subscription",
]
