"""Starting and confirming card gifts, and stopping monthly gifts (against an in-memory Stripe)."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.donations import payments
from app.donations.memory_gateway import AUTHENTICATION_CARD, DECLINED_CARD, MemoryGateway
from app.donations.models import GiftStatus, SubscriptionStatus
from app.ledger.services.transfers import transfers_for_document
from app.platform.errors import Conflict, PermissionDenied, ValidationFailed
from tests.donations_support import start_and_confirm
from tests.factories import user_with


@pytest.fixture
def gateway():
    return MemoryGateway()


def test_a_gift_starts_pending_with_a_customer_and_a_setup_intent(app, gateway):
    started = payments.start_gift(
        actor=None,
        gateway=gateway,
        request=payments.GiveRequest(
            amount=50_00, currency="USD", monthly=False, name="Ada", email="Ada@Example.org"
        ),
    )
    gift = payments.find_by_token(started.token)
    assert gift.status == GiftStatus.PENDING
    assert gift.donor.email == "ada@example.org"
    assert gift.public_recognition is False  # anonymous unless asked
    assert started.client_secret.startswith(gift.stripe_setup_intent_id)
    # Idempotency keys come from our own gift's random token: the customer and the SetupIntent
    # are opened before the gift is written (no row of ours is held while Stripe answers).
    assert gateway.calls == [
        ("create_customer", f"gift-{gift.public_token}-customer"),
        ("create_setup_intent", f"gift-{gift.public_token}-setup-intent"),
    ]


def test_confirming_twice_charges_once(app, gateway):
    gift = start_and_confirm(gateway)
    outcome = payments.confirm_gift(
        actor=None, gateway=gateway, gift=gift, setup_intent_id=gift.stripe_setup_intent_id
    )
    assert outcome.status == "processing"
    assert [c for c, _ in gateway.calls].count("create_payment_intent") == 1
    # Money is not recorded from the browser's side: only the webhook does that.
    assert gift.status == GiftStatus.PENDING
    assert transfers_for_document(document_type="gift", document_id=str(gift.id)) == []


def test_a_declined_card_fails_the_gift_and_moves_no_money(app, gateway):
    gift = start_and_confirm(gateway, card=DECLINED_CARD)
    assert gift.status == GiftStatus.FAILED
    assert "declined" in gift.failure_message
    assert transfers_for_document(document_type="gift", document_id=str(gift.id)) == []


def test_a_card_that_needs_authentication_asks_the_page(app, gateway):
    started = payments.start_gift(
        actor=None,
        gateway=gateway,
        request=payments.GiveRequest(
            amount=10_00, currency="USD", monthly=False, name="Bo", email="bo@example.org"
        ),
    )
    gift = payments.find_by_token(started.token)
    gateway.complete_setup(gift.stripe_setup_intent_id, AUTHENTICATION_CARD)
    outcome = payments.confirm_gift(
        actor=None, gateway=gateway, gift=gift, setup_intent_id=gift.stripe_setup_intent_id
    )
    assert outcome.status == "requires_action"
    assert outcome.client_secret.startswith(gift.stripe_payment_intent_id)


def test_a_setup_intent_of_another_gift_is_refused(app, gateway):
    first = start_and_confirm(gateway)
    started = payments.start_gift(
        actor=None,
        gateway=gateway,
        request=payments.GiveRequest(
            amount=10_00, currency="USD", monthly=False, name="Cy", email="cy@example.org"
        ),
    )
    second = payments.find_by_token(started.token)
    with pytest.raises(ValidationFailed):
        payments.confirm_gift(
            actor=None, gateway=gateway, gift=second, setup_intent_id=first.stripe_setup_intent_id
        )


def test_currencies_without_a_rate_are_not_offered(app, gateway):
    with pytest.raises(ValidationFailed, match="not accepted"):
        payments.start_gift(
            actor=None,
            gateway=gateway,
            request=payments.GiveRequest(
                amount=10_00, currency="CHF", monthly=False, name="Di", email="di@example.org"
            ),
        )


def test_a_signed_in_donor_gives_as_themselves(app, gateway):
    donor_user = user_with(Role.DONOR)
    gift = start_and_confirm(gateway, actor=donor_user, email="other@example.org")
    assert gift.donor.user_id == donor_user.id


def test_a_monthly_gift_starts_a_subscription_and_can_be_stopped(app, gateway):
    donor_user = user_with(Role.DONOR)
    subscription = start_and_confirm(gateway, monthly=True, actor=donor_user)
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.stripe_subscription_id in gateway.objects
    assert subscription.gifts == []  # the month's gift is recorded by the invoice webhook

    with pytest.raises(PermissionDenied):
        payments.stop_monthly_gift(
            actor=user_with(Role.DONOR), gateway=gateway, subscription=subscription
        )
    payments.stop_monthly_gift(actor=donor_user, gateway=gateway, subscription=subscription)
    assert subscription.status == SubscriptionStatus.CANCELED
    assert gateway.get(subscription.stripe_subscription_id)["status"] == "canceled"
    with pytest.raises(Conflict):
        payments.stop_monthly_gift(
            actor=None, gateway=gateway, subscription=subscription, via_signed_link=True
        )


def test_a_signed_link_stops_a_monthly_gift_without_an_account(app, gateway):
    subscription = start_and_confirm(gateway, monthly=True)
    payments.stop_monthly_gift(
        actor=None, gateway=gateway, subscription=subscription, via_signed_link=True
    )
    assert subscription.status == SubscriptionStatus.CANCELED
