"""Jobs: queued with the request that asks for them, claimed by one worker, built with their
progress recorded, kept for a while, then deleted; refused to anyone but the requester (or an
overseer), and after they expire."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest

from app.accounts.models import Role
from app.accounts.permissions import Permission
from app.audit.models import AuditEvent
from app.jobs.kinds import BuiltFile, JobKind, register_kind
from app.jobs.models import JobStatus
from app.jobs.running import purge_expired, run_due
from app.jobs.services import (
    FileExpired,
    claim_next,
    enqueue,
    file_to_download,
    job_for,
)
from app.platform.db import utcnow
from app.platform.errors import Conflict, NotFound
from app.platform.extensions import db
from app.platform.logging import bound_request_id
from app.platform.storage import get_storage
from tests.factories import user_with

ROWS = 5


def _build(parameters: Any, target: io.BufferedIOBase, progress: Any) -> BuiltFile:
    if parameters.get("fail"):
        raise RuntimeError("the data could not be read")
    for done in range(1, ROWS + 1):
        target.write(f"row {done}\n".encode())
        progress(done)
    return BuiltFile(file_name="rows.txt", content_type="text/plain")


@pytest.fixture(autouse=True)
def _test_kind() -> None:
    register_kind(
        JobKind(
            name="test.rows",
            label="Rows",
            build=_build,
            permissions=(Permission.EXPORT_DATA,),
            overseen_with=Permission.VIEW_AUDIT_LOG,
        )
    )


def test_a_job_is_queued_with_the_request_id_and_audited():
    manager = user_with(Role.FUND_MANAGER)
    with bound_request_id("req-0123456789ab"):
        job = enqueue(actor=manager, kind="test.rows", parameters={"n": 1}, total=ROWS)
    db.session.commit()

    assert job.status == JobStatus.QUEUED
    assert job.request_id == "req-0123456789ab"
    assert job.requested_by_id == manager.id
    event = db.session.query(AuditEvent).filter_by(action="job.queued").one()
    assert event.subject_id == str(job.id) or event.subject_id == job.id


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="no job kind"):
        enqueue(actor=None, kind="nobody.knows", parameters={})


def test_the_worker_builds_the_file_records_progress_and_keeps_it_until_it_expires(app):
    manager = user_with(Role.FUND_MANAGER)
    job = enqueue(actor=manager, kind="test.rows", parameters={}, total=ROWS)
    db.session.commit()

    ran = run_due()

    assert (ran.done, ran.failed) == (1, 0)
    db.session.refresh(job)
    assert job.status == JobStatus.DONE
    assert job.progress_done == ROWS and job.attempts == 1
    assert job.file_name == "rows.txt" and job.content_type == "text/plain"
    assert job.expires_at - job.finished_at == timedelta(hours=24)
    stored = get_storage().open(job.result_key)
    assert stored is not None and stored.read().startswith(b"row 1\n")
    assert job_for(actor=manager, job_id=job.id).percent == 100
    assert file_to_download(actor=manager, job_id=job.id).id == job.id

    # Its time passes: the file is deleted, the record of who asked for it stays.
    key = job.result_key
    assert purge_expired(now=job.expires_at + timedelta(seconds=1)) == 1
    db.session.commit()
    assert get_storage().open(key) is None
    db.session.refresh(job)
    assert job.result_key is None
    with pytest.raises(FileExpired) as refused:
        file_to_download(actor=manager, job_id=job.id)
    assert refused.value.status_code == 410
    assert "no longer kept" in str(refused.value)
    assert purge_expired(now=utcnow() + timedelta(days=2)) == 0


def test_after_its_expiry_time_the_file_is_refused_even_before_the_purge():
    manager = user_with(Role.FUND_MANAGER)
    job = enqueue(actor=manager, kind="test.rows", parameters={}, total=ROWS)
    db.session.commit()
    run_due()
    db.session.refresh(job)
    with pytest.raises(FileExpired):
        file_to_download(actor=manager, job_id=job.id, now=job.expires_at)


def test_a_failing_job_is_recorded_failed_with_its_error():
    manager = user_with(Role.FUND_MANAGER)
    job = enqueue(actor=manager, kind="test.rows", parameters={"fail": True})
    db.session.commit()

    assert run_due().failed == 1
    db.session.refresh(job)
    assert job.status == JobStatus.FAILED
    assert "the data could not be read" in job.error
    with pytest.raises(Conflict):
        file_to_download(actor=manager, job_id=job.id)


def test_only_the_requester_or_an_overseer_sees_a_job():
    manager = user_with(Role.FUND_MANAGER)
    other_manager = user_with(Role.FUND_MANAGER)
    auditor = user_with(Role.AUDITOR)
    job = enqueue(actor=manager, kind="test.rows", parameters={})
    db.session.commit()

    assert job_for(actor=manager, job_id=job.id).job is job
    assert job_for(actor=auditor, job_id=job.id).job is job
    with pytest.raises(NotFound):
        job_for(actor=other_manager, job_id=job.id)
    with pytest.raises(NotFound):
        job_for(actor=manager, job_id=job.id + 1000)


def test_a_claimed_job_is_not_claimed_again_until_its_worker_stops_answering():
    job = enqueue(actor=None, kind="test.rows", parameters={})
    db.session.commit()
    now = utcnow()

    assert claim_next(now=now).id == job.id
    db.session.commit()
    assert claim_next(now=now) is None
    # The worker died: once its claim has passed, another worker takes the job again.
    again = claim_next(now=now + timedelta(minutes=10))
    assert again is not None and again.id == job.id and again.attempts == 2


def test_a_job_whose_worker_died_each_time_is_failed():
    job = enqueue(actor=None, kind="test.rows", parameters={})
    job.attempts = 3
    job.status = JobStatus.RUNNING
    job.claimed_until = utcnow() - timedelta(seconds=1)
    db.session.commit()

    assert run_due().failed == 1
    db.session.refresh(job)
    assert job.status == JobStatus.FAILED


def test_the_worker_logs_a_job_with_the_id_of_the_request_that_queued_it(caplog):
    with bound_request_id("req-feedbeef0042"):
        enqueue(actor=None, kind="test.rows", parameters={})
    db.session.commit()
    seen: list[str | None] = []

    import logging

    from app.platform.logging import current_request_id

    class Probe(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.name == "app.jobs.running":
                seen.append(current_request_id())

    probe = Probe()
    logging.getLogger("app.jobs.running").addHandler(probe)
    try:
        run_due()
    finally:
        logging.getLogger("app.jobs.running").removeHandler(probe)
    assert seen and set(seen) == {"req-feedbeef0042"}


def test_the_celery_task_and_the_outbox_loop_run_the_due_jobs(app, runner):
    from app.tasks import RUN_JOBS

    enqueue(actor=None, kind="test.rows", parameters={})
    db.session.commit()
    assert app.extensions["celery"].tasks[RUN_JOBS].apply().get() == {"done": 1, "failed": 0}

    enqueue(actor=None, kind="test.rows", parameters={})
    db.session.commit()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "1 job(s) done, 0 failed." in result.output
    result = runner.invoke(args=["jobs", "run"])
    assert "0 job(s) done, 0 failed." in result.output
    assert "Files of 0 job(s) deleted." in runner.invoke(args=["jobs", "purge"]).output
