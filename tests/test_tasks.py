"""The Celery worker (app/tasks.py): its task sends the outbox, its beat runs it every few
seconds, its broker is REDIS_URL; and a real worker on Redis delivers a committed e-mail."""

from __future__ import annotations

import logging
import os
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker

from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.services import queue_email
from app.platform.extensions import db
from app.tasks import SEND_OUTBOX, celery_init_app, celery_settings
from tests.real_commits import committed, committed_rows_removed

# Redis database 12 is the tests' own; it is emptied after the test.
TEST_CELERY_REDIS_URL = os.environ.get("TEST_CELERY_REDIS_URL", "redis://127.0.0.1:6379/12")


def test_the_broker_is_redis_url_and_the_beat_sends_the_outbox():
    settings = celery_settings({"REDIS_URL": "redis://cache:6379/0", "OUTBOX_POLL_SECONDS": 5})

    assert settings["broker_url"] == "redis://cache:6379/0"
    [entry] = settings["beat_schedule"].values()
    assert entry["task"] == SEND_OUTBOX and entry["schedule"] == 5.0


def test_the_broker_can_be_set_apart_from_redis_url():
    settings = celery_settings(
        {"REDIS_URL": "redis://a/0", "CELERY_BROKER_URL": "redis://b/1", "OUTBOX_POLL_SECONDS": 5}
    )
    assert settings["broker_url"] == "redis://b/1"


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
