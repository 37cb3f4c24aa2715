"""POST /webhooks/stripe with payloads signed the way Stripe signs them.

An in-memory Stripe holds the objects the webhook fetches again; after every case the ledger
verifies and the totals are exact.
"""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.donations.memory_gateway import MemoryGateway
from app.donations.models import (
    DonationReceipt,
    Gift,
    GiftDispute,
    GiftRefund,
    GiftStatus,
    StripeEvent,
    SubscriptionStatus,
)
from app.ledger.chart import CASH_STRIPE, FUND_AVAILABLE
from app.outbox.sending import send_due
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
from tests.mail import smtp_mailbox

MONTH = utcnow().date().replace(day=1)


@pytest.fixture
def gateway(app, monkeypatch):
    # A fee of 3 % + 30 cents, in the charge's currency, as Stripe's balance transaction says.
    return enable_stripe(app, monkeypatch, MemoryGateway(fee_percent=3, fee_fixed=30))


@pytest.fixture
def before():
    # Earlier contributions: refunds and lost disputes come out of the fund's available money
    # (Stripe keeps its fee, so a full refund costs more than the gift brought in).
    seed_fund(1_000_00)
    return {"cash": posted(CASH_STRIPE), "fund": posted(FUND_AVAILABLE)}


def _events() -> int:
    return db.session.execute(select(func.count()).select_from(StripeEvent)).scalar_one()


def _succeed(client, gateway, **kwargs):
    gift = start_and_confirm(gateway, **kwargs)
    intent = gateway.get(gift.stripe_payment_intent_id)
    response = deliver(client, gateway.event("payment_intent.succeeded", intent))
    assert response.status_code == 200, response.get_json()
    db.session.refresh(gift)
    return gift


def test_a_one_off_gift_is_recorded_with_its_fee_and_receipt(client, gateway, before, mailbox):
    gift = _succeed(client, gateway, amount=100_00)
    assert gift.status == GiftStatus.SUCCEEDED
    assert (gift.functional_amount, gift.fee_amount) == (100_00, 3_30)
    assert posted(CASH_STRIPE) - before["cash"] == 96_70
    assert posted(FUND_AVAILABLE) - before["fund"] == 96_70
    receipt = db.session.execute(
        select(DonationReceipt).where(DonationReceipt.gift_id == gift.id)
    ).scalar_one()
    assert receipt.emailed_at is not None
    message = mailbox.last("ada@example.org")
    assert receipt.reference in message["Subject"]
    assert "/receipts/r/" in mailbox.body(message)
    assert_ledger_ok()


def test_a_receipt_made_while_mail_is_down_reaches_the_donor_once_it_is_back(
    app, client, gateway, before, dead_mail_server
):
    gift = _succeed(client, gateway, amount=100_00)
    assert gift.status == GiftStatus.SUCCEEDED  # the gift stands, whatever the mail server
    assert send_due().retrying == 1

    deliver(
        client,
        gateway.event("payment_intent.succeeded", gateway.get(gift.stripe_payment_intent_id)),
    )
    with smtp_mailbox(app, port=app.config["MAIL_PORT"]) as back:
        assert send_due(now=utcnow() + timedelta(hours=1)).sent == 1
        [message] = back.to("ada@example.org")  # once, though Stripe told us twice
    assert "/receipts/r/" in back.body(message)


def test_a_gift_in_another_currency_keeps_both_amounts(client, gateway, before):
    add_rate("EUR", MONTH, "0.8")
    gift = _succeed(client, gateway, amount=40_00, currency="EUR")
    assert (gift.amount, gift.currency) == (40_00, "EUR")
    # EUR 40.00 at 0.8 is USD 50.00; the fee (EUR 1.50) is USD 1.875, rounded half to even.
    assert (gift.functional_amount, gift.fee_amount) == (50_00, 1_88)
    assert posted(FUND_AVAILABLE) - before["fund"] == 50_00 - 1_88
    assert_ledger_ok()


