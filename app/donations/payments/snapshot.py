"""What Stripe says about one payment, fetched before any row is locked, then applied from here.

A webhook's handler reads the payment's objects (intent, charge, fee, refunds, invoice,
subscription, dispute) through a ``StripeReader``. The webhook first walks from the event's
object to every object linked to it, with no lock held and nothing written, and hands the
handler this snapshot instead of Stripe: the handler, which locks the gift's rows, cannot call
Stripe. An object the walk did not fetch means Stripe's state moved on between the walk and
the lock: the event is refused (503) and Stripe's retry, which fetches again, applies it.
"""

from __future__ import annotations

import copy
from typing import Any

from app.donations.gateway import StripeReader, stripe_id
from app.donations.payments.gifts import invoice_payment_intent_id
from app.donations.payments.subscriptions import subscription_id_of_invoice
from app.platform.errors import N_, DomainError

# The kinds of Stripe object a handler reads.
PAYMENT_INTENT = "payment_intent"
CHARGE = "charge"
INVOICE = "invoice"
SUBSCRIPTION = "subscription"
DISPUTE = "dispute"
BALANCE_TRANSACTION = "balance_transaction"


class StripeStateChanged(DomainError):
    """The payment changed at Stripe while it was being recorded; Stripe retries the event."""

    status_code = 503


class StripeSnapshot:
    """A ``StripeReader`` answering from objects fetched earlier, never from Stripe."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, list[dict[str, Any]]] = {}

    def _get(self, object_id: str) -> dict[str, Any]:
        if object_id not in self.objects:
            raise StripeStateChanged(
                N_("The payment changed at Stripe while it was being recorded (%(object)s)."),
                object=object_id,
            )
        return copy.deepcopy(self.objects[object_id])

    def retrieve_payment_intent(self, payment_intent_id: str) -> dict[str, Any]:
        return self._get(payment_intent_id)

    def retrieve_charge(self, charge_id: str) -> dict[str, Any]:
        return self._get(charge_id)

    def list_refunds(self, charge_id: str) -> list[dict[str, Any]]:
        if charge_id not in self.refunds:
            raise StripeStateChanged(
                N_("The payment changed at Stripe while it was being recorded (%(object)s)."),
                object=f"refunds of {charge_id}",
            )
        return copy.deepcopy(self.refunds[charge_id])

    def retrieve_balance_transaction(self, transaction_id: str) -> dict[str, Any]:
        return self._get(transaction_id)

    def retrieve_invoice(self, invoice_id: str) -> dict[str, Any]:
        return self._get(invoice_id)

    def retrieve_subscription(self, subscription_id: str) -> dict[str, Any]:
        return self._get(subscription_id)

    def retrieve_dispute(self, dispute_id: str) -> dict[str, Any]:
        return self._get(dispute_id)


def _fetch(stripe: StripeReader, kind: str, object_id: str) -> dict[str, Any]:
    match kind:
        case "payment_intent":
            return stripe.retrieve_payment_intent(object_id)
        case "charge":
            return stripe.retrieve_charge(object_id)
        case "invoice":
            return stripe.retrieve_invoice(object_id)
        case "subscription":
            return stripe.retrieve_subscription(object_id)
        case "dispute":
            return stripe.retrieve_dispute(object_id)
        case "balance_transaction":
            return stripe.retrieve_balance_transaction(object_id)
    raise ValueError(f"not a kind of Stripe object: {kind}")


def _links(kind: str, obj: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The objects a handler may read after this one, by kind and id (a field holds the id or
    the expanded object). A subscription's invoices are not: its events only mirror its status;
    a charge's refunds are listed with the charge."""
    match kind:
        case "payment_intent":
            return [
                (CHARGE, stripe_id(obj.get("latest_charge"))),
                (INVOICE, stripe_id(obj.get("invoice"))),
            ]
        case "charge":
            return [
                (BALANCE_TRANSACTION, stripe_id(obj.get("balance_transaction"))),
                (PAYMENT_INTENT, stripe_id(obj.get("payment_intent"))),
                (INVOICE, stripe_id(obj.get("invoice"))),
            ]
        case "invoice":
            return [
                (SUBSCRIPTION, subscription_id_of_invoice(obj)),
                (PAYMENT_INTENT, invoice_payment_intent_id(obj)),
                (CHARGE, stripe_id(obj.get("charge"))),
            ]
        case "dispute":
            return [(CHARGE, stripe_id(obj.get("charge")))] + [
                (BALANCE_TRANSACTION, entry)
                for entry in obj.get("balance_transactions") or []
                if isinstance(entry, str)
            ]
        case _:
            return []


def fetch_snapshot(stripe: StripeReader, *, kind: str, object_id: str) -> StripeSnapshot:
    """Everything a handler may read about the payment ``object_id`` belongs to, from Stripe.

    Call it before any row is locked or written: it is the only place a webhook calls Stripe.
    """
    snapshot = StripeSnapshot()
    pending: list[tuple[str, str | None]] = [(kind, object_id)]
    while pending:
        kind, found = pending.pop()
        if not found or found in snapshot.objects:
            continue
        obj = _fetch(stripe, kind, found)
        snapshot.objects[found] = obj
        if kind == CHARGE:
            snapshot.refunds[found] = stripe.list_refunds(found)
        pending += _links(kind, obj)
    return snapshot
