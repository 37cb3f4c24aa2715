"""Outgoing webhooks: an organisation (or an administrator, for the fund's systems) registers an
endpoint; the events it chose are written with the change that causes them, posted by the
sender to a real HTTP server here with a signature that server verifies, retried after a
failure, logged, and sent again on request with the same event id."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.applications.services.submission import withdraw_application
from app.audit.models import AuditEvent
from app.platform.db import utcnow
from app.platform.errors import PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.webhooks import services as webhooks
from app.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent
from app.webhooks.sending import deliver_due
from tests.applications_support import applicant_of, ngo_organisation, started_application
from tests.factories import user_with
from tests.grants_support import USD, active_grant, fund, officers, pay


@dataclass
class Receiver:
    """A real HTTP server on a free loopback port: it keeps what it got and answers the
    statuses it is told to, in turn (then 200)."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)


@pytest.fixture
def receiver(app: Any) -> Iterator[Receiver]:
    got = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            got.received.append({"headers": dict(self.headers), "body": body})
            status = got.answers.pop(0) if got.answers else 200
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    got.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    try:
        yield got
    finally:
        app.config["WEBHOOKS_ALLOW_PRIVATE"] = False
        server.shutdown()
        server.server_close()


def _endpoint(receiver: Receiver, organisation_id: int | None, *events: WebhookEvent) -> Any:
    if organisation_id is None:
        actor = user_with(Role.ADMIN)
    else:
        from app.accounts.models import Organisation

        actor = applicant_of(db.session.get(Organisation, organisation_id))
    return webhooks.register_endpoint(
        actor=actor,
        organisation_id=organisation_id,
        url=receiver.url,
        events=events or (WebhookEvent.APPLICATION_STATUS_CHANGED, WebhookEvent.TRANCHE_PAID),
        allow_private=True,
    )


def _verified(endpoint: Any, message: dict[str, Any]) -> dict[str, Any]:
    header = message["headers"]["TrustFund-Signature"]
    assert webhooks.verify_signature(endpoint.secret, message["body"], header, now=int(time.time()))
    assert not webhooks.verify_signature(
        "whsec_wrong", message["body"], header, now=int(time.time())
    )
    body: dict[str, Any] = json.loads(message["body"])
    assert message["headers"]["TrustFund-Event-Id"] == body["id"]
    return body


def test_a_status_change_is_delivered_signed_to_the_organisations_endpoint(receiver):
    organisation = ngo_organisation()
    endpoint = _endpoint(receiver, organisation.id)
    application = started_application(organisation=organisation)
    withdraw_application(actor=applicant_of(organisation), application=application)
    delivery = db.session.scalars(sa.select(WebhookDelivery)).one()  # written with the move
    assert deliver_due().delivered == 1
    body = _verified(endpoint, receiver.received[0])
    assert body["type"] == "application.status_changed"
    assert body["data"]["application"] == {
        "id": application.id,
        "reference": application.reference,
        "organisation_id": organisation.id,
        "status": "withdrawn",
        "previous_status": "draft",
    }
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.last_status_code == 200


def test_an_organisation_receives_only_its_own_objects_events_and_the_fund_all(receiver):
    mine = ngo_organisation(name="Mine")
    other = ngo_organisation(name="Other")
    my_endpoint = _endpoint(receiver, mine.id)
    fund_endpoint = _endpoint(receiver, None)
    application = started_application(organisation=other)
    withdraw_application(actor=applicant_of(other), application=application)
    deliver_due()
    assert len(receiver.received) == 1
    _verified(fund_endpoint, receiver.received[0])
    assert not db.session.scalars(
        sa.select(WebhookDelivery).where(WebhookDelivery.endpoint_id == my_endpoint.id)
    ).first()


def test_a_paid_tranche_is_told(receiver):
    fund(100_000 * USD)
    grant = active_grant(amount=10_000 * USD)
    endpoint = _endpoint(receiver, grant.organisation_id, WebhookEvent.TRANCHE_PAID)
    tranche = grant.tranches[0]
    pay(tranche, officers())
    deliver_due()
    [message] = receiver.received
    body = _verified(endpoint, message)
    assert body["type"] == "tranche.paid"
    assert body["data"]["tranche"]["amount"] == {
        "amount_minor": str(tranche.amount),
        "currency": grant.currency,
    }


