"""`flask webhooks send`: post the webhook deliveries that are due (from cron, or in a loop)."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from app.platform.extensions import db

webhooks_cli = AppGroup("webhooks", help="Outgoing webhooks: send the deliveries that are due.")


@webhooks_cli.command("send")
@click.option(
    "--loop",
    "every",
    type=float,
    default=None,
    metavar="SECONDS",
    help="Keep sending, looking again every SECONDS, until stopped.",
)
def send(every: float | None) -> None:
    """Post every delivery that is due; a failure is tried again later with a longer pause."""
    from app.webhooks.sending import deliver_due

    while True:
        done = deliver_due()
        db.session.remove()
        if done.delivered or done.retrying or done.failed:
            click.echo(
                f"{done.delivered} delivered, {done.retrying} to retry, {done.failed} failed"
            )
        if every is None:
            return
        time.sleep(every)
