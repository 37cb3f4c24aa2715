"""The outbox: an e-mail is written with the change that causes it, and sent by the worker,
again and again while the mail server is down, once it is back, and never twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.notifications import services as notices
from app.notifications.models import NotificationKind
from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.sending import send_due
from app.outbox.services import RetryPolicy, claim_message, queue_email
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.factories import user_with
from tests.mail import smtp_mailbox


def outbox() -> list[OutboxMessage]:
    return list(db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def count() -> int:
    return db.session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()


def test_a_committed_change_leaves_its_e_mail_in_the_outbox_until_the_worker_runs(mailbox):
    queue_email(to="grace@example.org", subject="Hello", body="See http://localhost/a")
    db.session.commit()

    [message] = outbox()
    assert message.status == OutboxStatus.PENDING
    assert mailbox.received == []  # nothing is sent by the change itself

    assert send_due().sent == 1
    assert [m["Subject"] for m in mailbox.received] == ["Hello"]
    db.session.refresh(message)
    assert message.status == OutboxStatus.SENT and message.sent_at is not None


def test_a_rolled_back_change_leaves_no_e_mail():
    user = user_with(Role.REVIEWER)
    db.session.commit()
    queue_email(to="grace@example.org", subject="Hello", body="body")
    notices.notify(user=user, kind=NotificationKind.ATTENTION_NEEDED, link="/a")
    db.session.rollback()
    db.session.commit()

    assert count() == 0


def test_a_notification_e_mail_is_written_in_the_commit_of_its_change():
    user = user_with(Role.REVIEWER, email="rev@example.org")
    notices.notify(user=user, kind=NotificationKind.ATTENTION_NEEDED, link="/a")
    assert count() == 0
    db.session.commit()

    [message] = outbox()
    assert message.recipient == "rev@example.org"
    assert "http://localhost/a" in message.body


def test_the_same_key_queued_twice_is_one_e_mail(mailbox):
    for _ in range(2):
        queue_email(to="grace@example.org", subject="Receipt", body="b", key="receipt:7")
        db.session.commit()

    assert count() == 1
    send_due()
    send_due()
    assert len(mailbox.received) == 1


def test_two_senders_cannot_both_take_a_message():
    queue_email(to="grace@example.org", subject="Hello", body="b")
    db.session.commit()
    [message] = outbox()
    now = utcnow()

    assert claim_message(message_id=message.id, now=now, policy=RetryPolicy())
    assert not claim_message(message_id=message.id, now=now, policy=RetryPolicy())


def test_a_message_sent_again_keeps_its_message_id(app, mailbox):
    """A sender that dies after the server took the message sends it again: same Message-ID,
    so the receiving side can tell it is a copy."""
    queue_email(to="grace@example.org", subject="Hello", body="b", key="k-1")
    db.session.commit()
    send_due()
    [message] = outbox()
    message.status = OutboxStatus.PENDING  # as if the sender died before recording "sent"
    db.session.commit()
    send_due(now=utcnow() + timedelta(seconds=app.config["OUTBOX_CLAIM_SECONDS"] + 1))

    first, second = mailbox.received
    assert first["Message-ID"] == second["Message-ID"]


def test_with_the_mail_server_down_it_waits_longer_each_time_then_is_sent_when_back(
    app, dead_mail_server
):
    queue_email(to="grace@example.org", subject="Your receipt", body="b")
    db.session.commit()
    start = utcnow()

    assert send_due(now=start).retrying == 1
    [message] = outbox()
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    assert "Connection refused" in (message.last_error or "")
    first_pause = message.next_attempt_at - start
    assert send_due(now=start).sent == 0  # not due yet

    assert send_due(now=message.next_attempt_at).retrying == 1
    db.session.refresh(message)
    assert message.attempts == 2
    assert message.next_attempt_at - start > 2 * first_pause  # a longer pause

    with smtp_mailbox(app, deliver=None, port=app.config["MAIL_PORT"]) as back:
        assert send_due(now=message.next_attempt_at).sent == 1
        assert send_due(now=message.next_attempt_at + timedelta(days=1)).sent == 0
    assert [m["Subject"] for m in back.received] == ["Your receipt"]
    db.session.refresh(message)
    assert message.status == OutboxStatus.SENT


@pytest.mark.parametrize("attempts", [3])
def test_a_message_that_keeps_failing_is_marked_failed(
    app, dead_mail_server, monkeypatch, attempts
):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", attempts)
    queue_email(to="grace@example.org", subject="Hello", body="b")
    db.session.commit()

    later = utcnow()
    for _ in range(attempts):
        later += timedelta(days=1)
        send_due(now=later)

    [message] = outbox()
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == attempts
    assert send_due(now=later + timedelta(days=1)).sent == 0  # left for the administrator


def test_flask_outbox_send_sends_what_is_due(runner, mailbox):
    queue_email(to="grace@example.org", subject="Hello", body="b")
    db.session.commit()

    result = runner.invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    assert "1 sent, 0 to try again, 0 failed." in result.output
    assert [m["Subject"] for m in mailbox.received] == ["Hello"]
