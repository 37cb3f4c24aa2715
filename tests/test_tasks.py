"""The Celery worker (app/tasks.py): its task sends the outbox, its beat runs it every few
seconds and the daily jobs once a day, its broker is REDIS_URL; each daily job does nothing
the second time; and a real worker on Redis delivers a committed e-mail."""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta

import pytest
import redis
import sqlalchemy as sa
from celery.contrib.testing.worker import start_worker
from celery.schedules import crontab

from app.accounts.models import Role
from app.accounts.services import find_user_by_email
from app.grants.models import ReportKind
from app.ledger.heads import published_heads
from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.services import queue_email
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.storage import LocalStorage
from app.reviews import services as reviews
from app.tasks import (
    COMPACT_GIFT_TOTALS,
    DELIVER_WEBHOOKS,
    IMPORT_SANCTIONS_LIST,
    PUBLISH_IATI,
    PURGE_JOB_FILES,
    PURGE_OUTBOX,
    PURGE_UNCONFIRMED_ACCOUNTS,
    REMIND_GRANT_REPORTS,
    REMIND_REVIEWERS,
    REPUBLISH_IATI,
    RUN_JOBS,
    SEAL_LEDGER,
    SEND_OUTBOX,
    WARN_EXPIRING_RESTRICTIONS,
    celery_init_app,
    celery_settings,
)
from tests.factories import user_with
from tests.grants_support import USD, active_grant, fund, report_of
from tests.real_commits import committed, committed_rows_removed
from tests.reviews_support import in_review, manager, reviewer

# Redis database 12 is the tests' own; it is emptied after the test.
TEST_CELERY_REDIS_URL = os.environ.get("TEST_CELERY_REDIS_URL", "redis://127.0.0.1:6379/12")


SCHEDULE = {"OUTBOX_POLL_SECONDS": 5, "DAILY_JOBS_HOUR_UTC": 2}


def test_the_broker_is_redis_url_and_the_beat_sends_the_outbox():
    settings = celery_settings({"REDIS_URL": "redis://cache:6379/0", **SCHEDULE})

    assert settings["broker_url"] == "redis://cache:6379/0"
    [entry] = [e for e in settings["beat_schedule"].values() if e["task"] == SEND_OUTBOX]
    assert entry["schedule"] == 5.0


def test_the_broker_can_be_set_apart_from_redis_url():
    settings = celery_settings(
        {"REDIS_URL": "redis://a/0", "CELERY_BROKER_URL": "redis://b/1", **SCHEDULE}
    )
    assert settings["broker_url"] == "redis://b/1"


def test_the_beat_runs_each_daily_job_once_a_day_at_the_hour_set():
    settings = celery_settings({**SCHEDULE, "DAILY_JOBS_HOUR_UTC": 3})

    daily = {
        entry["task"]: entry["schedule"]
        for entry in settings["beat_schedule"].values()
        if entry["task"]
        not in {SEND_OUTBOX, PUBLISH_IATI, RUN_JOBS, DELIVER_WEBHOOKS, COMPACT_GIFT_TOTALS}
    }
    assert set(daily) == {
        REMIND_REVIEWERS,
        REMIND_GRANT_REPORTS,
        WARN_EXPIRING_RESTRICTIONS,
        SEAL_LEDGER,
        PURGE_OUTBOX,
        PURGE_UNCONFIRMED_ACCOUNTS,
        IMPORT_SANCTIONS_LIST,
        PURGE_JOB_FILES,
        REPUBLISH_IATI,
    }
    for schedule in daily.values():
        assert isinstance(schedule, crontab)
        assert schedule.hour == {3} and len(schedule.minute) == 1
        assert schedule.day_of_week == set(range(7))
    assert len({min(s.minute) for s in daily.values()}) == len(daily)  # one after the other


def test_every_scheduled_task_is_registered(app):
    tasks = app.extensions["celery"].tasks
    for entry in app.extensions["celery"].conf.beat_schedule.values():
        assert entry["task"] in tasks


def run_twice(app, name):
    task = app.extensions["celery"].tasks[name]
    return task.apply().get(), task.apply().get()


def test_the_daily_seal_seals_once(app):
    fund(1_000 * USD)
    db.session.commit()

    first, second = run_twice(app, SEAL_LEDGER)

    assert first > 0 and second == 0


def test_the_daily_seal_e_mails_its_head_to_each_auditor(app):
    auditor = user_with(Role.AUDITOR)
    fund(1_000 * USD)
    db.session.commit()

    run_twice(app, SEAL_LEDGER)

    [message] = db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.idempotency_key.like("ledger-seal:%"))
    ).scalars()
    assert message.recipient == auditor.email
    assert f"flask ledger verify --against {published_heads()[0].hash}" in message.body


def test_the_daily_purge_empties_old_bodies_once(app):
    queue_email(to="grace@example.org", subject="Reset", body="http://x/reset", key="k")
    message = db.session.execute(db.select(OutboxMessage)).scalar_one()
    message.status = OutboxStatus.SENT
    message.sent_at = utcnow() - timedelta(days=app.config["OUTBOX_KEEP_SENT_DAYS"] + 1)
    db.session.commit()

    assert run_twice(app, PURGE_OUTBOX) == (1, 0)


def test_the_daily_retention_removes_unconfirmed_accounts_once(app):
    stale = user_with(Role.DONOR, email_confirmed_at=None, email="stale@example.org")
    stale.created_at = utcnow() - timedelta(days=app.config["UNCONFIRMED_ACCOUNT_DAYS"] + 1)
    db.session.commit()

    assert run_twice(app, PURGE_UNCONFIRMED_ACCOUNTS) == (1, 0)
    assert find_user_by_email("stale@example.org") is None


