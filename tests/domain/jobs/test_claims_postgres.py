"""Two workers on two real connections to PostgreSQL: each claims a different job at the same
moment (FOR UPDATE SKIP LOCKED: the second neither waits nor takes the first's), a job's
progress is seen by the pages while the worker's own transaction is still open, and a real
Celery worker on Redis runs a committed job, logging with the id of the request that queued it."""

from __future__ import annotations

import io
import logging
import os
import time
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from celery.contrib.testing.worker import start_worker
from sqlalchemy.orm import Session

from app.accounts.permissions import Permission
from app.jobs import running
from app.jobs.kinds import BuiltFile, JobKind, register_kind
from app.jobs.models import Job, JobStatus
from app.jobs.services import claim_next, enqueue
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.logging import bound_request_id, current_request_id
from app.tasks import RUN_JOBS, celery_init_app
from tests.real_commits import committed, committed_rows_removed

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]
JOBS_REDIS_URL = os.environ.get("TEST_JOBS_REDIS_URL", "redis://127.0.0.1:6379/14")

seen_by_a_page: list[int] = []


def _build(parameters: Any, target: io.BufferedIOBase, progress: Any) -> BuiltFile:
    for done in range(1, 4):
        target.write(b"row\n")
        progress(done)
    # What the job page reads now, on a connection of its own, while this job runs.
    with db.engine.connect() as page:
        seen_by_a_page.append(
            page.execute(
                sa.select(Job.progress_done).where(Job.id == int(parameters["me"]))
            ).scalar_one()
        )
    return BuiltFile(file_name="rows.txt", content_type="text/plain")


@pytest.fixture(autouse=True)
def _kind() -> None:
    register_kind(
        JobKind(name="test.pg", label="Rows", build=_build, permissions=(Permission.EXPORT_DATA,))
    )


def test_two_workers_claiming_at_once_take_two_different_jobs_without_waiting(app):
    with committed_rows_removed(app):
        ids = committed(
            app, lambda: [enqueue(actor=None, kind="test.pg", parameters={}).id for _ in range(2)]
        )
        with app.app_context(), Session(db.engine) as first, Session(db.engine) as second:
            second.execute(sa.text("SET LOCAL lock_timeout = '2s'"))  # waiting would fail
            now = utcnow()
            claimed_first = claim_next(now=now, session=first)  # row locked, not committed
            claimed_second = claim_next(now=now, session=second)
            assert claimed_first is not None and claimed_second is not None
            assert {claimed_first.id, claimed_second.id} == set(ids)
            # Nothing is left for a third claim while both hold theirs.
            with Session(db.engine) as third:
                assert claim_next(now=now, session=third) is None
            first.commit()
            second.commit()
        with app.app_context():
            statuses = db.session.execute(
                sa.select(Job.status, Job.attempts).where(Job.id.in_(ids))
            ).all()
            assert statuses == [(JobStatus.RUNNING, 1), (JobStatus.RUNNING, 1)]
            db.session.remove()


def test_progress_is_committed_apart_so_the_page_sees_it_while_the_job_runs(app, monkeypatch):
    monkeypatch.setattr(running, "_PROGRESS_EVERY_SECONDS", 0.0)
    seen_by_a_page.clear()
    with committed_rows_removed(app):

        def queue() -> int:
            job = enqueue(actor=None, kind="test.pg", parameters={}, total=3)
            job.parameters = {"me": job.id}
            return job.id

        job_id = committed(app, queue)
        with app.app_context():
            assert running.run_due().done == 1
            job = db.session.get(Job, job_id)
            assert job is not None and job.status == JobStatus.DONE
            db.session.remove()
    assert seen_by_a_page == [3]


def test_a_real_celery_worker_on_redis_runs_a_committed_job_with_its_request_id(app):
    client = redis.Redis.from_url(JOBS_REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"Redis does not answer at {JOBS_REDIS_URL}")
    saved = app.extensions["celery"]
    root_level = logging.getLogger().level  # the worker sets the root logger's level
    app.config["CELERY_BROKER_URL"] = JOBS_REDIS_URL
    ids: list[str | None] = []

    class Probe(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.name == "app.jobs.running":
                ids.append(current_request_id())

    probe = Probe()
    logging.getLogger("app.jobs.running").addHandler(probe)
    try:
        worker_celery = celery_init_app(app)
        worker_celery.conf.worker_hijack_root_logger = False
        with committed_rows_removed(app):

            def queue() -> int:
                with bound_request_id("req-c0ffee123456"):
                    job = enqueue(actor=None, kind="test.pg", parameters={}, total=3)
                job.parameters = {"me": job.id}
                return job.id

            job_id = committed(app, queue)
            with start_worker(worker_celery, pool="solo", perform_ping_check=False):
                worker_celery.tasks[RUN_JOBS].delay()
                deadline = time.monotonic() + 20
                done = False
                while not done and time.monotonic() < deadline:
                    time.sleep(0.2)
                    with app.app_context():
                        job = db.session.get(Job, job_id)
                        done = job is not None and job.status == JobStatus.DONE
                        db.session.remove()
            assert done
            assert ids and set(ids) == {"req-c0ffee123456"}
    finally:
        logging.getLogger("app.jobs.running").removeHandler(probe)
        app.config["CELERY_BROKER_URL"] = None
        app.extensions["celery"] = saved
        saved.set_default()
        logging.getLogger().setLevel(root_level)
        client.flushdb()
        client.close()
