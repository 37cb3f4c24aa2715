"""The card payment gateway: a thin wrapper over ``stripe.StripeClient`` that speaks plain dicts.

Services depend on the ``PaymentGateway`` protocol, not on the SDK: tests put an in-memory
stand-in in its place, and ``STRIPE_API_BASE`` points the real one at localstripe. Every write
carries an idempotency key derived from our own record (id plus its random token), so a retried
request can never charge twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

import stripe

from app.platform.errors import N_, DomainError


class PaymentDeclined(DomainError):
    """The card was refused; the message is the issuer's reason, safe to show."""

    status_code = 402


class GatewayUnavailable(DomainError):
    """Stripe could not be reached or answered with an error; try again later."""

    status_code = 503


UNAVAILABLE = N_(
    "The card payment service did not answer as expected (%(detail)s). Please try again later."
)


class StripeReader(Protocol):
    """The reads that apply Stripe's state to our records: answered by Stripe itself, or by a
    ``StripeSnapshot`` fetched before any row is locked (app/donations/payments/snapshot.py)."""

    def retrieve_payment_intent(self, payment_intent_id: str) -> dict[str, Any]: ...

    def retrieve_charge(self, charge_id: str) -> dict[str, Any]: ...

    def list_refunds(self, charge_id: str) -> list[dict[str, Any]]: ...

    def retrieve_balance_transaction(self, transaction_id: str) -> dict[str, Any]: ...

    def retrieve_invoice(self, invoice_id: str) -> dict[str, Any]: ...

    def retrieve_subscription(self, subscription_id: str) -> dict[str, Any]: ...

    def retrieve_dispute(self, dispute_id: str) -> dict[str, Any]: ...


