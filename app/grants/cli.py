"""``flask grants remind``: remind grantees of reports due soon or overdue (run it daily)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.grants.services import reports as grant_reports
from app.grants.services.common import today
from app.platform.extensions import db

grants_cli = AppGroup("grants", help="Grant jobs: reminders to grantees.")


@grants_cli.command("remind")
def remind_command() -> None:
    """Notify each grantee of its reports due within GRANT_REMINDER_DAYS or overdue; a report
    is reminded at most once in that many days. The e-mails leave after the commit."""
    days = int(current_app.config["GRANT_REMINDER_DAYS"])
    due = grant_reports.reports_needing_reminder(on=today(), days=days)
    for report in due:
        grant_reports.remind_report(report=report)
    db.session.commit()
    click.echo(f"Reminded {len(due)} report(s).")
