"""A webhook applies what it fetched from Stripe before locking: never more (an object it did
not fetch refuses the event, so Stripe sends it again), and never an older state over an end."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.donations import payments
from app.donations.memory_gateway import MemoryGateway
from app.donations.models import GiftDispute, GiftStatus, StripeEvent, SubscriptionStatus
from app.donations.payments.snapshot import StripeStateChanged, fetch_snapshot
from app.platform.extensions import db
from tests.donations_support import deliver, enable_stripe, seed_fund, start_and_confirm


@pytest.fixture
def stripe():
    return MemoryGateway(fee_percent=3, fee_fixed=30)


def _apply(stripe, event):
    return payments.handle_stripe_event(gateway=stripe, event=event)


def _paid_gift(stripe):
    gift = start_and_confirm(stripe, amount=100_00)
    _apply(
        stripe, stripe.event("payment_intent.succeeded", stripe.get(gift.stripe_payment_intent_id))
    )
    assert gift.status == GiftStatus.SUCCEEDED
    return gift


def test_the_snapshot_holds_the_payment_and_everything_linked_to_it(stripe):
    gift = start_and_confirm(stripe, amount=100_00)
    intent = stripe.get(gift.stripe_payment_intent_id)
    charge = stripe.get(intent["latest_charge"])
    stripe.refund(charge["id"], 10_00)

    snapshot = fetch_snapshot(stripe, kind="payment_intent", object_id=intent["id"])

    assert set(snapshot.objects) == {intent["id"], charge["id"], charge["balance_transaction"]}
    assert [refund["amount"] for refund in snapshot.list_refunds(charge["id"])] == [10_00]
    stripe.refund(charge["id"], 5_00)  # later, at Stripe: not in what was fetched
    assert len(snapshot.list_refunds(charge["id"])) == 1
    with pytest.raises(StripeStateChanged) as refused:
        snapshot.retrieve_invoice("in_never_fetched")
    assert refused.value.status_code == 503


def test_an_object_the_fetch_did_not_reach_refuses_the_event(app, client, monkeypatch, stripe):
    enable_stripe(app, monkeypatch, stripe)
    gift = _paid_gift(stripe)
    # Stripe now names no charge as the intent's latest: the gift's own charge, whose refunds
    # the gift's locked row asks for, was not fetched.
    stripe.get(gift.stripe_payment_intent_id)["latest_charge"] = None
    events = db.session.execute(select(func.count()).select_from(StripeEvent)).scalar_one()

    answer = deliver(
        client, stripe.event("payment_intent.succeeded", stripe.get(gift.stripe_payment_intent_id))
    )

    # Nothing kept, not even the event: Stripe sends it again later, and it is fetched again.
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert db.session.execute(select(func.count()).select_from(StripeEvent)).scalar_one() == events


def test_an_older_state_never_reopens_an_ended_monthly_gift(stripe):
    subscription = start_and_confirm(stripe, monthly=True)
    remote = stripe.get(subscription.stripe_subscription_id)
    remote["status"] = "canceled"
    _apply(stripe, stripe.event("customer.subscription.deleted", remote))
    assert subscription.status == SubscriptionStatus.CANCELED

    remote["status"] = "active"  # what a delivery fetched before the end would apply
    _apply(stripe, stripe.event("customer.subscription.updated", remote))

    assert subscription.status == SubscriptionStatus.CANCELED


def test_an_older_state_never_reopens_a_closed_dispute(stripe):
    seed_fund(1_000_00)
    gift = _paid_gift(stripe)
    opened = stripe.open_dispute(gift.stripe_charge_id, fee=15_00)
    dispute_id = opened["data"]["object"]["id"]
    _apply(stripe, opened)
    _apply(stripe, stripe.close_dispute(dispute_id, "lost"))

    stripe.get(dispute_id)["status"] = "needs_response"  # fetched before the close
    _apply(stripe, stripe.event("charge.dispute.updated", stripe.get(dispute_id)))

    dispute = db.session.execute(
        select(GiftDispute).where(GiftDispute.stripe_dispute_id == dispute_id)
    ).scalar_one()
    assert (dispute.status, dispute.functional_amount_lost) == ("lost", 100_00)
