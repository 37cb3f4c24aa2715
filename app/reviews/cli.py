"""`flask reviews ...`: the selection's scheduled jobs (run daily from cron or a scheduler)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.platform.extensions import db

reviews_cli = AppGroup("reviews", help="Selection jobs: reminders to reviewers.")


@reviews_cli.command("remind")
def remind() -> None:
    """Remind reviewers of reviews due soon or overdue (at most once a day each)."""
    from app.reviews.services.reminders import send_review_reminders

    sent = send_review_reminders()
    db.session.commit()  # the e-mails are written to the outbox in this commit
    click.echo(f"{sent} reminder(s) sent.")
