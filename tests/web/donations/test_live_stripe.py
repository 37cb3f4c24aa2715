"""Card gifts end to end against localstripe, with a live server receiving its webhooks.

How it is set up (and why):

* ``localstripe`` (a fake, stateful Stripe server from PyPI) is started once for this module on a
  free port in 8420-8429. Outside CI the tests are skipped, with the reason shown, when it is not
  installed; in CI (``CI=true``) its absence is a failure: ``make test`` installs it (dev extra).
* The live server is werkzeug's ``make_server`` in a thread, serving an app on its **own scratch
  database** (a new SQLite file, or a new PostgreSQL database next to the test database).
  The usual fixtures run each test inside one rolled-back transaction on one connection; a server
  in another thread cannot share it, and what it commits cannot be cleaned up afterwards because
  ledger transfers are append-only. So the live app gets a database of its own, dropped at the
  end, and the tests are ``real_commits`` (no wrapping transaction that would swap ``db.session``
  for every thread). Assertions compare with what the test created, never with absolute totals.
* The page's part (Stripe.js's ``confirmCardSetup``) is done by posting to localstripe exactly what
  its ``localstripe-v3.js`` posts; localstripe then sends signed webhooks about a second later, and
  the test waits for the live app to have recorded them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import stripe
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.donations.models import Gift, GiftKind, GiftStatus, GiftSubscription, StripeEvent
from app.ledger.models import Transfer, TransferCode
from app.ledger.verify import verify_ledger
from app.platform.extensions import db
from tests.donations_support import sign
from tests.live_support import LiveApp, running_localstripe

pytestmark = [pytest.mark.real_commits, pytest.mark.slow]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PORTS = range(8420, 8430)
SECRET_KEY = "sk_test_live_localstripe"
PUBLISHABLE_KEY = "pk_test_live_localstripe"
WEBHOOK_SECRET = "whsec_live_localstripe"
VISA = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123"}


def _free_port(ports: range) -> int:
    for port in ports:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("::", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1} for localstripe")


def _http(
    method: str,
    url: str,
    *,
    form: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> tuple[int, Any]:
    data = raw
    all_headers = dict(headers or {})
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    # Loopback only: localstripe and the live server started by these fixtures.
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            text = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as error:
        text, status = error.read().decode(), error.code
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


@pytest.fixture(scope="module")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if importlib.util.find_spec("localstripe") is None:
        if IN_CI:
            pytest.fail("localstripe is not installed; `make test` installs it with the dev extra")
        pytest.skip(
            "localstripe is not installed (pip install -e '.[dev]'): live Stripe tests skipped"
        )
    log = tmp_path_factory.mktemp("localstripe") / "localstripe.log"
    with running_localstripe(_free_port(PORTS), log, start_within=20) as base:
        yield base


def _scratch_database(app: Flask, dialect: str, tmp_path: Path) -> tuple[str, Callable[[], None]]:
    if dialect != "postgresql":
        return f"sqlite:///{tmp_path / 'live.db'}", lambda: None
    base = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    name = f"{base.database}_live_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="module")
def live(
    app: Flask, dialect: str, localstripe: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApp]:
    url, drop = _scratch_database(app, dialect, tmp_path_factory.mktemp("live"))
    live_app = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_STORAGE": str(tmp_path_factory.mktemp("live-uploads")),
            "STRIPE_SECRET_KEY": SECRET_KEY,
            "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": localstripe,
        },
    )
    with live_app.app_context():
        upgrade()
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    live_app.config["SERVER_NAME"] = f"127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site = f"http://127.0.0.1:{server.server_port}"
    status, _ = _http(
        "POST",
        f"{localstripe}/_config/webhooks/tests-{server.server_port}",
        form={"url": f"{site}/webhooks/stripe", "secret": WEBHOOK_SECRET},
    )
    assert status == 200
    try:
        yield LiveApp(app=live_app, url=site, stripe_base=localstripe)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with live_app.app_context():
            db.engine.dispose()
        drop()


def _give(live: LiveApp, **fields: str) -> dict[str, Any]:
    form = {
        "amount": "25",
        "custom_amount": "",
        "currency": "USD",
        "frequency": "one_off",
        "name": "Lou Live",
        "email": "lou@example.org",
        "recognition": "anonymous",
        **fields,
    }
    status, body = _http(
        "POST", f"{live.url}/give", form=form, headers={"Accept": "application/json"}
    )
    assert status == 200, body
    return body


def _confirm_card_setup(live: LiveApp, client_secret: str, payment_method: Any = None) -> str:
    """What localstripe-v3.js's confirmCardSetup posts from the browser."""
    setup_intent = client_secret.split("_secret_")[0]
    body: dict[str, Any] = {
        "key": PUBLISHABLE_KEY,
        "use_stripe_sdk": True,
        "client_secret": client_secret,
    }
    if payment_method is None:
        body["payment_method_data"] = {"type": "card", "card": VISA, "billing_details": {}}
    else:
        body["payment_method"] = payment_method
    status, answer = _http(
        "POST", f"{live.stripe_base}/v1/setup_intents/{setup_intent}/confirm", body=body
    )
    assert status == 200 and answer["status"] == "succeeded", answer
    return setup_intent


