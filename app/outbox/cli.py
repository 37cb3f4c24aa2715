"""`flask outbox send`: send the e-mails that are due and run the jobs that are due (app/jobs),
from cron or in a loop under `make run`;
`flask outbox purge`: empty the bodies of e-mails sent long ago (daily, like the beat does)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from app.platform.extensions import db

outbox_cli = AppGroup("outbox", help="The e-mail outbox: send what is due, forget old bodies.")


@outbox_cli.command("send")
@click.option(
    "--loop",
    "every",
    type=float,
    default=None,
    metavar="SECONDS",
    help="Keep sending, looking again every SECONDS (make run uses 2), until stopped.",
)
def send(every: float | None) -> None:
    """Send every e-mail that is due; a failure is kept to be tried again later. In a loop, the
    published IATI files are also made again when their data changed, and the gifts' running
    totals summed (every IATI_PUBLISH_CHECK_SECONDS): the loop is the periodic job ``make run``
    has."""
    from app.jobs.running import run_due
    from app.outbox.sending import send_due

    next_publication = time.monotonic()
    while True:
        if every is not None and time.monotonic() >= next_publication:
            _publish_iati()
            _compact_gift_totals()
            next_publication = time.monotonic() + float(
                current_app.config["IATI_PUBLISH_CHECK_SECONDS"]
            )
        try:
            done = send_due()
            ran = run_due()  # the long jobs (app/jobs) are run from the same tick
        except Exception:
            if every is None:
                raise
            # A loop outlives a passing error (the database busy a moment): next pass.
            current_app.logger.exception("outbox: this pass failed; trying again")
            db.session.rollback()
            time.sleep(every)
            continue
        finally:
            db.session.remove()  # each pass reads afresh
        if every is None:
            click.echo(f"{done.sent} sent, {done.retrying} to try again, {done.failed} failed.")
            click.echo(f"{ran.done} job(s) done, {ran.failed} failed.")
            return
        if ran.done or ran.failed:
            click.echo(f"jobs: {ran.done} done, {ran.failed} failed.", err=True)
        if done.sent or done.retrying or done.failed:
            click.echo(
                f"outbox: {done.sent} sent, {done.retrying} to try again, {done.failed} failed.",
                err=True,
            )
        time.sleep(every)


def _publish_iati() -> None:
    """One publication tick (app/reporting/publication.py); it never stops the loop."""
    from app.reporting.publication import publish_if_changed
    from app.reporting.web.iati import publisher

    try:
        made = publish_if_changed(publisher())
    finally:
        db.session.remove()
    if made:
        click.echo(f"IATI files published: {', '.join(made)}.", err=True)


@outbox_cli.command("purge")
def purge() -> None:
    """Empty the bodies of e-mails sent more than OUTBOX_KEEP_SENT_DAYS days ago (their links);
    the recipient, subject and sending time stay."""
    from app.outbox.sending import purge_sent

    emptied = purge_sent()
    db.session.commit()
    days = current_app.config["OUTBOX_KEEP_SENT_DAYS"]
    click.echo(f"Bodies of {emptied} e-mail(s) sent more than {days} day(s) ago removed.")


def _compact_gift_totals() -> None:
    """One compaction of the running totals (app/donations/reports/gift_totals.py)."""
    from app.donations.reports.gift_totals import compact_running_totals

    try:
        compact_running_totals()
        db.session.commit()
    except Exception:
        # The next tick tries again; until then the totals are right, only less summed.
        current_app.logger.exception("gift totals: this compaction failed")
        db.session.rollback()
    finally:
        db.session.remove()
