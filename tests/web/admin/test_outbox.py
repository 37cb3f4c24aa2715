"""The administrator's outbox page: failed e-mails shown first, sent again with a button."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.sending import send_due
from app.outbox.services import queue_email
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.factories import user_with
from tests.mail import smtp_mailbox
from tests.web.auth.helpers import audit_events


@pytest.fixture
def admin(sign_in):
    user = user_with(Role.ADMIN, full_name="Ada Admin", email="ada@example.org")
    sign_in(user)
    return user


@pytest.fixture
def failed_message(app, dead_mail_server, monkeypatch) -> OutboxMessage:
    """An invitation the mail server refused on every attempt."""
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 2)
    queue_email(
        to="rita@example.org",
        subject="You are invited",
        body="Choose your password: http://localhost/reset/secret-token",
    )
    db.session.commit()
    later = utcnow()
    for _ in range(2):
        later += timedelta(days=1)
        send_due(now=later)
    message = db.session.execute(select(OutboxMessage)).scalar_one()
    assert message.status == OutboxStatus.FAILED
    return message


def test_the_administrator_sees_a_failed_e_mail_and_why_but_not_its_link(
    client, admin, failed_message
):
    page = client.get("/admin/outbox?status=failed").get_data(as_text=True)

    assert "rita@example.org" in page
    assert "You are invited" in page
    assert "Connection refused" in page
    assert "Send again" in page
    assert "secret-token" not in page  # the body carries sign-in links: never shown


def test_sending_again_is_audited_and_delivers_once_the_server_is_back(
    app, client, admin, failed_message
):
    response = client.post(f"/admin/outbox/{failed_message.id}/retry", follow_redirects=True)
    assert "will be sent again" in response.get_data(as_text=True)
    db.session.refresh(failed_message)
    assert failed_message.status == OutboxStatus.PENDING
    [event] = audit_events("outbox.retry")
    assert event.actor_id == admin.id

    with smtp_mailbox(app, port=app.config["MAIL_PORT"]) as back:
        assert back.link("rita@example.org") == "/reset/secret-token"
    db.session.refresh(failed_message)
    assert failed_message.status == OutboxStatus.SENT


def test_only_a_failed_e_mail_can_be_sent_again(client, admin):
    queue_email(to="rita@example.org", subject="Hello", body="b")
    db.session.commit()
    message = db.session.execute(select(OutboxMessage)).scalar_one()

    response = client.post(f"/admin/outbox/{message.id}/retry", follow_redirects=True)

    assert "Only an e-mail that could not be sent" in response.get_data(as_text=True)
    assert audit_events("outbox.retry") == []


@pytest.mark.parametrize("role", [Role.FUND_MANAGER, Role.FINANCE, Role.AUDITOR, Role.DONOR])
def test_other_roles_may_not_see_or_retry_the_outbox(client, sign_in, role, failed_message):
    sign_in(user_with(role))
    assert client.get("/admin/outbox").status_code == 403
    assert client.post(f"/admin/outbox/{failed_message.id}/retry").status_code == 403
