"""Stripe that does not answer: each request is given up after STRIPE_TIMEOUT_SECONDS (the
SDK's own default is 80 s, longer than a web worker lives), and the page gets a clear error."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from app.donations.gateway import GatewayUnavailable
from app.donations.web.support import GATEWAY_KEY, get_gateway


@pytest.fixture
def silent_stripe() -> Iterator[str]:
    """An address that takes connections and never answers them."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_a_stripe_that_does_not_answer_is_given_up_after_the_timeout(
    app, monkeypatch, silent_stripe
):
    # The default: three tries (the SDK retries twice) and their pauses fit in the web worker's
    # 30 s timeout, so a silent Stripe gives the donor an answer, not a killed worker.
    assert 3 * app.config["STRIPE_TIMEOUT_SECONDS"] + 2 < 30
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_silent")
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", silent_stripe)
    monkeypatch.setitem(app.config, "STRIPE_TIMEOUT_SECONDS", 0.3)
    monkeypatch.setitem(app.extensions, GATEWAY_KEY, None)  # built afresh, then forgotten
    gateway = get_gateway()

    started = time.monotonic()
    with pytest.raises(GatewayUnavailable):
        gateway.retrieve_invoice("in_silent")

    # Three tries (two retries) of 0.3 s and the SDK's pauses between them, not 3 x 80 s.
    assert time.monotonic() - started < 15