def test_a_duplicate_delivery_changes_nothing(client, gateway, before):
    gift = start_and_confirm(gateway, amount=20_00)
    event = gateway.event("payment_intent.succeeded", gateway.get(gift.stripe_payment_intent_id))
    first = deliver(client, event)
    second = deliver(client, event)
    assert first.get_json()["duplicate"] is False
    assert second.status_code == 200 and second.get_json()["duplicate"] is True
    assert posted(FUND_AVAILABLE) - before["fund"] == 20_00 - 90
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(DonationReceipt)
            .where(DonationReceipt.gift_id == gift.id)
        )
        == 1
    )
    # Another event about the same payment is applied, finds it recorded, and adds nothing.
    again = deliver(
        client,
        gateway.event("payment_intent.succeeded", gateway.get(gift.stripe_payment_intent_id)),
    )
    assert again.get_json()["duplicate"] is False
    assert posted(FUND_AVAILABLE) - before["fund"] == 20_00 - 90
    assert_ledger_ok()


def test_partial_then_full_refund(client, gateway, before):
    add_rate("EUR", MONTH, "0.9")
    gift = _succeed(client, gateway, amount=30_00, currency="EUR")  # USD 33.33
    assert gift.functional_amount == 33_33
    fee = gift.fee_amount
    assert deliver(client, gateway.refund(gift.stripe_charge_id, 10_00)).status_code == 200
    db.session.refresh(gift)
    assert [r.functional_amount for r in gift.refunds] == [11_11]
    assert deliver(client, gateway.refund(gift.stripe_charge_id)).status_code == 200
    db.session.refresh(gift)
    # The two refunds reverse exactly what was booked: 11.11 + 22.22 = 33.33.
    assert [r.amount for r in gift.refunds] == [10_00, 20_00]
    assert sum(r.functional_amount for r in gift.refunds) == gift.functional_amount
    assert gift.net_functional_amount == 0
    # Stripe keeps its fee on a refund: the fund is out of pocket by the fee only.
    assert posted(FUND_AVAILABLE) - before["fund"] == -fee
    assert posted(CASH_STRIPE) - before["cash"] == -fee
    assert_ledger_ok()


def test_a_refund_the_fund_cannot_cover_waits_for_money(client, gateway):
    # Nothing else in the fund: the gift minus Stripe's fee cannot pay back the whole gift.
    gift = _succeed(client, gateway, amount=10_00)
    available = posted(FUND_AVAILABLE)
    refund = gateway.refund(gift.stripe_charge_id)
    count = _events()
    assert deliver(client, refund).status_code == 503
    assert _events() == count  # not stored: Stripe's retry is applied once money came in
    assert posted(FUND_AVAILABLE) == available
    seed_fund(50_00)
    assert deliver(client, refund).status_code == 200
    assert posted(FUND_AVAILABLE) == available + 50_00 - 10_00
    assert_ledger_ok()


def test_events_out_of_order_refund_before_success(client, gateway, before):
    gift = start_and_confirm(gateway, amount=50_00)
    refund_event = gateway.refund(
        gateway.get(gift.stripe_payment_intent_id)["latest_charge"], 50_00
    )
    success_event = gateway.event(
        "payment_intent.succeeded", gateway.get(gift.stripe_payment_intent_id)
    )
    # The refund arrives first: the webhook fetches the charge, records the gift it paid, then
    # the refund; the late success event then finds everything recorded.
    assert deliver(client, refund_event).status_code == 200
    assert deliver(client, success_event).status_code == 200
    db.session.refresh(gift)
    assert gift.status == GiftStatus.SUCCEEDED
    assert len(gift.refunds) == 1 and gift.net_functional_amount == 0
    assert posted(FUND_AVAILABLE) - before["fund"] == -gift.fee_amount
    assert_ledger_ok()


