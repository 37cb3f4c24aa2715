"""E-mailed and published links start with PUBLIC_BASE_URL, whatever Host the request named.

Were links built from the request, ``POST /reset`` sent with ``Host: evil.example`` would mail
the victim ``http://evil.example/reset/<token>``: whoever controls that site would receive the
token and take the account. The tests send every such request to a foreign host, as the attacker
would, with ``SERVER_NAME`` unset as in production (the test settings set it, which would hide
the bug).
"""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask

from app.accounts.models import Role
from app.donations.memory_gateway import MemoryGateway
from app.notifications import services as notices
from app.notifications.models import NotificationKind
from app.platform.extensions import db
from tests.applications_support import open_call
from tests.donations_support import enable_stripe, sign, start_and_confirm
from tests.factories import UserFactory, user_with
from tests.mail import Mailbox

PUBLIC = "https://grants.example.org"
EVIL = "http://evil.example"
_LINK = re.compile(r"https?://\S+")


@pytest.fixture(autouse=True)
def public_base_url(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", PUBLIC)


def links_in(mailbox: Mailbox, address: str) -> list[str]:
    body = mailbox.body(mailbox.last(address))
    assert "evil.example" not in body
    links = _LINK.findall(body)
    assert links, f"no link in the e-mail to {address}"
    return links


def assert_only_public_links(mailbox: Mailbox, address: str) -> None:
    for link in links_in(mailbox, address):
        assert link.startswith(PUBLIC + "/"), link


def sign_in_at(client, user, base_url: str = EVIL) -> None:
    """The session cookie of ``user`` for requests to ``base_url``'s host."""
    with client.session_transaction(base_url=base_url) as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def test_a_password_reset_asked_through_a_foreign_host_links_to_the_public_site(client, mailbox):
    UserFactory(email="victim@example.org")

    client.post("/reset", data={"email": "victim@example.org"}, base_url=EVIL)

    assert_only_public_links(mailbox, "victim@example.org")
    assert links_in(mailbox, "victim@example.org")[0].startswith(PUBLIC + "/reset/")


def test_a_registration_confirmation_links_to_the_public_site(client, mailbox):
    client.post(
        "/register",
        data={
            "full_name": "Amina Diallo",
            "email": "amina@example.org",
            "account_type": "donor",
            "password": "a-long-enough-passphrase",
            "confirm": "a-long-enough-passphrase",
        },
        base_url=EVIL,
    )

    assert_only_public_links(mailbox, "amina@example.org")
    assert links_in(mailbox, "amina@example.org")[0].startswith(PUBLIC + "/confirm/")


def test_an_invitation_links_to_the_public_site(client, mailbox):
    sign_in_at(client, user_with(Role.ADMIN, email="ada@example.org"))

    response = client.post(
        "/admin/users/invite",
        data={"full_name": "Rita Reviewer", "email": "rita@example.org", "roles": ["reviewer"]},
        base_url=EVIL,
    )

    assert response.status_code == 302
    assert_only_public_links(mailbox, "rita@example.org")


def test_a_notification_sent_during_a_request_links_to_the_public_site(app, mailbox):
    user = user_with(Role.REVIEWER)
    with app.test_request_context("/", base_url=EVIL):
        notices.notify(user=user, kind=NotificationKind.ATTENTION_NEEDED, link="/somewhere")
        db.session.commit()

    assert links_in(mailbox, user.email) == [PUBLIC + "/somewhere"]


def test_a_receipt_and_its_stop_link_point_to_the_public_site(app, client, monkeypatch, mailbox):
    gateway = enable_stripe(app, monkeypatch, MemoryGateway())
    subscription = start_and_confirm(gateway, monthly=True, email="giver@example.org")
    invoice = gateway.get(gateway.get(subscription.stripe_subscription_id)["latest_invoice"])
    body = json.dumps(gateway.event("invoice.paid", invoice)).encode()

    response = client.post(
        "/webhooks/stripe",
        data=body,
        headers={"Stripe-Signature": sign(body), "Content-Type": "application/json"},
        base_url=EVIL,
    )

    assert response.status_code == 200, response.get_json()
    links = links_in(mailbox, "giver@example.org")
    assert any("/receipts/r/" in link for link in links)
    assert any("/give/stop/" in link for link in links)
    assert_only_public_links(mailbox, "giver@example.org")


def test_the_public_api_names_calls_by_their_public_address(client):
    open_call()

    calls = client.get("/api/v1/calls", base_url=EVIL).get_json()["calls"]

    assert calls and all(call["url"].startswith(PUBLIC + "/calls/") for call in calls)
