"""Celery: the worker that sends the e-mail outbox and runs the daily jobs, and its schedule
(broker: REDIS_URL).

Set up the way Flask's documentation does it ("Background Tasks with Celery"): one Celery app
per Flask app, every task run inside the Flask app's context. The worker and its scheduler run
as ``celery -A app.worker worker --beat``; ``make run`` needs neither (it runs
``flask outbox send --loop``), and the tests call the sender directly.

Each daily job is also a ``flask`` command (the README's "Background jobs" lists them), does its
work in one transaction, is safe to run twice (the second run finds nothing left to do) and logs
what it did.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from celery import Celery, Task, shared_task
from celery.schedules import crontab
from flask import Flask

SEND_OUTBOX = "outbox.send_due"
DELIVER_WEBHOOKS = "webhooks.deliver_due"
PURGE_OUTBOX = "outbox.purge_sent"
REMIND_REVIEWERS = "reviews.remind"
REMIND_GRANT_REPORTS = "grants.remind"
WARN_EXPIRING_RESTRICTIONS = "donations.warn_expiring"
SEAL_LEDGER = "ledger.seal"
PURGE_UNCONFIRMED_ACCOUNTS = "users.purge_unconfirmed"
IMPORT_SANCTIONS_LIST = "screening.import_list"
RUN_JOBS = "jobs.run_due"
PURGE_JOB_FILES = "jobs.purge_files"
PUBLISH_IATI = "reporting.publish_iati"
REPUBLISH_IATI = "reporting.republish_iati"
COMPACT_GIFT_TOTALS = "donations.compact_gift_totals"

# The daily jobs and their minute past DAILY_JOBS_HOUR_UTC, a few minutes apart so that one
# worker runs them one after the other; the seal comes after the night's other jobs.
DAILY_JOBS = {
    "remind-reviewers": (REMIND_REVIEWERS, 0),
    "remind-grant-reports": (REMIND_GRANT_REPORTS, 5),
    "warn-of-expiring-restricted-money": (WARN_EXPIRING_RESTRICTIONS, 7),
    "seal-the-ledger": (SEAL_LEDGER, 10),
    "purge-sent-e-mails": (PURGE_OUTBOX, 15),
    "purge-unconfirmed-accounts": (PURGE_UNCONFIRMED_ACCOUNTS, 20),
    "import-the-sanctions-list": (IMPORT_SANCTIONS_LIST, 25),
    "delete-expired-job-files": (PURGE_JOB_FILES, 35),
    "republish-the-iati-files": (REPUBLISH_IATI, 30),
}

logger = logging.getLogger(__name__)


def celery_settings(config: dict[str, Any]) -> dict[str, Any]:
    """Celery's settings from the app's: the broker is REDIS_URL (in memory without it, which
    only a test or a single process can use)."""
    return {
        "broker_url": config.get("CELERY_BROKER_URL") or config.get("REDIS_URL") or "memory://",
        "task_ignore_result": True,
        "broker_connection_retry_on_startup": True,
        # The outbox is the queue: a lost or late beat costs a few seconds, never an e-mail.
        "beat_schedule": {
            "send-the-outbox": {
                "task": SEND_OUTBOX,
                "schedule": float(config["OUTBOX_POLL_SECONDS"]),
                "options": {"expires": float(config["OUTBOX_POLL_SECONDS"])},
            },
            # Partners' webhooks (app/webhooks): the deliveries are the queue, like the outbox.
            "deliver-the-webhooks": {
                "task": DELIVER_WEBHOOKS,
                "schedule": float(config["OUTBOX_POLL_SECONDS"]),
                "options": {"expires": float(config["OUTBOX_POLL_SECONDS"])},
            },
            # The IATI files follow a change to their data within a minute.
            "publish-the-iati-files": {
                "task": PUBLISH_IATI,
                "schedule": 60.0,
                "options": {"expires": 60.0},
            },
            # The gifts' running totals: a row per change, summed per key (finance's list of
            # contributions reads them).
            "compact-the-gift-totals": {
                "task": COMPACT_GIFT_TOTALS,
                "schedule": 60.0,
                "options": {"expires": 60.0},
            },
            # Long jobs (app/jobs): also started at once by the page that queues one.
            "run-the-jobs": {
                "task": RUN_JOBS,
                "schedule": float(config["OUTBOX_POLL_SECONDS"]),
                "options": {"expires": float(config["OUTBOX_POLL_SECONDS"])},
            },
            **{
                name: {
                    "task": task,
                    "schedule": crontab(hour=int(config["DAILY_JOBS_HOUR_UTC"]), minute=minute),
                    # Queued while no worker ran: dropped after 12 h, the next day's run does it.
                    "options": {"expires": 12 * 3600.0},
                }
                for name, (task, minute) in DAILY_JOBS.items()
            },
        },
        "timezone": "UTC",
        "beat_schedule_filename": config.get("CELERY_BEAT_SCHEDULE_FILE") or "celerybeat-schedule",
    }


def celery_init_app(app: Flask) -> Celery:
    """The app's Celery, kept in ``app.platform.extensions["celery"]``."""

    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=FlaskTask)
    celery.config_from_object(celery_settings(app.config))
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


