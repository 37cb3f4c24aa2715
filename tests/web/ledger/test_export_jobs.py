"""The ledger's export over EXPORT_JOB_THRESHOLD_ROWS transfers is made by a worker: the page
sends the reader to the job page, and the file is the one the immediate download gives."""

from __future__ import annotations

from sqlalchemy import select

from app.jobs.models import Job, JobStatus
from app.jobs.running import run_due
from app.ledger.models import Transfer
from app.platform.extensions import db
from tests.settings_support import change_settings
from tests.web.ledger.helpers import commit, gift, new_grant


def test_a_large_ledger_export_becomes_a_job_with_the_same_file(app, client, reader, monkeypatch):
    grant = new_grant()
    first = gift(1_000)
    commit(grant, 100)
    commit(grant, 200)
    day = str(db.session.get(Transfer, first.id).created_at.date())
    url = f"/ledger/export?since={day}&until={day}&account={grant.key}"
    immediate = client.get(url, buffered=True)
    assert immediate.status_code == 200

    change_settings(monkeypatch, app, "jobs", export_threshold_rows=1)
    response = client.get(url)
    assert response.status_code == 303
    job = db.session.execute(select(Job)).scalar_one()
    assert response.location.endswith(f"/jobs/{job.id}")
    assert job.kind == "ledger.export" and job.progress_total == 2
    assert job.parameters["account"] == grant.key

    assert run_due().done == 1
    db.session.refresh(job)
    assert job.status == JobStatus.DONE
    assert job.file_name == f"ledger-transfers-{day}-to-{day}.csv"
    download = client.get(f"/jobs/{job.id}/download", buffered=True)
    assert download.status_code == 200
    assert download.data == immediate.data
