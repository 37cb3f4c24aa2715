"""/metrics under several gunicorn workers: each process counts into PROMETHEUS_MULTIPROC_DIR
and a scrape, whichever worker answers it, adds up every process's counts. The gunicorn
configuration (docker/gunicorn.conf.py) sets the folder before the app is imported, empties it
at the start and tells prometheus-client when a worker exits."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from prometheus_client.registry import Collector

from app.platform.metrics import exposition
from tests.platform.test_metrics import sample

GUNICORN_CONFIG = Path(__file__).resolve().parents[2] / "docker" / "gunicorn.conf.py"

# What a worker does: import the app's metrics (the folder already in its environment) and
# count requests, as CountRequests does for each one it answers.
COUNT = """
import sys
from app.platform.metrics import JOBS_FAILED, LATENCY, REQUESTS
for _ in range(int(sys.argv[1])):
    REQUESTS.labels("main.healthz", "GET", "200").inc()
    LATENCY.labels("main.healthz").observe(0.01)
JOBS_FAILED.labels("outbox.send_due").inc()
"""


class NoReadings(Collector):
    def collect(self):  # type: ignore[no-untyped-def]
        return iter(())


def count_in_a_process(folder: Path, requests: int) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", COUNT, str(requests)], env=env, check=True, timeout=120
    )


def test_two_processes_counts_add_up_in_one_scrape(tmp_path, monkeypatch):
    count_in_a_process(tmp_path, 3)
    count_in_a_process(tmp_path, 4)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))

    text = exposition(NoReadings()).decode()

    labels = {"endpoint": "main.healthz", "method": "GET", "status": "200"}
    assert sample(text, "trustfund_http_requests_total", **labels) == 7
    assert (
        sample(text, "trustfund_http_request_duration_seconds_count", endpoint="main.healthz") == 7
    )
    assert sample(text, "trustfund_jobs_failed_total", task="outbox.send_due") == 2


def gunicorn_config(monkeypatch, folder: str | None) -> dict:
    # Set first, so that monkeypatch puts back what was there (or nothing) after the test,
    # whatever the file sets.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", folder or "")
    if folder is None:
        monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    return runpy.run_path(str(GUNICORN_CONFIG))


def test_gunicorn_gives_the_workers_a_folder_of_their_own_when_none_is_set(monkeypatch):
    config = gunicorn_config(monkeypatch, None)

    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    try:
        assert folder.is_dir() and folder.name.startswith("trustfund-metrics-")
        assert config["preload_app"] is True  # the variable is set before the app is imported
    finally:
        folder.rmdir()


def test_gunicorn_empties_the_folder_at_start_and_forgets_an_exited_worker(tmp_path, monkeypatch):
    config = gunicorn_config(monkeypatch, str(tmp_path))
    (tmp_path / "counter_999.db").write_bytes(b"left by an earlier server")
    config["on_starting"](SimpleNamespace())
    assert list(tmp_path.iterdir()) == []

    (tmp_path / "counter_4242.db").write_bytes(b"")
    (tmp_path / "gauge_livesum_4242.db").write_bytes(b"")
    config["child_exit"](SimpleNamespace(), SimpleNamespace(pid=4242))

    # Its counts stay (they are still added up); its live gauges go.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counter_4242.db"]