def test_a_dispute_created_then_lost_reverses_the_gift_once(client, gateway, before):
    gift = _succeed(client, gateway, amount=60_00)
    created = gateway.open_dispute(gift.stripe_charge_id)
    assert deliver(client, created).status_code == 200
    dispute = db.session.execute(select(GiftDispute)).scalar_one()
    assert dispute.is_open and dispute.functional_amount_lost is None
    assert posted(FUND_AVAILABLE) - before["fund"] == 60_00 - gift.fee_amount
    lost = gateway.close_dispute(dispute.stripe_dispute_id, "lost")
    assert deliver(client, lost).status_code == 200
    assert deliver(client, lost).get_json()["duplicate"] is True
    db.session.refresh(dispute)
    assert dispute.functional_amount_lost == 60_00 and dispute.closed_at is not None
    assert posted(FUND_AVAILABLE) - before["fund"] == -gift.fee_amount
    assert_ledger_ok()


def test_a_dispute_lost_before_its_created_event_arrives(client, gateway, before):
    gift = _succeed(client, gateway, amount=15_00)
    created = gateway.open_dispute(gift.stripe_charge_id)
    lost = gateway.close_dispute(created["data"]["object"]["id"], "lost")
    assert deliver(client, lost).status_code == 200
    assert deliver(client, created).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(GiftDispute)) == 1
    assert posted(FUND_AVAILABLE) - before["fund"] == -gift.fee_amount
    assert_ledger_ok()


def test_a_dispute_won_moves_no_money(client, gateway, before):
    gift = _succeed(client, gateway, amount=15_00)
    created = gateway.open_dispute(gift.stripe_charge_id)
    deliver(client, created)
    deliver(client, gateway.close_dispute(created["data"]["object"]["id"], "won"))
    assert posted(FUND_AVAILABLE) - before["fund"] == 15_00 - gift.fee_amount
    assert_ledger_ok()


def test_a_bad_signature_is_refused_and_nothing_recorded(client, gateway, before):
    gift = start_and_confirm(gateway, amount=20_00)
    event = gateway.event("payment_intent.succeeded", gateway.get(gift.stripe_payment_intent_id))
    count = _events()
    response = deliver(client, event, secret="whsec_someone_else")
    assert response.status_code == 400
    body = json.dumps(event).encode()
    tampered = deliver(client, {**event, "type": "charge.refunded"}, signature=sign(body))
    assert tampered.status_code == 400
    assert _events() == count
    assert db.session.get(Gift, gift.id).status == GiftStatus.PENDING
    assert posted(FUND_AVAILABLE) == before["fund"]


def test_a_stale_timestamp_is_refused(client, gateway, before):
    gift = start_and_confirm(gateway, amount=20_00)
    event = gateway.event("payment_intent.succeeded", gateway.get(gift.stripe_payment_intent_id))
    count = _events()
    response = deliver(client, event, timestamp=int(time.time()) - 3600)
    assert response.status_code == 400
    assert _events() == count
    assert posted(FUND_AVAILABLE) == before["fund"]


def test_a_livemode_event_is_refused_by_a_test_installation(client, gateway, before):
    gift = start_and_confirm(gateway, amount=20_00)
    event = gateway.event(
        "payment_intent.succeeded", gateway.get(gift.stripe_payment_intent_id), livemode=True
    )
    count = _events()
    assert deliver(client, event).status_code == 400
    assert _events() == count
    assert posted(FUND_AVAILABLE) == before["fund"]


def test_a_missing_exchange_rate_refuses_the_event_until_finance_adds_it(client, gateway):
    rate = add_rate("GBP", MONTH, "0.8")
    gift = start_and_confirm(gateway, amount=8_00, currency="GBP")
    db.session.delete(rate)  # say the rate was entered for the wrong currency and removed
    db.session.flush()
    event = gateway.event("payment_intent.succeeded", gateway.get(gift.stripe_payment_intent_id))
    count = _events()
    assert deliver(client, event).status_code == 503
    assert _events() == count  # not stored: Stripe retries, and the retry is applied in full
    add_rate("GBP", MONTH, "0.8")
    assert deliver(client, event).status_code == 200
    db.session.refresh(gift)
    assert gift.functional_amount == 10_00
    assert_ledger_ok()


