"""Retention: a sent e-mail's body (its sign-in and reset links) is emptied after
OUTBOX_KEEP_SENT_DAYS; who it went to, its subject and when it went stay, and so does every
message still to be sent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.sending import purge_sent
from app.outbox.services import queue_email
from app.platform.db import utcnow
from app.platform.extensions import db


def message(key: str, *, status: OutboxStatus, sent_days_ago: int | None) -> OutboxMessage:
    queue_email(to=f"{key}@example.org", subject=key, body=f"Reset: http://x/{key}", key=key)
    row = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.idempotency_key == key)
    ).scalar_one()
    row.status = status
    if sent_days_ago is not None:
        row.sent_at = utcnow() - timedelta(days=sent_days_ago)
    return row


def purge_events() -> list[AuditEvent]:
    return list(
        db.session.execute(select(AuditEvent).where(AuditEvent.action == "outbox.purged"))
        .scalars()
        .all()
    )


def test_old_sent_e_mails_lose_their_bodies_and_keep_who_what_and_when(app):
    app.config["OUTBOX_KEEP_SENT_DAYS"] = 30
    old = message("old", status=OutboxStatus.SENT, sent_days_ago=31)
    recent = message("recent", status=OutboxStatus.SENT, sent_days_ago=29)
    pending = message("pending", status=OutboxStatus.PENDING, sent_days_ago=None)
    failed = message("failed", status=OutboxStatus.FAILED, sent_days_ago=None)
    db.session.commit()
    sent_at = old.sent_at

    assert purge_sent() == 1

    db.session.expire_all()
    assert old.body == ""
    assert (old.recipient, old.subject, old.sent_at) == ("old@example.org", "old", sent_at)
    assert recent.body == "Reset: http://x/recent"
    assert pending.body == "Reset: http://x/pending"
    assert failed.body == "Reset: http://x/failed"
    [event] = purge_events()
    assert event.actor_id is None and event.changes["emptied"] == 1


def test_a_second_run_finds_nothing_and_records_nothing(app):
    message("old", status=OutboxStatus.SENT, sent_days_ago=40)
    db.session.commit()

    assert purge_sent() == 1
    assert purge_sent() == 0
    assert len(purge_events()) == 1


def test_the_emptied_message_still_keeps_its_key_so_it_is_never_queued_again(mailbox):
    message("receipt-7", status=OutboxStatus.SENT, sent_days_ago=40)
    db.session.commit()
    purge_sent()

    queue_email(to="x@example.org", subject="Receipt", body="again", key="receipt-7")
    db.session.commit()

    [row] = db.session.execute(select(OutboxMessage)).scalars().all()
    assert row.body == "" and row.status == OutboxStatus.SENT


def test_flask_outbox_purge_prints_the_count(app, runner):
    app.config["OUTBOX_KEEP_SENT_DAYS"] = 7
    message("a", status=OutboxStatus.SENT, sent_days_ago=8)
    message("b", status=OutboxStatus.SENT, sent_days_ago=9)
    message("c", status=OutboxStatus.SENT, sent_days_ago=1)
    db.session.commit()

    result = runner.invoke(args=["outbox", "purge"])

    assert result.exit_code == 0, result.output
    assert "Bodies of 2 e-mail(s) sent more than 7 day(s) ago removed." in result.output
