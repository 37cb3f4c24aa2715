"""Sending the outbox: every due message, each claimed, sent and recorded in commits of its own;
and forgetting the bodies of messages sent long ago (``purge_sent``).

Called by the Celery worker's task (app/tasks.py), by `flask outbox send` (cron, `make run`)
and directly by the tests. Safe to run in several processes at once: a message is claimed by
one sender only (app/outbox/services.py, claim_message).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app  # noqa: TID251 - the sender's loop, run like a command

from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.services import (
    RetryPolicy,
    claim_message,
    due_message_ids,
    message_id,
    purge_sent_bodies,
    record_failure,
    record_sent,
)
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.logging import bound_request_id
from app.platform.mail import MailNotSent, deliver_email


@dataclass
class Dispatched:
    """What one pass did: sent, to be tried again later, or given up (shown to the admin)."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0


def retry_policy() -> RetryPolicy:
    config = current_app.config
    return RetryPolicy(
        max_attempts=config["OUTBOX_MAX_ATTEMPTS"],
        first_pause_seconds=config["OUTBOX_FIRST_PAUSE_SECONDS"],
        longest_pause_seconds=config["OUTBOX_LONGEST_PAUSE_SECONDS"],
        claim_seconds=config["OUTBOX_CLAIM_SECONDS"],
    )


def send_due(*, limit: int = 100, now: datetime | None = None) -> Dispatched:
    """Send the messages due at ``now`` (default: the present), at most ``limit`` of them."""
    policy = retry_policy()
    moment = now or utcnow()
    sender = str(current_app.config["MAIL_DEFAULT_SENDER"])
    domain = sender.rpartition("@")[2] or "localhost"
    done = Dispatched()
    for due_id in due_message_ids(now=moment, limit=limit):
        claimed = claim_message(message_id=due_id, now=moment, policy=policy)
        db.session.commit()  # the claim holds whatever happens while sending
        if not claimed:
            continue  # another sender took it
        message = db.session.get(OutboxMessage, due_id)
        if message is None:
            continue
        # The sender's lines about this message carry the id of the request that wrote it.
        with bound_request_id(message.request_id):
            _send_one(message, done=done, now=moment, policy=policy, domain=domain)
        db.session.commit()
    return done


def _send_one(
    message: OutboxMessage, *, done: Dispatched, now: datetime, policy: RetryPolicy, domain: str
) -> None:
    try:
        deliver_email(
            to=message.recipient,
            subject=message.subject,
            body=message.body,
            message_id=message_id(message, domain),
        )
    except MailNotSent as error:
        record_failure(message=message, error=str(error), now=now, policy=policy)
        failed = message.status == OutboxStatus.FAILED
        current_app.logger.warning(
            "E-mail %s to %s not sent (attempt %s%s): %s",
            message.id,
            message.recipient,
            message.attempts,
            ", given up" if failed else "",
            error,
        )
        if failed:
            done.failed += 1
        else:
            done.retrying += 1
    else:
        record_sent(message=message, now=utcnow())
        current_app.logger.info("E-mail %s sent (attempt %s)", message.id, message.attempts)
        done.sent += 1


def purge_sent(*, now: datetime | None = None) -> int:
    """Empty the bodies of e-mails sent more than OUTBOX_KEEP_SENT_DAYS ago; returns how many.
    Run daily by the beat and by `flask outbox purge`, which commit; a second run finds nothing
    left to empty."""
    keep = timedelta(days=int(current_app.config["OUTBOX_KEEP_SENT_DAYS"]))
    return purge_sent_bodies(before=(now or utcnow()) - keep)
