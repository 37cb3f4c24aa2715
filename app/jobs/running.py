"""Running due jobs: each claimed by one worker, built to a temporary file with its progress
written as it goes, then stored (app/platform/storage.py) for a while; and deleting the files
whose time is up (``purge_expired``).

Called by the Celery task (app/tasks.py), by `flask jobs run` and by `flask outbox send --loop`
(the `make run` worker), and directly by the tests. Safe to run in several processes at once
(app/jobs/services.py, claim_next). Each job's log lines carry the id of the request that queued
it.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import sqlalchemy as sa

from app.audit.services import record_event
from app.jobs.kinds import kind_named
from app.jobs.models import Job
from app.jobs.services import (
    MAX_ATTEMPTS,
    claim_next,
    expired_with_files,
    progress_values,
    record_done,
    record_failed,
)
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.logging import bound_request_id
from app.platform.settings import settings
from app.platform.storage import get_storage

logger = logging.getLogger(__name__)

_SPOOL_IN_MEMORY = 1024 * 1024
_PROGRESS_EVERY_SECONDS = 1.0


@dataclass
class Ran:
    done: int = 0
    failed: int = 0


class _Progress:
    """Writes how far a job got, at most once a second, renewing its claim.

    On PostgreSQL through a connection of its own, committed at once, so the job page sees it
    while the job's own transaction still streams its rows (a server-side cursor, which a commit
    would close). SQLite has one writer at a time: there the figure is written in the job's own
    transaction and seen when the job ends.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.done = 0
        self.written_at = time.monotonic()
        self.separate = db.session.get_bind().dialect.name == "postgresql"

    def __call__(self, done: int) -> None:
        self.done = done
        if time.monotonic() - self.written_at >= _PROGRESS_EVERY_SECONDS:
            self.write()

    def write(self) -> None:
        self.written_at = time.monotonic()
        table = cast(sa.Table, Job.__table__)
        update = (
            sa.update(table)
            .where(table.c.id == self.job_id)
            .values(**progress_values(self.done, now=utcnow()))
        )
        if self.separate:
            with db.engine.begin() as connection:
                connection.execute(update)
        else:
            db.session.execute(update)


def run_due(*, limit: int = 10) -> Ran:
    """Run the due jobs one after the other, at most ``limit`` of them."""
    ran = Ran()
    for _ in range(limit):
        job = claim_next(now=utcnow())
        db.session.commit()  # the claim holds while the job runs
        if job is None:
            break
        if run_job(job):
            ran.done += 1
        else:
            ran.failed += 1
    return ran


def run_job(job: Job) -> bool:
    """Build the claimed job's file and store it; True when it is ready, False when it failed."""
    job_id = job.id
    with bound_request_id(job.request_id):
        if job.attempts > MAX_ATTEMPTS:
            return _failed(job_id, "The worker stopped each time it made this file.")
        kind = kind_named(job.kind)
        if kind is None:
            return _failed(job_id, f"No worker knows the job kind {job.kind!r}.")
        logger.info("job %s (%s) started, attempt %s", job_id, job.kind, job.attempts)
        progress = _Progress(job_id)
        try:
            with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as target:
                built = kind.build(dict(job.parameters), target, progress)
                target.seek(0)
                key = get_storage().save(target.read())
        except Exception as error:
            db.session.rollback()
            logger.exception("job %s (%s) failed", job_id, job.kind)
            return _failed(job_id, f"{type(error).__name__}: {error}")
        found = db.session.get(Job, job_id, populate_existing=True)
        assert found is not None
        record_done(
            job=found,
            result_key=key,
            file_name=built.file_name,
            content_type=built.content_type,
            now=utcnow(),
            keep_hours=settings().jobs.keep_hours,
        )
        db.session.commit()
        logger.info("job %s (%s) done: %s rows", job_id, found.kind, progress.done)
        return True


def _failed(job_id: int, error: str) -> bool:
    found = db.session.get(Job, job_id, populate_existing=True)
    if found is not None:
        record_failed(job=found, error=error, now=utcnow())
        db.session.commit()
    logger.warning("job %s failed: %s", job_id, error)
    return False


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete the files of jobs whose download time has passed; returns how many. The job rows
    stay (who asked for what, and when); one audit event per run that deletes any. Flushes, the
    caller commits."""
    moment = now or utcnow()
    storage = get_storage()
    deleted = 0
    for job in expired_with_files(now=moment):
        if job.result_key:
            storage.delete(job.result_key)
        job.result_key = None
        deleted += 1
    if deleted:
        record_event(
            actor=None,
            action="job.files_purged",
            summary=f"Files of {deleted} finished job(s) deleted after their download time",
            subject_type=Job.__tablename__,
            changes={"deleted": deleted, "before": moment.isoformat()},
        )
    return deleted