def test_a_monthly_gift_records_each_paid_invoice_once(client, gateway, before):
    subscription = start_and_confirm(gateway, monthly=True, amount=10_00)
    invoice = gateway.get(gateway.get(subscription.stripe_subscription_id)["latest_invoice"])
    assert deliver(client, gateway.event("invoice.payment_succeeded", invoice)).status_code == 200
    # Stripe sends invoice.paid for the same invoice too: the same month, recorded once.
    assert deliver(client, gateway.event("invoice.paid", invoice)).status_code == 200
    assert deliver(client, gateway.renew(subscription.stripe_subscription_id)).status_code == 200
    db.session.refresh(subscription)
    assert [g.status for g in subscription.gifts] == [GiftStatus.SUCCEEDED] * 2
    assert subscription.status == SubscriptionStatus.ACTIVE
    fees = sum(g.fee_amount for g in subscription.gifts)
    assert posted(FUND_AVAILABLE) - before["fund"] == 20_00 - fees
    assert_ledger_ok()


def test_subscription_updates_and_deletion_are_mirrored(client, gateway):
    subscription = start_and_confirm(gateway, monthly=True, amount=10_00)
    remote = gateway.get(subscription.stripe_subscription_id)
    remote["status"] = "past_due"
    deliver(client, gateway.event("customer.subscription.updated", remote))
    db.session.refresh(subscription)
    assert subscription.status == SubscriptionStatus.PAST_DUE
    remote["status"] = "canceled"
    remote["ended_at"] = int(time.time())
    deliver(client, gateway.event("customer.subscription.deleted", remote))
    db.session.refresh(subscription)
    assert subscription.status == SubscriptionStatus.CANCELED
    assert subscription.canceled_at is not None


def test_a_failed_payment_event_fails_the_pending_gift(client, gateway, before):
    gift = start_and_confirm(gateway, amount=20_00)
    assert deliver(client, gateway.fail_payment(gift.stripe_payment_intent_id)).status_code == 200
    db.session.refresh(gift)
    assert gift.status == GiftStatus.FAILED
    assert posted(FUND_AVAILABLE) == before["fund"]


def test_events_we_do_not_handle_are_stored_and_acknowledged(client, gateway):
    event = gateway.event("customer.created", {"id": "cus_x", "object": "customer"})
    response = deliver(client, event)
    assert response.status_code == 200 and response.get_json()["handled"] is False
    assert db.session.get(StripeEvent, event["id"]).outcome == "ignored"


def test_without_stripe_settings_the_webhook_does_not_exist(client):
    assert client.post("/webhooks/stripe", data=b"{}").status_code == 404


def test_refund_records_are_new_rows_never_edits(client, gateway):
    gift = _succeed(client, gateway, amount=10_00)
    updated_at = gift.updated_at
    deliver(client, gateway.refund(gift.stripe_charge_id, 4_00))
    db.session.refresh(gift)
    assert gift.status == GiftStatus.SUCCEEDED and gift.amount == 10_00
    assert gift.updated_at == updated_at
    assert db.session.scalar(select(func.count()).select_from(GiftRefund)) == 1


def _monthly_gift_paid_once(client, gateway, **donor):
    subscription = start_and_confirm(gateway, monthly=True, amount=10_00, **donor)
    invoice = gateway.get(gateway.get(subscription.stripe_subscription_id)["latest_invoice"])
    assert deliver(client, gateway.event("invoice.paid", invoice)).status_code == 200
    return subscription


