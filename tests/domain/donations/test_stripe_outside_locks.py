"""No call to Stripe is made while the app's database connection holds a row lock, in any card
payment flow: a slow or silent Stripe must never keep a gift's rows locked.

PostgreSQL gives a transaction an id at its first row lock (``SELECT ... FOR UPDATE``, which
writes the locker's id into the row) or first write, and not before. At every call to Stripe,
the in-memory Stripe below asks PostgreSQL, on the connection of the request making the call,
whether its transaction has one: ``pg_current_xact_id_if_assigned()`` is NULL only when the
transaction has locked no row and written nothing. The requests commit for real, one
transaction each, as in production.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.donations.gateway import PaymentGateway
from app.donations.memory_gateway import AUTHENTICATION_CARD, MemoryGateway
from app.donations.models import (
    Gift,
    GiftStatus,
    GiftSubscription,
    SubscriptionStatus,
)
from app.donations.web.support import STOP_LINK, sign
from app.ledger.chart import CASH_STRIPE, FUND_AVAILABLE
from app.platform.extensions import db
from tests.donations_support import assert_ledger_ok, deliver, enable_stripe, posted, seed_fund
from tests.real_commits import committed, committed_rows_removed

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]

# Every call the app makes to Stripe (the scenario helpers, Stripe's own doings, are not).
STRIPE_CALLS = frozenset(name for name in dir(PaymentGateway) if not name.startswith("_"))

TRANSACTION_ID = sa.text("SELECT pg_current_xact_id_if_assigned()::text")


class LockWatchingStripe:
    """The in-memory Stripe, noting at each call whether the caller's transaction held a row
    lock (or had written) at that moment."""

    def __init__(self, stripe: MemoryGateway) -> None:
        self.stripe = stripe
        self.calls: list[tuple[str, str | None]] = []  # (call, transaction id if assigned)

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.stripe, name)
        if name not in STRIPE_CALLS:
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            held = db.session.execute(TRANSACTION_ID).scalar_one()
            self.calls.append((name, held))
            return target(*args, **kwargs)

        return call

    def flow(self, work: Callable[[], Any]) -> list[str]:
        """Run one flow; the calls it made, after checking none was made under a lock."""
        first = len(self.calls)
        work()
        made = self.calls[first:]
        under_lock = [name for name, held in made if held is not None]
        assert under_lock == [], f"Stripe called while a row lock was held: {made}"
        return [name for name, _held in made]


@pytest.fixture
def stripe(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[LockWatchingStripe]:
    with committed_rows_removed(app):
        watching = LockWatchingStripe(MemoryGateway(fee_percent=3, fee_fixed=30))
        enable_stripe(app, monkeypatch, watching)
        committed(app, lambda: seed_fund(1_000_00))  # refunds and losses come out of the fund
        yield watching


def _start(client: Any, stripe: LockWatchingStripe, *, monthly: bool = False) -> str:
    response = client.post(
        "/give",
        data={
            "amount": "custom",
            "custom_amount": "100.00",
            "currency": "USD",
            "frequency": "monthly" if monthly else "one_off",
            "name": "Lena Lock",
            "email": "lena@example.org",
            "recognition": "anonymous",
        },
    )
    assert response.status_code == 200, response.get_json()
    return str(response.get_json()["confirm_url"]).split("/")[2]


def _confirm(
    client: Any, stripe: LockWatchingStripe, token: str, card: str = "pm_card_visa"
) -> Any:
    record = _record(token)
    stripe.stripe.complete_setup(record.stripe_setup_intent_id, card)
    answer = client.post(
        f"/give/{token}/confirm", json={"setup_intent": record.stripe_setup_intent_id}
    )
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _record(token: str) -> Any:
    db.session.expire_all()
    gift = db.session.execute(
        sa.select(Gift).where(Gift.public_token == token)
    ).scalar_one_or_none()
    if gift is not None:
        return gift
    return db.session.execute(
        sa.select(GiftSubscription).where(GiftSubscription.public_token == token)
    ).scalar_one()


def _deliver(client: Any, event: dict[str, Any]) -> None:
    response = deliver(client, event)
    assert response.status_code == 200, response.get_json()


def test_no_payment_flow_calls_stripe_while_holding_a_row_lock(app, client, stripe):
    memory = stripe.stripe
    cash, fund = posted(CASH_STRIPE), posted(FUND_AVAILABLE)

    # A one-off gift: started, confirmed, then its payment recorded by the webhook.
    token = None

    def start() -> None:
        nonlocal token
        token = _start(client, stripe)

    assert stripe.flow(start) == ["create_customer", "create_setup_intent"]
    assert token is not None
    assert "create_payment_intent" in stripe.flow(lambda: _confirm(client, stripe, token))
    gift = _record(token)
    intent = memory.get(gift.stripe_payment_intent_id)
    assert "retrieve_charge" in stripe.flow(
        lambda: _deliver(client, memory.event("payment_intent.succeeded", intent))
    )
    gift = _record(token)
    assert (gift.status, gift.fee_amount) == (GiftStatus.SUCCEEDED, 3_30)

    # Refunded (part of it), then disputed and the dispute lost.
    assert "list_refunds" in stripe.flow(
        lambda: _deliver(client, memory.refund(gift.stripe_charge_id, 40_00))
    )
    disputed = memory.open_dispute(gift.stripe_charge_id, 60_00, fee=15_00)
    assert "retrieve_dispute" in stripe.flow(lambda: _deliver(client, disputed))
    dispute_id = disputed["data"]["object"]["id"]
    stripe.flow(lambda: _deliver(client, memory.close_dispute(dispute_id, "lost")))

    # A refund whose webhook comes before the payment's: the refund sync records both.
    early = _start(client, stripe)
    _confirm(client, stripe, early)
    charge = memory.get(memory.get(_record(early).stripe_payment_intent_id)["latest_charge"])
    stripe.flow(lambda: _deliver(client, memory.refund(charge["id"])))
    assert _record(early).status == GiftStatus.SUCCEEDED

    # A payment that fails after the bank's authentication.
    failing = _start(client, stripe)
    assert _confirm(client, stripe, failing, AUTHENTICATION_CARD)["status"] == "requires_action"
    stripe.flow(
        lambda: _deliver(client, memory.fail_payment(_record(failing).stripe_payment_intent_id))
    )
    assert _record(failing).status == GiftStatus.FAILED

    # A monthly gift: created, its first invoice paid, a month declined, then stopped.
    monthly = _start(client, stripe, monthly=True)
    assert "create_subscription" in stripe.flow(lambda: _confirm(client, stripe, monthly))
    subscription = _record(monthly)
    invoice = memory.get(memory.get(subscription.stripe_subscription_id)["latest_invoice"])
    stripe.flow(lambda: _deliver(client, memory.event("invoice.paid", invoice)))
    stripe.flow(
        lambda: _deliver(
            client,
            memory.event("customer.subscription.updated", memory.get(invoice["subscription"])),
        )
    )
    stripe.flow(lambda: _deliver(client, memory.decline_renewal(invoice["subscription"])))
    with app.test_request_context():
        link = sign(STOP_LINK, subscription.id, subscription.public_token)
    assert stripe.flow(lambda: client.post(f"/give/stop/{link}")) == ["cancel_subscription"]
    assert _record(monthly).status == SubscriptionStatus.CANCELED

    # Every flow was seen, and the money is exactly what Stripe's objects say.
    assert {name for name, _held in stripe.calls} >= {
        "create_customer",
        "create_setup_intent",
        "retrieve_setup_intent",
        "create_payment_intent",
        "retrieve_payment_intent",
        "retrieve_charge",
        "retrieve_balance_transaction",
        "list_refunds",
        "retrieve_dispute",
        "retrieve_invoice",
        "retrieve_subscription",
        "set_default_payment_method",
        "ensure_plan",
        "create_subscription",
        "cancel_subscription",
    }
    # Gifts of 100.00 with a fee of 3.30 each: the first, the early-refunded one, the month.
    # Out: 40.00 refunded, 60.00 disputed and lost with its 15.00 fee, the early gift's 100.00.
    assert posted(CASH_STRIPE) - cash == 3 * 96_70 - 40_00 - 60_00 - 15_00 - 100_00
    assert posted(FUND_AVAILABLE) - fund == 3 * 96_70 - 40_00 - 60_00 - 15_00 - 100_00
    assert_ledger_ok()
