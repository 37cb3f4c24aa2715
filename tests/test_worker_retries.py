"""Issue 18's done-when, with a real Celery worker on the real Redis and PostgreSQL: the
scheduler's review reminders run in the worker and write their e-mail to the outbox; with the
mail server down the worker tries it once and keeps it (back-off, nothing marked sent); when
the server is back and the pause is over, two beats at once deliver it exactly once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from celery.contrib.testing.worker import start_worker

from app.outbox.models import OutboxMessage, OutboxStatus
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.storage import LocalStorage
from app.reviews import services as reviews
from app.tasks import REMIND_REVIEWERS, SEND_OUTBOX, celery_init_app
from tests.mail import closed_port, smtp_mailbox
from tests.real_commits import committed, committed_rows_removed
from tests.reviews_support import in_review, manager, reviewer
from tests.test_tasks import redis_broker  # noqa: F401 - a fixture

WAIT_SECONDS = 30


def _outbox(app) -> list[tuple[str, OutboxStatus, int]]:
    with app.app_context():
        try:
            rows = db.session.execute(
                sa.select(
                    OutboxMessage.subject, OutboxMessage.status, OutboxMessage.attempts
                ).order_by(OutboxMessage.id)
            ).all()
            return [tuple(row) for row in rows]
        finally:
            db.session.remove()


def _until(what: Callable[[], bool], why: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not what():
        assert time.monotonic() < deadline, f"the worker did not {why} in {WAIT_SECONDS} s"
        time.sleep(0.2)


@pytest.mark.postgres
@pytest.mark.real_commits
def test_a_real_worker_reminds_keeps_the_mail_while_smtp_is_down_then_sends_it_once(
    app,
    tmp_path,
    redis_broker,  # noqa: F811
):
    saved_celery = app.extensions["celery"]
    root_level = logging.getLogger().level  # the worker sets the root logger's level
    saved_mail = {key: app.config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT")}
    down = closed_port()
    app.config.update(CELERY_BROKER_URL=redis_broker, MAIL_SERVER="127.0.0.1", MAIL_PORT=down)
    try:
        worker_celery = celery_init_app(app)
        worker_celery.conf.worker_hijack_root_logger = False
        with committed_rows_removed(app):

            def a_review_due_tomorrow() -> None:
                fund_manager = manager()
                reviews.assign_reviewer(
                    actor=fund_manager,
                    application=in_review(
                        LocalStorage(tmp_path / "uploads"), fund_manager=fund_manager
                    ),
                    reviewer=reviewer(),
                    due_on=utcnow().date() + timedelta(days=1),
                )

            committed(app, a_review_due_tomorrow)
            before = len(_outbox(app))
            with start_worker(worker_celery, pool="solo", perform_ping_check=False):
                # The beat's daily job, run by the worker: the reminder is in the outbox.
                worker_celery.tasks[REMIND_REVIEWERS].delay()
                _until(lambda: len(_outbox(app)) == before + 1, "write the reminder")
                reminder = _outbox(app)[-1][0]

                # The mail server is down: each e-mail (the reviewer's assignment too) is tried
                # once and kept for later, none sent.
                worker_celery.tasks[SEND_OUTBOX].delay()
                _until(lambda: all(row[2] == 1 for row in _outbox(app)), "try the e-mails")
                assert {row[1] for row in _outbox(app)} == {OutboxStatus.PENDING}

                # Back on the same port; the pause has passed (moved, not waited for).
                with smtp_mailbox(app, deliver=None, port=down) as mailbox:
                    with app.app_context():
                        db.session.execute(
                            sa.update(OutboxMessage)
                            .where(OutboxMessage.status == OutboxStatus.PENDING)
                            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
                        )
                        db.session.commit()
                        db.session.remove()
                    worker_celery.tasks[SEND_OUTBOX].delay()
                    worker_celery.tasks[SEND_OUTBOX].delay()  # two beats at once
                    queued = sorted(row[0] for row in _outbox(app))
                    _until(lambda: len(mailbox.received) >= len(queued), "send the e-mails")
                    time.sleep(1)  # time for a second, wrong, delivery to arrive
                    received = sorted(m["Subject"] for m in mailbox.received)

            assert reminder in received
            assert received == queued  # each e-mail exactly once
            assert {row[1:] for row in _outbox(app)} == {(OutboxStatus.SENT, 2)}
    finally:
        logging.getLogger().setLevel(root_level)
        app.config.update(CELERY_BROKER_URL=None, **saved_mail)
        app.extensions["celery"] = saved_celery
        saved_celery.set_default()
