"""The contributions CSV over EXPORT_JOB_THRESHOLD_ROWS gifts and pledges is made by a worker,
with the list's filters, and gives the file the immediate download gives."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Role
from app.donations import services
from app.jobs.models import Job, JobStatus
from app.jobs.running import run_due
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.donations_support import finance_user, institutional_donor
from tests.factories import user_with
from tests.settings_support import change_settings


def test_a_long_contributions_csv_is_a_job_with_the_same_file(app, client, sign_in, monkeypatch):
    for name in ("Norway", "Sweden", "Japan"):
        services.make_pledge(
            actor=finance_user(),
            donor=institutional_donor(name),
            amount=7_00,
            currency="USD",
            year=utcnow().year,
        )
    db.session.commit()
    sign_in(user_with(Role.FUND_MANAGER))
    url = "/donations/contributions.csv?kind=pledge&currency=usd"
    immediate = client.get(url, buffered=True)
    assert immediate.status_code == 200
    assert len(immediate.get_data(as_text=True).strip().splitlines()) == 4

    change_settings(monkeypatch, app, "jobs", export_threshold_rows=2)
    response = client.get(url)
    assert response.status_code == 303
    job = db.session.execute(select(Job)).scalar_one()
    assert job.kind == "donations.contributions_csv" and job.progress_total == 3
    assert job.parameters["kind"] == "pledge" and job.parameters["currency"] == "USD"

    assert run_due().done == 1
    db.session.refresh(job)
    assert job.status == JobStatus.DONE
    download = client.get(f"/jobs/{job.id}/download", buffered=True)
    assert download.status_code == 200
    assert download.data == immediate.data