@shared_task(name=DELIVER_WEBHOOKS)
def deliver_webhooks() -> dict[str, int]:
    """Post every webhook delivery that is due (app/webhooks/sending.py); run by the beat."""
    from app.platform.extensions import db
    from app.webhooks.sending import deliver_due

    try:
        return asdict(deliver_due())
    finally:
        db.session.remove()


@shared_task(name=SEND_OUTBOX)
def send_outbox() -> dict[str, int]:
    """Send every e-mail that is due (app/outbox/sending.py); run by the beat every few seconds."""
    from app.outbox.sending import send_due
    from app.platform.extensions import db

    try:
        return asdict(send_due())
    finally:
        db.session.remove()


@shared_task(name=RUN_JOBS)
def run_jobs() -> dict[str, int]:
    """Run the long jobs that are due (app/jobs/running.py): every few seconds from the beat,
    and at once when a page queues one."""
    from app.jobs.running import run_due
    from app.platform.extensions import db

    try:
        return asdict(run_due())
    finally:
        db.session.remove()


@shared_task(name=PURGE_JOB_FILES)
def purge_job_files() -> int:
    """Delete the files of jobs whose download time is up (`flask jobs purge`)."""
    from app.jobs.running import purge_expired

    return _one_transaction("expired job files deleted", purge_expired)


def _one_transaction(what: str, job: Callable[[], int]) -> int:
    """Run ``job`` and commit what it did (its e-mails are written to the outbox in that
    commit), or nothing at all if it fails; log how many things it did."""
    from app.platform.extensions import db

    try:
        done = job()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    finally:
        db.session.remove()
    logger.info("%s: %s", what, done)
    return done


@shared_task(name=PURGE_OUTBOX)
def purge_outbox() -> int:
    """Empty the bodies of e-mails sent more than OUTBOX_KEEP_SENT_DAYS ago (as
    `flask outbox purge`)."""
    from app.outbox.sending import purge_sent

    return _one_transaction("sent e-mails emptied", purge_sent)


@shared_task(name=REMIND_REVIEWERS)
def remind_reviewers() -> int:
    """Remind reviewers of reviews due soon or overdue (`flask reviews remind`)."""
    from app.reviews.services.reminders import send_review_reminders

    return _one_transaction("review reminders sent", send_review_reminders)


@shared_task(name=REMIND_GRANT_REPORTS)
def remind_grant_reports() -> int:
    """Remind grantees of reports falling due (`flask grants remind`)."""
    from app.grants.services.reminders import send_report_reminders
    from app.platform.settings import settings

    days = settings().grants.reminder_days
    return _one_transaction("report reminders sent", lambda: send_report_reminders(days=days))


@shared_task(name=WARN_EXPIRING_RESTRICTIONS)
def warn_expiring_restrictions() -> int:
    """Warn finance of restricted money ending soon, once per threshold
    (`flask donations warn-expiring`)."""
    from app.donations.services.restriction_warnings import warn_expiring_restrictions as warn

    return _one_transaction("restricted money warnings given", warn)


