"""Queueing a job, letting one worker claim it, recording how far it got, fetching its file, and
deleting files whose time is up.

``enqueue`` writes the job in the caller's transaction (as ``queue_email`` writes an e-mail): it
exists only if the request that asks for it commits, and it carries that request's id, so the
worker's log lines about it join the request's. The running itself is app/jobs/running.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.accounts.permissions import has_permission
from app.audit.services import record_event
from app.jobs.kinds import kind_named
from app.jobs.models import Job, JobStatus
from app.platform.db import utcnow
from app.platform.errors import N_, Conflict, NotFound
from app.platform.extensions import db
from app.platform.logging import current_request_id

# A worker that stops answering (its progress no longer written) frees its job after this long,
# and a job whose worker died this many times is failed rather than tried again.
CLAIM_SECONDS = 300
MAX_ATTEMPTS = 3


def enqueue(
    *, actor: Any, kind: str, parameters: Mapping[str, Any], total: int | None = None
) -> Job:
    """Queue a job of ``kind`` in the current transaction (audited); the caller commits."""
    if kind_named(kind) is None:
        raise ValueError(f"no job kind {kind!r} is registered")
    job = Job(
        kind=kind,
        parameters=dict(parameters),
        requested_by_id=getattr(actor, "id", None),
        status=JobStatus.QUEUED,
        progress_done=0,
        progress_total=total,
        attempts=0,
        request_id=current_request_id(),
        created_at=utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    record_event(
        actor=actor,
        action="job.queued",
        subject=job,
        summary=f"Job {job.id} ({kind}) queued",
        changes={"parameters": dict(parameters), "total": total},
    )
    return job


def _due(now: datetime) -> sa.ColumnElement[bool]:
    """Queued, or running for a worker that stopped renewing its claim."""
    return sa.or_(
        Job.status == JobStatus.QUEUED,
        sa.and_(Job.status == JobStatus.RUNNING, Job.claimed_until < now),
    )


def claim_next(*, now: datetime, session: Session | None = None) -> Job | None:
    """Take the oldest due job for this worker, or None; the caller commits at once.

    On PostgreSQL the row is read ``FOR UPDATE SKIP LOCKED``: a second worker claiming at the
    same moment skips it and takes the next. On SQLite (one process, no row locks) the UPDATE
    matches only while the job is still due, so of two claimers only one gets it.
    """
    writer = session if session is not None else db.session
    found = writer.execute(
        sa.select(Job.id)
        .where(_due(now))
        .order_by(Job.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).scalar_one_or_none()
    if found is None:
        return None
    result = writer.execute(
        sa.update(Job)
        .where(Job.id == found, _due(now))
        .values(
            status=JobStatus.RUNNING,
            attempts=Job.attempts + 1,
            claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
            started_at=now,
            progress_done=0,
        )
        .execution_options(synchronize_session=False)
    )
    if cast(Any, result).rowcount != 1:
        return None
    job = writer.get(Job, found, populate_existing=True)
    return job


def progress_values(done: int, *, now: datetime) -> dict[str, Any]:
    """What a progress report writes: how far, and the claim renewed."""
    return {"progress_done": done, "claimed_until": now + timedelta(seconds=CLAIM_SECONDS)}


def record_done(
    *, job: Job, result_key: str, file_name: str, content_type: str, now: datetime, keep_hours: int
) -> None:
    job.status = JobStatus.DONE
    job.result_key = result_key
    job.file_name = file_name
    job.content_type = content_type
    job.finished_at = now
    job.expires_at = now + timedelta(hours=keep_hours)
    job.claimed_until = None
    job.error = None
    if job.progress_total is not None:
        job.progress_done = job.progress_total


def record_failed(*, job: Job, error: str, now: datetime) -> None:
    job.status = JobStatus.FAILED
    job.error = error[:2000]
    job.finished_at = now
    job.claimed_until = None


@dataclass(frozen=True)
class JobView:
    """What the job page and its JSON say about a job."""

    job: Job
    label: str  # msgid
    expired: bool

    @property
    def percent(self) -> int | None:
        total = self.job.progress_total
        if self.job.status == JobStatus.DONE:
            return 100
        if not total:
            return None
        return min(100, self.job.progress_done * 100 // total)


def _may_see(job: Job, user: Any) -> bool:
    kind = kind_named(job.kind)
    if kind is None:
        return False
    if job.requested_by_id is not None and job.requested_by_id == getattr(user, "id", None):
        return all(has_permission(user, permission) for permission in kind.permissions)
    return kind.overseen_with is not None and has_permission(user, kind.overseen_with)


def job_for(*, actor: Any, job_id: int, now: datetime | None = None) -> JobView:
    """The job as ``actor`` may see it: the requester (still holding the kind's permissions) or
    someone holding its overseeing permission. Anyone else is told it does not exist."""
    job = db.session.get(Job, job_id)
    if job is None or not _may_see(job, actor):
        raise NotFound(N_("There is no such file."))
    kind = kind_named(job.kind)
    assert kind is not None
    moment = now or utcnow()
    expired = job.status == JobStatus.DONE and (
        job.result_key is None or (job.expires_at is not None and job.expires_at <= moment)
    )
    return JobView(job=job, label=kind.label, expired=expired)


class FileExpired(Conflict):
    """The job's file was deleted when its time was up."""

    status_code = 410


def file_to_download(*, actor: Any, job_id: int, now: datetime | None = None) -> Job:
    """The finished job whose file ``actor`` may fetch (the page that sends it audits the
    download); refused while it is not ready, and after it expired, with a message saying so."""
    view = job_for(actor=actor, job_id=job_id, now=now)
    job = view.job
    if job.status != JobStatus.DONE:
        raise Conflict(N_("This file is not ready yet."))
    if view.expired:
        raise FileExpired(
            N_("This file is no longer kept: files are deleted after a while. Make it again.")
        )
    return job


def expired_with_files(*, now: datetime, limit: int = 500) -> list[Job]:
    """Finished jobs whose download time has passed and whose file is still stored."""
    return list(
        db.session.execute(
            sa.select(Job)
            .where(
                Job.status == JobStatus.DONE,
                Job.result_key.is_not(None),
                Job.expires_at <= now,
            )
            .order_by(Job.id)
            .limit(limit)
        ).scalars()
    )
