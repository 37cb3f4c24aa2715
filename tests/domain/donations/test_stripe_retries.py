"""A call to Stripe that fails or hangs is tried again with the same idempotency key, so Stripe
does what was asked once; a request tried again after Stripe answered asks with the same key."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.donations import payments
from app.donations.gateway import StripeGateway
from app.donations.memory_gateway import MemoryGateway
from app.platform.extensions import db
from tests.donations_support import enable_stripe


class _FlakyStripe(BaseHTTPRequestHandler):
    """Answers a creation with a 500, then hangs past the client's timeout, then succeeds."""

    attempts: list[tuple[str, str | None]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.attempts.append((self.path, self.headers.get("Idempotency-Key")))
        if len(self.attempts) == 1:
            self._answer(500, {"error": {"type": "api_error", "message": "try again"}})
        elif len(self.attempts) == 2:
            time.sleep(1.5)  # longer than the gateway's timeout: the client gives up
            self._answer(500, {"error": {"type": "api_error", "message": "too late"}})
        else:
            self._answer(200, {"id": "pi_flaky", "object": "payment_intent", "status": "succeeded"})

    def _answer(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client has given up on this one

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def flaky_stripe() -> Iterator[str]:
    _FlakyStripe.attempts = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FlakyStripe)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_failed_or_hung_creation_is_retried_with_the_same_idempotency_key(flaky_stripe):
    gateway = StripeGateway("sk_test_flaky", api_base=flaky_stripe, timeout=0.5)

    intent = gateway.create_payment_intent(
        amount=25_00,
        currency="USD",
        customer_id="cus_1",
        payment_method_id="pm_1",
        metadata={"gift_id": "7"},
        idempotency_key="gift-7-abc-payment-intent",
    )

    assert intent["id"] == "pi_flaky"
    assert _FlakyStripe.attempts == [("/v1/payment_intents", "gift-7-abc-payment-intent")] * 3


def test_a_confirmation_tried_again_after_a_failure_asks_stripe_with_the_same_key(app, monkeypatch):
    stripe = enable_stripe(app, monkeypatch, MemoryGateway())
    started = payments.start_gift(
        actor=None,
        gateway=stripe,
        request=payments.GiveRequest(
            amount=25_00, currency="USD", monthly=False, name="Ada", email="ada@example.org"
        ),
    )
    gift = payments.find_by_token(started.token)
    stripe.complete_setup(gift.stripe_setup_intent_id)
    db.session.flush()

    # The first try reaches Stripe, then the request fails before it is committed.
    attempt = db.session.begin_nested()
    payments.confirm_gift(
        actor=None, gateway=stripe, gift=gift, setup_intent_id=gift.stripe_setup_intent_id
    )
    attempt.rollback()
    gift = payments.find_by_token(started.token)
    assert gift.stripe_payment_intent_id is None
    payments.confirm_gift(
        actor=None, gateway=stripe, gift=gift, setup_intent_id=gift.stripe_setup_intent_id
    )

    keys = [key for call, key in stripe.calls if call == "create_payment_intent"]
    assert keys == [f"gift-{gift.id}-{gift.public_token[:12]}-payment-intent"] * 2
