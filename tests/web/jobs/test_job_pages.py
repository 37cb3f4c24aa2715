"""An export over EXPORT_JOB_THRESHOLD_ROWS: the page sends the user to the job's page, which
shows the progress (refreshing itself), then a download link; the file is the one the immediate
download gives, fetched by the requester (or an auditor) only, audited, and refused once
expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.jobs.models import Job, JobStatus
from app.jobs.running import run_due
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.factories import user_with
from tests.reporting_support import build_scenario
from tests.settings_support import change_settings


@pytest.fixture
def scenario(app):
    return build_scenario()


def _export_url(table: str = "contributions", format_: str = "csv") -> str:
    today = utcnow().date()
    start = today - timedelta(days=1)
    return f"/reports/exports?table={table}&format={format_}&start={start}&end={today}"


def test_a_large_export_is_made_by_a_worker_and_downloaded_from_its_page(
    app, client, sign_in, scenario, monkeypatch
):
    manager = user_with(Role.FUND_MANAGER)
    sign_in(manager)
    immediate = client.get(_export_url(), buffered=True)
    assert immediate.status_code == 200  # under the threshold: the file at once

    change_settings(monkeypatch, app, "jobs", export_threshold_rows=2)
    response = client.get(_export_url())
    assert response.status_code == 303
    job = db.session.execute(select(Job)).scalar_one()
    assert response.location.endswith(f"/jobs/{job.id}")
    assert job.status == JobStatus.QUEUED and job.progress_total == 4
    assert job.requested_by_id == manager.id

    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Waiting for a worker to start." in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert "js/jobs.js" in page
    assert client.get(f"/jobs/{job.id}.json").get_json()["status"] == "queued"

    assert run_due().done == 1

    state = client.get(f"/jobs/{job.id}.json").get_json()
    assert state["status"] == "done" and state["percent"] == 100 and state["finished"]
    assert state["download_url"] == f"/jobs/{job.id}/download"
    assert state["kept_until"].startswith("The file is kept until ")
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Your file is ready." in page and f'href="/jobs/{job.id}/download"' in page
    assert "http-equiv" not in page  # finished: nothing reloads it

    download = client.get(f"/jobs/{job.id}/download", buffered=True)
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert download.data == immediate.data  # one way to make the file
    assert "attachment" in download.headers["Content-Disposition"]
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "file.downloaded")
    ).scalar_one()
    assert event.actor_id == manager.id and event.subject_type == "jobs"


def test_an_xlsx_job_gives_the_same_workbook_columns(app, client, sign_in, scenario, monkeypatch):
    sign_in(user_with(Role.FINANCE))
    change_settings(monkeypatch, app, "jobs", export_threshold_rows=0)
    response = client.get(_export_url("transfers", "xlsx"))
    assert response.status_code == 303
    run_due()
    job = db.session.execute(select(Job)).scalar_one()
    assert job.file_name.endswith(".xlsx") and job.status == JobStatus.DONE
    download = client.get(f"/jobs/{job.id}/download", buffered=True)
    assert download.data[:2] == b"PK"  # a zip: the workbook


def test_only_the_requester_or_an_auditor_reaches_a_job(
    app, client, sign_in, scenario, monkeypatch
):
    sign_in(user_with(Role.FUND_MANAGER))
    change_settings(monkeypatch, app, "jobs", export_threshold_rows=0)
    client.get(_export_url())
    run_due()
    job = db.session.execute(select(Job)).scalar_one()

    sign_in(user_with(Role.FUND_MANAGER))  # another fund manager
    for url in (f"/jobs/{job.id}", f"/jobs/{job.id}.json", f"/jobs/{job.id}/download"):
        assert client.get(url).status_code == 404
    sign_in(user_with(Role.AUDITOR))
    assert client.get(f"/jobs/{job.id}/download").status_code == 200


def test_an_expired_file_is_refused_with_a_clear_message(
    app, client, sign_in, scenario, monkeypatch
):
    sign_in(user_with(Role.FUND_MANAGER))
    change_settings(monkeypatch, app, "jobs", export_threshold_rows=0)
    client.get(_export_url())
    run_due()
    job = db.session.execute(select(Job)).scalar_one()
    job.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    response = client.get(f"/jobs/{job.id}/download")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "This file is no longer kept" in page
    assert f'href="/jobs/{job.id}/download"' not in page
    state = client.get(f"/jobs/{job.id}.json").get_json()
    assert state["download_url"] is None and state["kept_until"] is None


def test_a_job_not_ready_cannot_be_downloaded(app, client, sign_in, scenario, monkeypatch):
    sign_in(user_with(Role.FUND_MANAGER))
    change_settings(monkeypatch, app, "jobs", export_threshold_rows=0)
    client.get(_export_url())
    job = db.session.execute(select(Job)).scalar_one()
    assert client.get(f"/jobs/{job.id}/download").status_code == 409


def test_the_job_page_in_french(app, client, sign_in, scenario, monkeypatch):
    sign_in(user_with(Role.FUND_MANAGER))
    change_settings(monkeypatch, app, "jobs", export_threshold_rows=0)
    client.get(_export_url())
    job = db.session.execute(select(Job)).scalar_one()
    response = client.get(f"/jobs/{job.id}", headers={"Accept-Language": "fr"})
    assert response.status_code == 200


def test_with_redis_the_page_wakes_a_worker_after_its_commit(
    app, client, sign_in, scenario, monkeypatch
):
    import app.tasks as tasks

    woken: list[int] = []

    def delay() -> None:
        # Called after the commit: the job is there for the worker to find.
        woken.append(db.session.execute(select(Job)).scalar_one().id)

    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/15")
    monkeypatch.setattr(tasks.run_jobs, "delay", delay)
    sign_in(user_with(Role.FUND_MANAGER))
    change_settings(monkeypatch, app, "jobs", export_threshold_rows=0)
    assert client.get(_export_url()).status_code == 303
    assert len(woken) == 1
