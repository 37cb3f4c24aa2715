"""A job: work a page asked for, done by a worker, whose result is a file kept a few hours."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.platform.db import Model, UTCDateTime, str_enum, utcnow


class JobStatus(StrEnum):
    QUEUED = "queued"  # waiting for a worker
    RUNNING = "running"  # claimed by one worker until claimed_until
    DONE = "done"  # its file is ready (until expires_at)
    FAILED = "failed"  # the error says why; the requester starts it again


class Job(Model):
    """One piece of long work and its result. Written in the transaction of the request that
    asks for it (as an outbox message is), so the request's id goes with it into the logs."""

    __tablename__ = "jobs"
    __table_args__ = (
        sa.Index("ix_jobs_due", "status", "id"),
        sa.Index("ix_jobs_requested_by_id", "requested_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(64))
    parameters: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[JobStatus] = mapped_column(
        str_enum(JobStatus, "job_status"), default=JobStatus.QUEUED
    )
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(default=0)
    # A running job whose worker died is due again once this has passed.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The file (app/platform/storage.py), its name and type; the key is emptied when it expires.
    result_key: Mapped[str | None] = mapped_column(sa.String(64))
    file_name: Mapped[str | None] = mapped_column(sa.String(255))
    content_type: Mapped[str | None] = mapped_column(sa.String(200))
    error: Mapped[str | None] = mapped_column(sa.Text)
    request_id: Mapped[str | None] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
