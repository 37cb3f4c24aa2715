"""`flask jobs run`: run the jobs that are due (the worker's task and `flask outbox send --loop`
do it too); `flask jobs purge`: delete the files of jobs whose download time is up (daily)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.platform.extensions import db

jobs_cli = AppGroup("jobs", help="Long work done by a worker: run what is due, delete old files.")


@jobs_cli.command("run")
def run() -> None:
    """Run every job that is due, one after the other."""
    from app.jobs.running import run_due

    try:
        ran = run_due(limit=1000)
    finally:
        db.session.remove()
    click.echo(f"{ran.done} job(s) done, {ran.failed} failed.")


@jobs_cli.command("purge")
def purge() -> None:
    """Delete the files of jobs whose download time (JOB_RESULT_KEEP_HOURS) has passed; the
    record of who asked for what stays."""
    from app.jobs.running import purge_expired

    deleted = purge_expired()
    db.session.commit()
    click.echo(f"Files of {deleted} job(s) deleted.")