def test_the_daily_review_reminders_remind_once(app, tmp_path):
    storage = LocalStorage(tmp_path / "uploads")
    fund_manager = manager()
    reviews.assign_reviewer(
        actor=fund_manager,
        application=in_review(storage, fund_manager=fund_manager),
        reviewer=reviewer(),
        due_on=utcnow().date() + timedelta(days=1),
    )
    db.session.commit()

    assert run_twice(app, REMIND_REVIEWERS) == (1, 0)


def test_the_daily_report_reminders_remind_once(app):
    fund(100_000 * USD)
    grant = active_grant(amount=10_000 * USD)
    report = report_of(grant, ReportKind.PROGRESS)
    for other in grant.reports:
        other.due_date = utcnow().date() + timedelta(days=400)
    report.due_date = utcnow().date()
    db.session.commit()

    assert run_twice(app, REMIND_GRANT_REPORTS) == (1, 0)


def test_the_daily_restricted_money_warnings_warn_once(app):
    from app.donations.services.restrictions import RestrictionTerms
    from tests.funding_support import donor, paid_pledge

    ends = utcnow().date() + timedelta(days=20)
    paid_pledge(donor(), 1_000 * USD, terms=RestrictionTerms(ends_on=ends))
    db.session.commit()

    assert run_twice(app, WARN_EXPIRING_RESTRICTIONS) == (1, 0)


def test_the_beat_publishes_the_iati_files_every_minute_when_their_data_changed(app):
    settings = celery_settings(SCHEDULE)
    [entry] = [e for e in settings["beat_schedule"].values() if e["task"] == PUBLISH_IATI]
    assert entry["schedule"] == 60.0

    assert run_twice(app, PUBLISH_IATI) == (2, 0)  # both files; then nothing changed
    fund(1_000 * USD)
    db.session.commit()
    assert run_twice(app, PUBLISH_IATI) == (2, 0)


def test_the_beat_sums_the_gifts_running_totals_every_minute(app):
    from app.donations.memory_gateway import MemoryGateway
    from app.donations.models import GiftTotal, ReceivedTotal
    from app.donations.reports.contributions import ContributionFilter
    from app.donations.reports.totals import contribution_totals
    from tests.donations_support import start_and_confirm
    from tests.reporting_support import succeed

    settings = celery_settings(SCHEDULE)
    [entry] = [e for e in settings["beat_schedule"].values() if e["task"] == COMPACT_GIFT_TOTALS]
    assert entry["schedule"] == 60.0

    gateway = MemoryGateway(fee_percent=3, fee_fixed=30)
    for number in range(3):
        succeed(gateway, start_and_confirm(gateway, amount=(number + 1) * 10_00))
    db.session.commit()
    before = contribution_totals(ContributionFilter())
    # Each gift added a row when started and two when paid (out of pending, into succeeded).
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GiftTotal)) >= 9
    # One key left with figures: individual one-off gifts of this year, succeeded, in USD; and
    # one of what donors gave (the same donor, this year, not named).
    assert run_twice(app, COMPACT_GIFT_TOTALS) == (2, 2)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReceivedTotal)) == 1
    assert contribution_totals(ContributionFilter()) == before
    assert before.rows == 3 and before.by_currency["USD"] == 60_00


def test_the_daily_republication_makes_both_iati_files_whatever_changed(app):
    assert run_twice(app, REPUBLISH_IATI) == (2, 2)


def test_the_worker_task_sends_what_is_due(app, mailbox):
    queue_email(to="grace@example.org", subject="Hello", body="b")
    db.session.commit()

    result = app.extensions["celery"].tasks[SEND_OUTBOX].apply().get()

    assert result == {"sent": 1, "retrying": 0, "failed": 0}
    assert [m["Subject"] for m in mailbox.received] == ["Hello"]


@pytest.fixture
def redis_broker():
    client = redis.Redis.from_url(TEST_CELERY_REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"Redis does not answer at {TEST_CELERY_REDIS_URL}")
    try:
        yield TEST_CELERY_REDIS_URL
    finally:
        client.flushdb()
        client.close()


@pytest.mark.postgres
@pytest.mark.real_commits
def test_a_real_worker_on_redis_delivers_a_committed_e_mail_once(app, mailbox, redis_broker):
    saved = app.extensions["celery"]
    root_level = logging.getLogger().level  # the worker sets the root logger's level
    app.config["CELERY_BROKER_URL"] = redis_broker
    try:
        worker_celery = celery_init_app(app)
        # The worker in this thread leaves the test run's logging alone.
        worker_celery.conf.worker_hijack_root_logger = False
        with committed_rows_removed(app):
            key = committed(
                app,
                lambda: queue_email(to="grace@example.org", subject="Receipt", body="b"),
            )
            with start_worker(worker_celery, pool="solo", perform_ping_check=False):
                # Twice, as when the beat fires again before the first run is over.
                worker_celery.tasks[SEND_OUTBOX].delay()
                worker_celery.tasks[SEND_OUTBOX].delay()
                deadline = time.monotonic() + 20
                while not mailbox.received and time.monotonic() < deadline:
                    time.sleep(0.2)
                time.sleep(1)

            assert [m["Subject"] for m in mailbox.received] == ["Receipt"]
            with app.app_context():
                message = db.session.execute(
                    db.select(OutboxMessage).where(OutboxMessage.idempotency_key == key)
                ).scalar_one()
                assert message.status == OutboxStatus.SENT
                db.session.remove()
    finally:
        logging.getLogger().setLevel(root_level)
        app.config["CELERY_BROKER_URL"] = None
        app.extensions["celery"] = saved
        saved.set_default()
