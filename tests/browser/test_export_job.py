"""A large export in the browser, in French: the page sends the fund manager to the job's page,
which waits (its script asks how far the job got), shows the link once a worker has made the
file, and the file downloads. With axe on both states."""

from __future__ import annotations

import pytest

from app.jobs.running import run_due
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.settings_support import change_settings


@pytest.mark.parametrize("lang", ["fr"])
def test_a_large_export_waits_on_its_job_page_then_downloads(cast, live, monkeypatch):
    change_settings(monkeypatch, live.app, "jobs", export_threshold_rows=0)
    manager = cast.sign_in("fund_manager")
    manager.open(
        f"/reports/exports?table=grants&format=xlsx&start=2020-01-01&end={utcnow().date()}"
    )
    assert "/jobs/" in manager.page.url
    assert manager.page.inner_text("#job-message") == cast.t("Waiting for a worker to start.")
    manager.step("job-queued")

    with live.app.app_context():
        assert run_due().done == 1
        db.session.remove()
    link = manager.page.locator("#job-download-link")
    link.wait_for(state="visible", timeout=15_000)  # the page's script saw it ready
    assert manager.page.inner_text("#job-message") == cast.t("Your file is ready.")
    assert manager.focused("#job-download-link")
    manager.step("job-ready")

    with manager.page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("grants-2020-01-01-to-")
