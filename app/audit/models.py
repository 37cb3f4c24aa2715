"""The audit log and its seals. A database trigger rejects UPDATE and DELETE on both (see
migrations); the seals' hash chain (app/audit/chain.py) catches a change made around it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.platform.db import APPEND_ONLY, Model, UTCDateTime, utcnow


class AuditEvent(Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_subject", "subject_type", "subject_id"),
        APPEND_ONLY,
    )

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # No foreign key: the log outlives whatever it mentions, and must never block a change.
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    subject_type: Mapped[str | None] = mapped_column(sa.String(60))
    subject_id: Mapped[str | None] = mapped_column(sa.String(60))
    summary: Mapped[str] = mapped_column(sa.String(500))
    changes: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    ip: Mapped[str | None] = mapped_column(sa.String(64))


class AuditCheckpoint(Model):
    """A seal of the audit log: the hash chain over every event up to ``last_event_id``.

    Append-only. Events with first_event_id <= id <= last_event_id are covered (ids have gaps
    where a transaction rolled back; the count says how many events there are).
    """

    __tablename__ = "audit_checkpoints"
    __table_args__ = (APPEND_ONLY,)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_event_id: Mapped[int] = mapped_column(sa.BigInteger)
    last_event_id: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    event_count: Mapped[int] = mapped_column(sa.Integer)
    previous_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sealed_by_id: Mapped[int | None] = mapped_column(sa.Integer)
