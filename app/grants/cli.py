"""``flask grants remind``: remind grantees of reports falling due (run it daily; the Celery
beat does)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.grants.services.reminders import send_report_reminders
from app.platform.extensions import db
from app.platform.settings import settings

grants_cli = AppGroup("grants", help="Grant jobs: reminders to grantees.")


@grants_cli.command("remind")
def remind_command() -> None:
    """Notify each grantee of its reports due in GRANT_REMINDER_DAYS days and of those due
    today, once each (a second run the same day sends nothing). The e-mails leave after the
    commit."""
    sent = send_report_reminders(days=settings().grants.reminder_days)
    db.session.commit()
    click.echo(f"Reminded {sent} report(s).")
