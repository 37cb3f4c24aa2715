"""Writing e-mails to the outbox, and the bookkeeping of sending them.

``queue_email`` writes the message in the caller's transaction: it is sent only if that
transaction commits, and it is not lost if the mail server is down when it does. The sending
itself (SMTP) is outside the domain (app/outbox/sending.py): it claims a due message, sends it, and
records here whether it went. A message that keeps failing is retried with a growing pause,
then marked failed for the administrator, who may send it again (audited).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.audit.services import record_event
from app.outbox.models import OutboxMessage, OutboxStatus
from app.platform.db import utcnow
from app.platform.errors import N_, Conflict
from app.platform.extensions import db
from app.platform.logging import current_request_id


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a message is tried before it is shown as failed."""

    max_attempts: int = 8
    first_pause_seconds: int = 30
    longest_pause_seconds: int = 3600
    # A claimed message not recorded sent or failed within this time (the sender died) is due
    # again; it may then be sent twice, which its Message-ID makes harmless.
    claim_seconds: int = 300

    def pause_after(self, attempts: int) -> timedelta:
        """30 s, 1 min, 2 min, 4 min... up to an hour, after the nth failed attempt."""
        seconds = self.first_pause_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.longest_pause_seconds))


@dataclass(frozen=True)
class Email:
    """One e-mail to queue (``queue_emails``); the fields are ``queue_email``'s."""

    to: str
    subject: str
    body: str
    key: str | None = None
    text_version_id: int | None = None


def queue_email(
    *,
    to: str,
    subject: str,
    body: str,
    key: str | None = None,
    session: Session | None = None,
    text_version_id: int | None = None,
) -> str:
    """Write an e-mail to the outbox in the current transaction; returns its idempotency key.

    The same ``key`` queued again (a webhook delivered twice, a retried job) keeps the first
    message and adds nothing. Without a key, every call is a message of its own.
    ``text_version_id`` names the staff-edited text it was written from (app/texts/), if any.
    """
    email = Email(to=to, subject=subject, body=body, key=key, text_version_id=text_version_id)
    return queue_emails([email], session=session)[0]


def queue_emails(emails: Sequence[Email], *, session: Session | None = None) -> list[str]:
    """``queue_email`` for many e-mails in one statement (one round trip to the database):
    a hand-off may tell every member of staff. Returns their keys, in order."""
    if not emails:
        return []
    writer: Any = session if session is not None else db.session
    now = utcnow()
    request_id = current_request_id()
    keys = [email.key or f"email:{uuid.uuid4().hex}" for email in emails]
    rows = [
        {
            "idempotency_key": key,
            "recipient": email.to,
            "subject": email.subject[:500],
            "body": email.body,
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "request_id": request_id,
            "text_version_id": email.text_version_id,
        }
        for key, email in zip(keys, emails, strict=True)
    ]
    table = cast(sa.Table, OutboxMessage.__table__)
    dialect = writer.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    writer.execute(
        insert(table).values(rows).on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    return keys


def message_id(message: OutboxMessage, domain: str) -> str:
    """The Message-ID header, the same on every attempt: a receiving server that got the
    message already can tell a second copy (and mail readers show it once)."""
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def due_message_ids(*, now: datetime, limit: int = 100) -> list[int]:
    """Pending messages whose time has come, oldest first."""
    return list(
        db.session.execute(
            sa.select(OutboxMessage.id)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        ).scalars()
    )


def claim_message(*, message_id: int, now: datetime, policy: RetryPolicy) -> bool:
    """Take a due message for one sender: True when this caller got it.

    One UPDATE that only matches while the message is still due, so of two senders (two
    workers, a worker and `flask outbox send`) only one gets it. The attempt is counted now and
    the message put out of reach for ``claim_seconds``; the caller commits before sending.
    """
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(
            attempts=OutboxMessage.attempts + 1,
            next_attempt_at=now + timedelta(seconds=policy.claim_seconds),
        )
        .execution_options(synchronize_session=False)
    )
    return cast(Any, result).rowcount == 1


def record_sent(*, message: OutboxMessage, now: datetime) -> None:
    message.status = OutboxStatus.SENT
    message.sent_at = now
    message.last_error = None


def record_failure(
    *, message: OutboxMessage, error: str, now: datetime, policy: RetryPolicy
) -> None:
    """Try again after a pause, or, after the last attempt, mark it failed for the admin."""
    message.last_error = error[:2000]
    if message.attempts >= policy.max_attempts:
        message.status = OutboxStatus.FAILED
    else:
        message.next_attempt_at = now + policy.pause_after(message.attempts)


def retry_message(*, actor: Any, message: OutboxMessage) -> OutboxMessage:
    """The administrator sends a failed message again: due now, with every attempt again."""
    if message.status != OutboxStatus.FAILED:
        raise Conflict(N_("Only an e-mail that could not be sent can be sent again."))
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    record_event(
        actor=actor,
        action="outbox.retry",
        summary=f"E-mail {message.id} to {message.recipient} queued to be sent again",
        subject=message,
        changes={"last_error": message.last_error},
    )
    return message


def purge_sent_bodies(*, before: datetime) -> int:
    """Empty the bodies of the e-mails sent before ``before``; returns how many were emptied.

    A sent body may still hold a live sign-in, confirmation or reset link, and nobody reads it
    again. The row stays: its recipient, subject and sending time are what the administrator's
    page and an inquiry need, and its idempotency key keeps a message queued again with the
    same key (a webhook delivered late) from being sent a second time. Pending and failed
    messages keep their bodies: they are still to be sent. One audit event per run that empties
    any; flushes, never commits.
    """
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.SENT,
            OutboxMessage.sent_at < before,
            OutboxMessage.body != "",
        )
        .values(body="")
        .execution_options(synchronize_session=False)
    )
    emptied = int(cast(Any, result).rowcount)
    if emptied:
        record_event(
            actor=None,
            action="outbox.purged",
            summary=f"Bodies of {emptied} e-mail(s) sent before {before:%Y-%m-%d %H:%M} UTC "
            "removed",
            subject_type=OutboxMessage.__tablename__,
            changes={"emptied": emptied, "sent_before": before.isoformat()},
        )
    return emptied


def messages_for_admin(*, status: OutboxStatus | None) -> sa.Select[Any]:
    """The outbox as the administrator sees it: failed first, then the newest."""
    query = sa.select(OutboxMessage)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    failed_first = sa.case((OutboxMessage.status == OutboxStatus.FAILED, 0), else_=1)
    return query.order_by(failed_first, OutboxMessage.id.desc())


def count_by_status() -> dict[OutboxStatus, int]:
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    ).all()
    counts = dict.fromkeys(OutboxStatus, 0)
    for status, count in rows:
        counts[OutboxStatus(status)] = count
    return counts
