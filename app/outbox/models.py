"""An outbox message: one e-mail to send, written with the change that causes it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.platform.db import Model, UTCDateTime, str_enum, utcnow


class OutboxStatus(StrEnum):
    PENDING = "pending"  # to send at next_attempt_at (again, after a failure)
    SENT = "sent"
    FAILED = "failed"  # every attempt failed: shown to the administrator, who may retry it


class OutboxMessage(Model):
    """An e-mail waiting to be sent, or sent. Written in the same transaction as the change it
    announces, so a change that rolls back mails nobody, and one that commits is never lost."""

    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # One message per key: queued twice, kept once; sent twice, received as one (Message-ID).
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    recipient: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.String(500))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    # The request (or job) that wrote it: the sender's log lines about it carry the same id.
    request_id: Mapped[str | None] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The staff-edited text it was written from (app/texts/); None: the built-in wording.
    text_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("text_versions.id"), index=True
    )
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