class PaymentGateway(StripeReader, Protocol):
    def create_customer(self, *, name: str, email: str, idempotency_key: str) -> str: ...

    def create_setup_intent(
        self, *, customer_id: str, metadata: Mapping[str, str], idempotency_key: str
    ) -> dict[str, Any]: ...

    def retrieve_setup_intent(self, setup_intent_id: str) -> dict[str, Any]: ...

    def create_payment_intent(
        self,
        *,
        amount: int,
        currency: str,
        customer_id: str,
        payment_method_id: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> dict[str, Any]: ...

    def ensure_plan(
        self, *, amount: int, currency: str, interval: str, product_name: str
    ) -> str: ...

    def set_default_payment_method(self, *, customer_id: str, payment_method_id: str) -> None: ...

    def create_subscription(
        self,
        *,
        customer_id: str,
        plan_id: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> dict[str, Any]: ...

    def cancel_subscription(
        self, subscription_id: str, *, idempotency_key: str
    ) -> dict[str, Any]: ...


def plan_id_for(*, amount: int, currency: str, interval: str) -> str:
    """One plan per (amount, currency, interval), named so it is found again, never duplicated."""
    return f"tfg-{interval}-{currency.lower()}-{amount}"


def stripe_id(value: Any) -> str | None:
    """An id from a field that holds either the id or the expanded object (localstripe expands
    some fields that Stripe leaves as ids)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        found = value.get("id")
        return str(found) if found else None
    return None


def _plain(obj: Any) -> dict[str, Any]:
    if isinstance(obj, stripe.StripeObject):
        return obj.to_dict(recursive=True)
    return dict(obj)


class StripeGateway:
    """The gateway through the official SDK."""

    def __init__(
        self, secret_key: str, *, api_base: str | None = None, timeout: float = 10
    ) -> None:
        addresses: Any = {"api": api_base} if api_base else {}
        # The SDK waits 80 s for an answer by default, longer than a web worker lives: a call
        # that hangs gives up after ``timeout`` seconds (retried twice, same idempotency key).
        self.client = stripe.StripeClient(
            secret_key,
            base_addresses=addresses,
            max_network_retries=2,
            http_client=stripe.new_default_http_client(timeout=timeout),
        )

    # Every call goes through here: SDK errors become domain errors with a usable sentence.
    def _call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except stripe.CardError as error:
            raise PaymentDeclined(
                N_("The card payment did not go through: %(reason)s"),
                reason=error.user_message or "card declined",
            )
        except stripe.StripeError as error:
            raise GatewayUnavailable(
                UNAVAILABLE,
                detail=type(error).__name__,
            )

    def create_customer(self, *, name: str, email: str, idempotency_key: str) -> str:
        customer = self._call(
            self.client.v1.customers.create,
            {"name": name, "email": email},
            {"idempotency_key": idempotency_key},
        )
        return str(customer.id)

    def create_setup_intent(
        self, *, customer_id: str, metadata: Mapping[str, str], idempotency_key: str
    ) -> dict[str, Any]:
        intent = self._call(
            self.client.v1.setup_intents.create,
            {
                "customer": customer_id,
                "usage": "off_session",
                "payment_method_types": ["card"],
                "metadata": dict(metadata),
            },
            {"idempotency_key": idempotency_key},
        )
        return _plain(intent)

    def retrieve_setup_intent(self, setup_intent_id: str) -> dict[str, Any]:
        return _plain(self._call(self.client.v1.setup_intents.retrieve, setup_intent_id))

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
        intent = self._call(
            self.client.v1.payment_intents.create,
            {
                "amount": amount,
                "currency": currency.lower(),
                "customer": customer_id,
                "payment_method": payment_method_id,
                "payment_method_types": ["card"],
                "confirm": True,
                "metadata": dict(metadata),
            },
            {"idempotency_key": idempotency_key},
        )
        return _plain(intent)

    def retrieve_payment_intent(self, payment_intent_id: str) -> dict[str, Any]:
        return _plain(self._call(self.client.v1.payment_intents.retrieve, payment_intent_id))

    def retrieve_charge(self, charge_id: str) -> dict[str, Any]:
        return _plain(self._call(self.client.v1.charges.retrieve, charge_id))

    def list_refunds(self, charge_id: str) -> list[dict[str, Any]]:
        page = self._call(self.client.v1.refunds.list, {"charge": charge_id, "limit": 100})
        return [_plain(refund) for refund in page.data]

    def retrieve_balance_transaction(self, transaction_id: str) -> dict[str, Any]:
        return _plain(self._call(self.client.v1.balance_transactions.retrieve, transaction_id))

    def retrieve_invoice(self, invoice_id: str) -> dict[str, Any]:
        return _plain(self._call(self.client.v1.invoices.retrieve, invoice_id))

    def ensure_plan(self, *, amount: int, currency: str, interval: str, product_name: str) -> str:
        plan_id = plan_id_for(amount=amount, currency=currency, interval=interval)
        try:
            self.client.v1.plans.retrieve(plan_id)
            return plan_id
        except stripe.InvalidRequestError as error:
            if error.http_status != 404:
                raise GatewayUnavailable(
                    UNAVAILABLE,
                    detail=type(error).__name__,
                )
        # Created under a fixed id: a concurrent creation fails, and the plan then exists.
        try:
            self.client.v1.plans.create(
                {
                    "id": plan_id,
                    "amount": amount,
                    "currency": currency.lower(),
                    "interval": interval,
                    "product": {"name": product_name},
                }
            )
        except stripe.StripeError:
            self._call(self.client.v1.plans.retrieve, plan_id)
        return plan_id

    def set_default_payment_method(self, *, customer_id: str, payment_method_id: str) -> None:
        self._call(
            self.client.v1.customers.update,
            customer_id,
            {"invoice_settings": {"default_payment_method": payment_method_id}},
        )

    def create_subscription(
        self,
        *,
        customer_id: str,
        plan_id: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> dict[str, Any]:
        subscription = self._call(
            self.client.v1.subscriptions.create,
            {
                "customer": customer_id,
                "items": [{"plan": plan_id}],
                "metadata": dict(metadata),
                "expand": ["latest_invoice"],
            },
            {"idempotency_key": idempotency_key},
        )
        return _plain(subscription)

    def retrieve_subscription(self, subscription_id: str) -> dict[str, Any]:
        return _plain(self._call(self.client.v1.subscriptions.retrieve, subscription_id))

    def cancel_subscription(self, subscription_id: str, *, idempotency_key: str) -> dict[str, Any]:
        return _plain(
            self._call(
                self.client.v1.subscriptions.cancel,
                subscription_id,
                None,
                {"idempotency_key": idempotency_key},
            )
        )

    def retrieve_dispute(self, dispute_id: str) -> dict[str, Any]:
        return _plain(self._call(self.client.v1.disputes.retrieve, dispute_id))


def construct_event(payload: bytes, signature: str | None, secret: str) -> dict[str, Any]:
    """Verify Stripe's signature on the raw body and parse it.

    Raises ``stripe.SignatureVerificationError`` (bad or stale signature: the default tolerance
    of five minutes) or ``ValueError`` (not JSON, or not shaped like an event: a signed array or
    string must be refused, not crash the handler).
    """
    stripe.WebhookSignature.verify_header(
        payload.decode("utf-8"), signature, secret, stripe.Webhook.DEFAULT_TOLERANCE
    )
    event = json.loads(payload)
    if not isinstance(event, dict):
        raise ValueError("the event is not a JSON object")
    data = event.get("data")
    if (
        not isinstance(event.get("id"), str)
        or not event["id"]
        or not isinstance(event.get("type"), str)
        or not isinstance(data, dict)
        or not isinstance(data.get("object"), dict)
    ):
        raise ValueError("the event has no id, type or data object")
    return event