@shared_task(name=SEAL_LEDGER)
def seal_ledger() -> int:
    """Seal the ledger's transfers since the last checkpoint (`flask ledger seal`), then, in a
    transaction of its own, the audit log's events since its last seal (`flask audit seal`),
    each head e-mailed to the auditors; how many transfers and events were sealed, 0 when
    there were none."""
    from app.audit.chain import seal_audit_log
    from app.audit.web.seal_mail import email_audit_seal_to_auditors
    from app.ledger.verify import seal_ledger as seal
    from app.ledger.web.seal_mail import email_seal_to_auditors

    def job() -> int:
        checkpoint = seal(actor=None)
        if checkpoint is None:
            return 0
        email_seal_to_auditors(checkpoint)
        return checkpoint.transfer_count

    def audit_job() -> int:
        checkpoint = seal_audit_log(actor=None)
        if checkpoint is None:
            return 0
        email_audit_seal_to_auditors(checkpoint)
        return checkpoint.event_count

    try:
        transfers = _one_transaction("ledger transfers sealed", job)
    finally:
        # After the ledger's, so that its seal's audit event is sealed the same night.
        events = _one_transaction("audit events sealed", audit_job)
    return transfers + events


@shared_task(name=PURGE_UNCONFIRMED_ACCOUNTS)
def purge_unconfirmed_accounts() -> int:
    """Remove accounts never confirmed after UNCONFIRMED_ACCOUNT_DAYS
    (`flask users purge-unconfirmed`)."""
    from flask import current_app

    from app.privacy.services.retention import purge_unconfirmed_accounts as purge

    days = int(current_app.config["UNCONFIRMED_ACCOUNT_DAYS"])
    return _one_transaction("unconfirmed accounts removed", lambda: purge(older_than_days=days))


@shared_task(name=PUBLISH_IATI)
def publish_iati() -> int:
    """Make the published IATI files again if the data they are made from changed (as
    `flask iati publish`); run by the beat every minute. The files made, 0 when unchanged."""
    from app.platform.extensions import db
    from app.reporting.publication import publish
    from app.reporting.web.iati import publisher

    try:
        made = publish(publisher())
    finally:
        db.session.remove()
    if made:
        logger.info("IATI files published: %s", ", ".join(made))
    return len(made)


@shared_task(name=COMPACT_GIFT_TOTALS)
def compact_gift_totals() -> int:
    """Sum the running totals (the gifts', and what donors gave per donor and year) into one
    row per key (as `flask donations compact-totals`); run by the beat every minute. The rows
    left."""
    from app.donations.reports.gift_totals import compact_running_totals as compact

    return _one_transaction("gift totals compacted, rows left", compact)


@shared_task(name=REPUBLISH_IATI)
def republish_iati() -> int:
    """Make both published IATI files again, changed or not (`flask iati publish --force`):
    once a day, for what no fingerprint sees (the day itself)."""
    from app.platform.extensions import db
    from app.reporting.publication import publish
    from app.reporting.web.iati import publisher

    try:
        made = publish(publisher(), force=True)
    finally:
        db.session.remove()
    logger.info("IATI files republished: %s", ", ".join(made))
    return len(made)


@shared_task(name=IMPORT_SANCTIONS_LIST)
def import_sanctions_list() -> int:
    """Import the list at SANCTIONS_LIST_URL and screen every organisation against it
    (`flask screening import`); the possible matches raised, 0 when the setting is empty or the
    list is unchanged. A refused list is kept out whole and the administrators are told."""
    from flask import current_app

    from app.platform.extensions import db
    from app.screening.cli import run_import

    source = str(current_app.config["SANCTIONS_LIST_URL"])
    if not source:
        logger.info("sanctions list: SANCTIONS_LIST_URL is not set")
        return 0
    try:
        result = run_import(source, actor=None)
    finally:
        db.session.remove()
    return 0 if result is None else len(result.hits)