def test_a_declined_monthly_payment_tells_the_donor_and_books_nothing(
    client, gateway, before, mailbox
):
    subscription = _monthly_gift_paid_once(client, gateway)
    cash, fund = posted(CASH_STRIPE), posted(FUND_AVAILABLE)
    declined = gateway.decline_renewal(subscription.stripe_subscription_id)

    response = deliver(client, declined)
    assert response.status_code == 200
    assert response.get_json()["handled"] is True
    db.session.refresh(subscription)
    assert subscription.status == SubscriptionStatus.PAST_DUE
    assert len(subscription.gifts) == 1  # the month that failed is not a gift
    assert (posted(CASH_STRIPE), posted(FUND_AVAILABLE)) == (cash, fund)
    failures = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "gift_subscription.payment_failed")
    ).scalars()
    assert [event.subject_id for event in failures] == [str(subscription.id)]

    message = mailbox.last("ada@example.org")
    assert message["Subject"] == "Your monthly gift could not be taken"
    body = mailbox.body(message)
    assert "USD\xa010.00" in body
    assert "No money was taken." in body
    assert "will be asked again on" in body
    assert "Stop this monthly gift: http://localhost/give/stop/" in body

    # Stripe delivers the same event again: the donor is not told twice.
    told = len(mailbox.to("ada@example.org"))
    assert deliver(client, declined).get_json()["duplicate"] is True
    assert len(mailbox.to("ada@example.org")) == told
    assert_ledger_ok()


def test_a_donor_hears_when_stripe_gives_up_on_a_month(client, gateway, mailbox):
    subscription = _monthly_gift_paid_once(client, gateway)
    assert (
        deliver(
            client, gateway.decline_renewal(subscription.stripe_subscription_id, retry_in=None)
        ).status_code
        == 200
    )
    db.session.refresh(subscription)
    assert subscription.status == SubscriptionStatus.UNPAID
    body = mailbox.body(mailbox.last("ada@example.org"))
    assert "No further attempt will be made" in body


def test_a_signed_in_donor_hears_in_their_own_language(client, gateway, mailbox):
    person = user_with(Role.DONOR, email="ines@example.org", locale="fr")
    subscription = _monthly_gift_paid_once(client, gateway, actor=person, email="ines@example.org")
    declined = gateway.decline_renewal(subscription.stripe_subscription_id)
    assert deliver(client, declined).status_code == 200
    message = mailbox.last("ines@example.org")
    assert message["Subject"] == "Votre don mensuel n'a pas pu être prélevé"
    assert "Aucun montant n'a été débité." in mailbox.body(message)


def _receipt_page(client, body: str) -> str:
    path = re.search(r"https?://[^/\s]+(/receipts/r/\S+)", body)
    assert path is not None, body
    response = client.get(path.group(1))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_gift_from_a_shared_address_is_receipted_in_the_name_of_who_gave(
    client, gateway, before, mailbox
):
    # A couple with one address: one donor record (found by the address), two givers.
    camille = _succeed(client, gateway, name="Camille Durand", email="camille@example.fr")
    pierre = _succeed(client, gateway, name="Pierre Durand", email="camille@example.fr")
    assert pierre.donor_id == camille.donor_id
    first, second = (mailbox.body(m) for m in mailbox.to("camille@example.fr"))
    assert "Dear Camille Durand," in first
    assert "Dear Pierre Durand," in second
    camille_page = _receipt_page(client, first)
    assert "Camille Durand" in camille_page and "Pierre" not in camille_page
    pierre_page = _receipt_page(client, second)
    assert "Pierre Durand" in pierre_page and "Camille" not in pierre_page


def test_each_month_of_a_monthly_gift_names_who_set_it_up(client, gateway, before, mailbox):
    _succeed(client, gateway, name="Camille Durand", email="camille@example.fr")
    subscription = _monthly_gift_paid_once(
        client, gateway, name="Pierre Durand", email="camille@example.fr"
    )
    assert deliver(client, gateway.renew(subscription.stripe_subscription_id)).status_code == 200
    months = [mailbox.body(m) for m in mailbox.to("camille@example.fr")[1:]]
    assert len(months) == 2
    for body in months:
        assert "Dear Pierre Durand," in body
        page = _receipt_page(client, body)
        assert "Pierre Durand" in page and "Camille" not in page
