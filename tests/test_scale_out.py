"""Scale-out, shown (bench/scale_out.py, `make scale-check`): two gunicorn servers, two Celery
workers and a beat against one PostgreSQL database, one Redis database and one S3-compatible
store (moto's server); a gift, an application with its uploaded file and a tranche go through
both servers in turn, every e-mail arrives exactly once and `flask ledger verify` passes.

Runs the script as it is run by hand, on a database of its own next to the test database
(PostgreSQL only: several processes writing at once) and the Redis database
TEST_SCALE_REDIS_URL (default 9, emptied before and after). About 30 to 70 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent


def test_two_servers_and_two_workers_send_every_e_mail_once(app):
    test_database = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    own = test_database.set(drivername="postgresql", database=f"{test_database.database}_scale")
    env = {
        **os.environ,
        "SCALE_DATABASE_URL": own.render_as_string(hide_password=False),
        "SCALE_REDIS_URL": os.environ.get("TEST_SCALE_REDIS_URL", "redis://127.0.0.1:6379/9"),
    }

    result = subprocess.run(
        [sys.executable, "-m", "bench.scale_out"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    lines = [line for line in result.stdout.splitlines() if line.startswith('{"check"')]
    assert result.returncode == 0 and lines, result.stdout[-3000:] + result.stderr[-5000:]
    report = json.loads(lines[-1])
    assert report["ok"] is True
    assert report["e-mails"] >= 10  # receipt, submission, tranche steps...
    assert sum(report["sent_by_worker"].values()) == report["e-mails"]