def _confirm(live: LiveApp, started: dict[str, Any], setup_intent: str) -> dict[str, Any]:
    status, body = _http(
        "POST", live.url + started["confirm_url"], body={"setup_intent": setup_intent}
    )
    assert status == 200, body
    return body


def _token(started: dict[str, Any]) -> str:
    return started["confirm_url"].split("/")[2]


def _gift_transfers(gift_id: int) -> list[Transfer]:
    return list(
        db.session.execute(
            sa.select(Transfer).where(
                Transfer.document_type == "gift", Transfer.document_id == str(gift_id)
            )
        ).scalars()
    )


def test_a_one_off_card_gift_from_intent_to_ledger(live):
    started = _give(live, amount="custom", custom_amount="42.50")
    setup_intent = _confirm_card_setup(live, started["client_secret"])
    assert _confirm(live, started, setup_intent)["status"] == "processing"
    token = _token(started)

    def recorded() -> Gift | None:
        gift = db.session.execute(sa.select(Gift).where(Gift.public_token == token)).scalar_one()
        return gift if gift.status == GiftStatus.SUCCEEDED else None

    gift = live.wait_for(recorded, "the payment_intent.succeeded webhook")
    with live.app.app_context():
        gift = db.session.get(Gift, gift.id)
        assert (gift.amount, gift.currency, gift.functional_amount) == (42_50, "USD", 42_50)
        transfers = _gift_transfers(gift.id)
        assert [(t.code, t.amount) for t in transfers] == [(TransferCode.GIFT, 42_50)]
        assert db.session.execute(
            sa.select(StripeEvent).where(
                StripeEvent.type == "payment_intent.succeeded",
                StripeEvent.object_id == gift.stripe_payment_intent_id,
            )
        ).scalar_one()
        report = verify_ledger()
        assert report.ok, report.problems
    status, page = _http("GET", live.url + started["thanks_url"])
    assert status == 200 and "We received your gift of" in page

    # A refund made at Stripe, announced with a payload signed as Stripe signs it (localstripe
    # never sends charge.refunded): the webhook fetches the refunds from localstripe itself.
    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": live.stripe_base})
    client.v1.refunds.create({"charge": gift.stripe_charge_id, "amount": 12_50})
    event = {
        "id": f"evt_live_{uuid.uuid4().hex}",
        "object": "event",
        "type": "charge.refunded",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": {"id": gift.stripe_charge_id, "object": "charge"}},
    }
    payload = json.dumps(event).encode()
    status, _ = _http(
        "POST",
        f"{live.url}/webhooks/stripe",
        raw=payload,
        headers={
            "Stripe-Signature": sign(payload, secret=WEBHOOK_SECRET),
            "Content-Type": "application/json",
        },
    )
    assert status == 200
    with live.app.app_context():
        gift = db.session.get(Gift, gift.id)
        assert [r.amount for r in gift.refunds] == [12_50]
        assert gift.net_functional_amount == 30_00
        report = verify_ledger()
        assert report.ok, report.problems


def test_a_declined_card_records_no_money(live):
    started = _give(live, amount="50")
    setup_intent = _confirm_card_setup(
        live, started["client_secret"], payment_method="pm_card_chargeCustomerFail"
    )
    outcome = _confirm(live, started, setup_intent)
    assert outcome["status"] == "failed" and "declined" in outcome["message"]
    token = _token(started)

    # localstripe also sends payment_intent.payment_failed: it is stored, found to be about
    # this gift, and changes nothing.
    def webhook_seen() -> Gift | None:
        gift = db.session.execute(sa.select(Gift).where(Gift.public_token == token)).scalar_one()
        return gift if gift.stripe_payment_intent_id else None

    gift = live.wait_for(webhook_seen, "the payment_intent.payment_failed webhook")
    with live.app.app_context():
        gift = db.session.get(Gift, gift.id)
        assert gift.status == GiftStatus.FAILED
        assert _gift_transfers(gift.id) == []
    _status, page = _http("GET", live.url + started["thanks_url"])
    assert "did not go through" in page


def test_a_monthly_gift_and_its_first_invoice(live):
    started = _give(live, amount="custom", custom_amount="10", frequency="monthly")
    setup_intent = _confirm_card_setup(live, started["client_secret"])
    assert _confirm(live, started, setup_intent)["status"] == "processing"
    token = _token(started)

    def first_month() -> Gift | None:
        subscription = db.session.execute(
            sa.select(GiftSubscription).where(GiftSubscription.public_token == token)
        ).scalar_one()
        paid = [g for g in subscription.gifts if g.status == GiftStatus.SUCCEEDED]
        return paid[0] if paid else None

    gift = live.wait_for(first_month, "the invoice.payment_succeeded webhook")
    with live.app.app_context():
        gift = db.session.get(Gift, gift.id)
        assert (gift.kind, gift.amount, gift.currency) == (GiftKind.MONTHLY, 10_00, "USD")
        assert gift.stripe_invoice_id and gift.subscription.status == "active"
        assert [(t.code, t.amount) for t in _gift_transfers(gift.id)] == [
            (TransferCode.GIFT, 10_00)
        ]
        report = verify_ledger()
        assert report.ok, report.problems
    _status, page = _http("GET", live.url + started["thanks_url"])
    assert "every month" in page
