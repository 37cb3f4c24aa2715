"""Stripe's webhook under attack and in Stripe's awkward orders.

A dispute lost after a full refund is real money gone twice (the refund, then the chargeback
and its fee): it is booked, finance is told, and Stripe is answered 200. A well-signed body that
is not an event object is a 400, never a 500.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.donations.memory_gateway import MemoryGateway
from app.donations.models import GiftDispute, StripeEvent
from app.ledger.chart import CASH_STRIPE, FUND_AVAILABLE
from app.notifications.models import Notification
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.donations_support import (
    add_rate,
    assert_ledger_ok,
    deliver,
    enable_stripe,
    posted,
    seed_fund,
    sign,
    start_and_confirm,
)
from tests.factories import user_with

DISPUTE_FEE = 15_00


@pytest.fixture
def gateway(app, monkeypatch):
    return enable_stripe(app, monkeypatch, MemoryGateway(fee_percent=3, fee_fixed=30))


def _succeed(client, gateway, **kwargs):
    gift = start_and_confirm(gateway, **kwargs)
    event = gateway.event("payment_intent.succeeded", gateway.get(gift.stripe_payment_intent_id))
    assert deliver(client, event).status_code == 200
    db.session.refresh(gift)
    return gift


def _finance_notices(finance) -> list[Notification]:
    return list(
        db.session.execute(select(Notification).where(Notification.user_id == finance.id))
        .scalars()
        .all()
    )


def test_a_dispute_lost_after_a_full_refund_is_booked_and_finance_is_told(client, gateway, sign_in):
    seed_fund(1_000_00)
    finance = user_with(Role.FINANCE)
    gift = _succeed(client, gateway, amount=60_00)
    assert deliver(client, gateway.refund(gift.stripe_charge_id)).status_code == 200
    cash, fund = posted(CASH_STRIPE), posted(FUND_AVAILABLE)

    created = gateway.open_dispute(gift.stripe_charge_id, fee=DISPUTE_FEE)
    assert deliver(client, created).status_code == 200
    lost = gateway.close_dispute(created["data"]["object"]["id"], "lost")
    response = deliver(client, lost)
    # Before the fix: 409 on every delivery, so nothing was ever booked.
    assert response.status_code == 200, response.get_json()

    # Stripe took the disputed amount and the dispute fee from the balance, after the refund.
    assert posted(CASH_STRIPE) == cash - 60_00 - DISPUTE_FEE
    assert posted(FUND_AVAILABLE) == fund - 60_00 - DISPUTE_FEE
    dispute = db.session.execute(select(GiftDispute)).scalar_one()
    assert dispute.functional_amount_lost == 60_00
    db.session.refresh(gift)
    assert gift.net_functional_amount == -60_00
    # Finance hears of it, with a link to the gift.
    notices = _finance_notices(finance)
    assert [n.link for n in notices] == [f"/gifts/{gift.id}"]
    stored = db.session.get(StripeEvent, lost["id"])
    assert stored is not None and "finance told" in (stored.outcome or "")

    # Stripe delivers it again: nothing moves twice, nobody is told twice.
    assert deliver(client, lost).get_json()["duplicate"] is True
    again = gateway.event("charge.dispute.closed", gateway.get(dispute.stripe_dispute_id))
    assert deliver(client, again).status_code == 200
    assert posted(CASH_STRIPE) == cash - 60_00 - DISPUTE_FEE
    assert len(_finance_notices(finance)) == 1
    assert_ledger_ok()
    sign_in(finance)
    assert client.get(notices[0].link).status_code == 200


def test_a_lost_dispute_heard_before_the_refund_it_followed(client, gateway):
    """The refund happened first at Stripe, but its event comes after the dispute's."""
    seed_fund(1_000_00)
    add_rate("EUR", utcnow().date().replace(day=1), "0.8")
    gift = _succeed(client, gateway, amount=40_00, currency="EUR")  # USD 50.00
    refunded = gateway.refund(gift.stripe_charge_id)
    created = gateway.open_dispute(gift.stripe_charge_id)
    lost = gateway.close_dispute(created["data"]["object"]["id"], "lost")
    cash = posted(CASH_STRIPE)
    assert deliver(client, lost).status_code == 200
    # Before the fix the late refund event was refused (409) on every delivery.
    response = deliver(client, refunded)
    assert response.status_code == 200, response.get_json()
    db.session.refresh(gift)
    assert [r.functional_amount for r in gift.refunds] == [50_00]
    assert gift.disputes[0].functional_amount_lost == 50_00
    assert posted(CASH_STRIPE) == cash - 50_00 - 50_00
    assert_ledger_ok()


def test_an_event_that_cannot_be_applied_yet_is_answered_so_that_stripe_retries(client, gateway):
    # Nothing in the fund: the refund of a gift whose fee Stripe kept cannot be covered yet.
    gift = _succeed(client, gateway, amount=10_00)
    response = deliver(client, gateway.refund(gift.stripe_charge_id))
    # 503 and Retry-After: "try again", where a 4xx said the event itself was wrong.
    assert response.status_code == 503
    assert response.headers.get("Retry-After")


NOT_EVENT_OBJECTS = [
    b"[]",
    b'[{"id": "evt_array", "type": "charge.refunded"}]',
    b'"charge.refunded"',
    b"42",
    b"null",
    b"true",
    b'{"id": "evt_no_data", "type": "charge.refunded", "data": []}',
    b'{"id": "evt_bad_object", "type": "charge.refunded", "data": {"object": "ch_1"}}',
    b'{"id": ["evt_list"], "type": "charge.refunded", "data": {"object": {"id": "ch_1"}}}',
    b'{"type": "charge.refunded", "data": {"object": {"id": "ch_1"}}}',
]


@pytest.mark.parametrize("body", NOT_EVENT_OBJECTS)
def test_a_signed_body_that_is_not_an_event_object_is_refused(client, gateway, body):
    count = db.session.query(StripeEvent).count()
    response = client.post(
        "/webhooks/stripe",
        data=body,
        headers={"Stripe-Signature": sign(body), "Content-Type": "application/json"},
    )
    # Before the fix: 500 (the SDK and our handler expected an object).
    assert response.status_code == 400
    assert db.session.query(StripeEvent).count() == count
