"""An in-memory stand-in for Stripe, for the demo data and the tests of events localstripe never
sends (refunds, disputes, ``invoice.paid``...).

It keeps Stripe-shaped objects in dicts and answers the ``PaymentGateway`` calls from them, so
the webhook code re-fetches "current state" from here exactly as it does from Stripe. Scenario
helpers (``refund``, ``open_dispute``, ``renew``...) change that state and return the event
Stripe would send.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping
from typing import Any

from app.donations.gateway import PaymentDeclined, plan_id_for
from app.platform.errors import N_

DECLINED_CARD = "pm_card_chargeCustomerFail"
AUTHENTICATION_CARD = "pm_card_authenticationRequired"


class MemoryGateway:
    def __init__(self, *, fee_percent: int = 0, fee_fixed: int = 0) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.fee_percent = fee_percent
        self.fee_fixed = fee_fixed
        self._ids = itertools.count(1)
        self.calls: list[tuple[str, str]] = []

    # -- bookkeeping ---------------------------------------------------------------------

    def _new(self, prefix: str, **fields: Any) -> dict[str, Any]:
        object_id = f"{prefix}_mem{next(self._ids):06d}"
        obj = {"id": object_id, "created": int(time.time()), "livemode": False, **fields}
        self.objects[object_id] = obj
        return obj

    def get(self, object_id: str) -> dict[str, Any]:
        return self.objects[object_id]

    def _copy(self, object_id: str) -> dict[str, Any]:
        if object_id not in self.objects:
            raise KeyError(object_id)
        return dict(self.objects[object_id])

    @staticmethod
    def event(event_type: str, obj: Mapping[str, Any], *, livemode: bool = False) -> dict[str, Any]:
        """The event Stripe would send about ``obj`` (a snapshot: the webhook fetches again)."""
        return {
            "id": f"evt_mem{time.time_ns()}",
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "livemode": livemode,
            "api_version": "2026-10-28",
            "data": {"object": dict(obj)},
        }

    # -- the PaymentGateway protocol -----------------------------------------------------

    def create_customer(self, *, name: str, email: str, idempotency_key: str) -> str:
        self.calls.append(("create_customer", idempotency_key))
        return str(self._new("cus", name=name, email=email, invoice_settings={})["id"])

    def create_setup_intent(
        self, *, customer_id: str, metadata: Mapping[str, str], idempotency_key: str
    ) -> dict[str, Any]:
        self.calls.append(("create_setup_intent", idempotency_key))
        intent = self._new(
            "seti",
            customer=customer_id,
            metadata=dict(metadata),
            status="requires_payment_method",
            payment_method=None,
        )
        intent["client_secret"] = f"{intent['id']}_secret_mem"
        return dict(intent)

    def retrieve_setup_intent(self, setup_intent_id: str) -> dict[str, Any]:
        return self._copy(setup_intent_id)

    def create_payment_intent(
        self,
        *,
        amount: int,
        currency: str,
        customer_id: str,
        payment_method_id: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> dict[str, Any]:
        self.calls.append(("create_payment_intent", idempotency_key))
        intent = self._new(
            "pi",
            amount=amount,
            currency=currency.lower(),
            customer=customer_id,
            payment_method=payment_method_id,
            metadata=dict(metadata),
            latest_charge=None,
            invoice=None,
            last_payment_error=None,
        )
        intent["client_secret"] = f"{intent['id']}_secret_mem"
        if self.get(payment_method_id).get("card") == DECLINED_CARD:
            intent["status"] = "requires_payment_method"
            intent["last_payment_error"] = {"message": "Your card was declined."}
            raise PaymentDeclined(
                N_("The card payment did not go through: %(reason)s"),
                reason="Your card was declined.",
            )
        if self.get(payment_method_id).get("card") == AUTHENTICATION_CARD:
            intent["status"] = "requires_action"
            return dict(intent)
        self._charge(intent)
        return dict(intent)

    def retrieve_payment_intent(self, payment_intent_id: str) -> dict[str, Any]:
        return self._copy(payment_intent_id)

    def retrieve_charge(self, charge_id: str) -> dict[str, Any]:
        return self._copy(charge_id)

    def list_refunds(self, charge_id: str) -> list[dict[str, Any]]:
        # Each charge keeps its refunds' ids: a look-up, not a scan of every object (thousands
        # in bench/money.py, where this gateway's time would otherwise be measured as the app's).
        charge = self.objects.get(charge_id, {})
        return [self._copy(refund_id) for refund_id in charge.get("refund_ids", [])]

    def retrieve_balance_transaction(self, transaction_id: str) -> dict[str, Any]:
        return self._copy(transaction_id)

    def retrieve_invoice(self, invoice_id: str) -> dict[str, Any]:
        return self._copy(invoice_id)

    def ensure_plan(self, *, amount: int, currency: str, interval: str, product_name: str) -> str:
        plan_id = plan_id_for(amount=amount, currency=currency, interval=interval)
        self.objects.setdefault(
            plan_id,
            {"id": plan_id, "amount": amount, "currency": currency.lower(), "interval": interval},
        )
        return plan_id

    def set_default_payment_method(self, *, customer_id: str, payment_method_id: str) -> None:
        self.get(customer_id)["invoice_settings"] = {"default_payment_method": payment_method_id}

    def create_subscription(
        self,
        *,
        customer_id: str,
        plan_id: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> dict[str, Any]:
        self.calls.append(("create_subscription", idempotency_key))
        subscription = self._new(
            "sub",
            customer=customer_id,
            plan=plan_id,
            metadata=dict(metadata),
            status="incomplete",
            latest_invoice=None,
            ended_at=None,
        )
        invoice = self._invoice(subscription)
        created = dict(subscription)
        created["latest_invoice"] = dict(invoice)
        return created

    def retrieve_subscription(self, subscription_id: str) -> dict[str, Any]:
        return self._copy(subscription_id)

    def cancel_subscription(self, subscription_id: str, *, idempotency_key: str) -> dict[str, Any]:
        self.calls.append(("cancel_subscription", idempotency_key))
        subscription = self.get(subscription_id)
        subscription["status"] = "canceled"
        subscription["ended_at"] = int(time.time())
        return dict(subscription)

    def retrieve_dispute(self, dispute_id: str) -> dict[str, Any]:
        return self._copy(dispute_id)

    # -- what happens at Stripe ------------------------------------------------------------

    def add_card(self, card: str = "pm_card_visa") -> str:
        return str(self._new("pm", card=card)["id"])

    def complete_setup(self, setup_intent_id: str, card: str = "pm_card_visa") -> str:
        """What Stripe.js's confirmCardSetup does in the browser: the card is saved."""
        intent = self.get(setup_intent_id)
        intent["payment_method"] = self.add_card(card)
        intent["status"] = "succeeded"
        return str(intent["id"])

    def _charge(self, intent: dict[str, Any], *, invoice: str | None = None) -> dict[str, Any]:
        fee = intent["amount"] * self.fee_percent // 100 + self.fee_fixed if intent["amount"] else 0
        transaction = self._new(
            "txn", amount=intent["amount"], currency=intent["currency"], fee=fee, type="charge"
        )
        charge = self._new(
            "ch",
            amount=intent["amount"],
            currency=intent["currency"],
            payment_intent=intent["id"],
            invoice=invoice,
            balance_transaction=transaction["id"],
            status="succeeded",
            refunded=False,
        )
        intent["latest_charge"] = charge["id"]
        intent["status"] = "succeeded"
        return charge

    def _invoice(self, subscription: dict[str, Any]) -> dict[str, Any]:
        plan = self.get(subscription["plan"])
        intent = self._new(
            "pi",
            amount=plan["amount"],
            currency=plan["currency"],
            customer=subscription["customer"],
            metadata={},
            latest_charge=None,
            last_payment_error=None,
        )
        invoice = self._new(
            "in",
            subscription=subscription["id"],
            customer=subscription["customer"],
            amount_paid=plan["amount"],
            currency=plan["currency"],
            payment_intent=intent["id"],
            status="paid",
            status_transitions={"paid_at": int(time.time())},
        )
        intent["invoice"] = invoice["id"]
        self._charge(intent, invoice=invoice["id"])
        subscription["latest_invoice"] = invoice["id"]
        subscription["status"] = "active"
        return invoice

    def renew(self, subscription_id: str) -> dict[str, Any]:
        """Next month: a new invoice is paid. Returns its invoice.paid event."""
        invoice = self._invoice(self.get(subscription_id))
        return self.event("invoice.paid", invoice)

    def decline_renewal(
        self, subscription_id: str, *, retry_in: int | None = 3 * 86400
    ) -> dict[str, Any]:
        """Next month: the card is declined. Returns the invoice.payment_failed event; the
        subscription is past due while Stripe retries (``retry_in`` seconds), else unpaid."""
        subscription = self.get(subscription_id)
        plan = self.get(subscription["plan"])
        invoice = self._new(
            "in",
            subscription=subscription_id,
            customer=subscription["customer"],
            amount_due=plan["amount"],
            amount_paid=0,
            currency=plan["currency"],
            status="open",
            attempt_count=1,
            next_payment_attempt=int(time.time()) + retry_in if retry_in else None,
        )
        subscription["latest_invoice"] = invoice["id"]
        subscription["status"] = "past_due" if retry_in else "unpaid"
        return self.event("invoice.payment_failed", invoice)

    def refund(self, charge_id: str, amount: int | None = None) -> dict[str, Any]:
        """Refund (part of) a charge. Returns the charge.refunded event."""
        charge = self.get(charge_id)
        refunded = sum(r["amount"] for r in self.list_refunds(charge_id))
        amount = charge["amount"] - refunded if amount is None else amount
        made = self._new(
            "re", charge=charge_id, amount=amount, currency=charge["currency"], status="succeeded"
        )
        charge["refund_ids"] = [*charge.get("refund_ids", []), made["id"]]
        charge["amount_refunded"] = refunded + amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        return self.event("charge.refunded", charge)

    def open_dispute(
        self, charge_id: str, amount: int | None = None, *, fee: int = 0
    ) -> dict[str, Any]:
        """The card holder's bank disputes the charge: Stripe takes the amount and its dispute
        ``fee`` from the balance (one balance transaction, listed on the dispute)."""
        charge = self.get(charge_id)
        amount = charge["amount"] if amount is None else amount
        transaction = self._new(
            "txn", amount=-amount, currency=charge["currency"], fee=fee, type="adjustment"
        )
        dispute = self._new(
            "dp",
            charge=charge_id,
            amount=amount,
            currency=charge["currency"],
            reason="fraudulent",
            status="needs_response",
            balance_transactions=[dict(transaction)],
        )
        return self.event("charge.dispute.created", dispute)

    def close_dispute(self, dispute_id: str, status: str) -> dict[str, Any]:
        dispute = self.get(dispute_id)
        dispute["status"] = status
        return self.event("charge.dispute.closed", dispute)

    def fail_payment(self, payment_intent_id: str) -> dict[str, Any]:
        intent = self.get(payment_intent_id)
        intent["status"] = "requires_payment_method"
        intent["last_payment_error"] = {"message": "Your card was declined."}
        return self.event("payment_intent.payment_failed", intent)