def test_a_failed_delivery_is_retried_later_with_the_same_event_id(receiver):
    organisation = ngo_organisation()
    _endpoint(receiver, organisation.id)
    receiver.answers = [500]
    withdraw_application(
        actor=applicant_of(organisation), application=started_application(organisation=organisation)
    )
    first = deliver_due()
    assert first.retrying == 1
    delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code == 500
    assert deliver_due().delivered == 0  # not due yet: it waits before trying again
    later = delivery.next_attempt_at + timedelta(seconds=1)
    assert deliver_due(now=later).delivered == 1
    assert delivery.attempts == 2 and delivery.status == DeliveryStatus.DELIVERED
    ids = {message["headers"]["TrustFund-Event-Id"] for message in receiver.received}
    assert len(receiver.received) == 2 and ids == {delivery.event_id}


def test_a_delivery_that_keeps_failing_is_given_up_and_can_be_sent_again(
    app, receiver, client, sign_in
):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 2
    try:
        organisation = ngo_organisation()
        endpoint = _endpoint(receiver, organisation.id)
        receiver.answers = [500, 503]
        owner = applicant_of(organisation)
        withdraw_application(
            actor=owner, application=started_application(organisation=organisation)
        )
        deliver_due()
        delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
        deliver_due(now=delivery.next_attempt_at + timedelta(seconds=1))
        assert delivery.status == DeliveryStatus.FAILED and delivery.last_status_code == 503
        sign_in(owner)
        page = client.get(f"/integrations/webhooks/{endpoint.id}").get_data(as_text=True)
        assert delivery.event_id in page and "503" in page and "Failed" in page
        response = client.post(f"/integrations/webhooks/deliveries/{delivery.id}/send-again")
        assert response.status_code == 302
        assert deliver_due().delivered == 1
        assert receiver.received[-1]["headers"]["TrustFund-Event-Id"] == delivery.event_id
        assert db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "webhook_delivery.send_again")
        ).one()
    finally:
        app.config["WEBHOOK_MAX_ATTEMPTS"] = 8


def test_an_event_is_queued_once_per_endpoint(receiver):
    organisation = ngo_organisation()
    endpoint = _endpoint(receiver, organisation.id)
    db.session.add(
        WebhookDelivery(
            endpoint_id=endpoint.id,
            event_id="evt_same",
            event_type=WebhookEvent.TRANCHE_PAID,
            payload="{}",
        )
    )
    db.session.flush()
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(
            WebhookDelivery(
                endpoint_id=endpoint.id,
                event_id="evt_same",
                event_type=WebhookEvent.TRANCHE_PAID,
                payload="{}",
            )
        )
        db.session.flush()


def test_another_organisations_endpoint_and_log_are_not_found(receiver, client, sign_in):
    organisation = ngo_organisation(name="Mine")
    endpoint = _endpoint(receiver, organisation.id)
    stranger = applicant_of(ngo_organisation(name="Other"))
    sign_in(stranger)
    assert client.get(f"/integrations/webhooks/{endpoint.id}").status_code == 404
    assert client.post(f"/integrations/webhooks/{endpoint.id}/disable").status_code == 404
    assert endpoint.url not in client.get("/integrations/webhooks/").get_data(as_text=True)
    with pytest.raises(PermissionDenied):
        webhooks.register_endpoint(
            actor=stranger,
            organisation_id=organisation.id,
            url=receiver.url,
            events=[WebhookEvent.TRANCHE_PAID],
            allow_private=True,
        )


def test_an_organisation_registers_an_endpoint_on_its_page(receiver, client, sign_in):
    organisation = ngo_organisation()
    sign_in(applicant_of(organisation))
    response = client.post(
        "/integrations/webhooks/",
        data={"url": receiver.url, "events": ["tranche.paid"], "owner": str(organisation.id)},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "whsec_" in page and receiver.url in page
    assert db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "webhook_endpoint.registered")
    ).one()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/hook",  # not https
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.0.0.5/hook",
        "https://169.254.169.254/latest/meta-data",  # the cloud's metadata service
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://192.168.1.1:8443/hook",
        "not a url",
    ],
)
def test_private_and_loopback_addresses_are_refused(url):
    with pytest.raises(ValidationFailed):
        webhooks.check_destination(url, allow_private=False)


def test_a_public_https_address_is_accepted():
    webhooks.check_destination("https://93.184.215.14/hook", allow_private=False)


def test_the_sender_checks_the_address_again(app, receiver):
    organisation = ngo_organisation()
    _endpoint(receiver, organisation.id)  # registered while loopback was allowed
    withdraw_application(
        actor=applicant_of(organisation), application=started_application(organisation=organisation)
    )
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = False
    done = deliver_due()
    assert done.retrying == 1 and receiver.received == []
    delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
    assert "https" in (delivery.last_error or "")
    assert utcnow() < delivery.next_attempt_at
