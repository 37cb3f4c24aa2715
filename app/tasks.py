"""Celery: the worker that sends the e-mail outbox, and its schedule (broker: REDIS_URL).

Set up the way Flask's documentation does it ("Background Tasks with Celery"): one Celery app
per Flask app, every task run inside the Flask app's context. The worker and its scheduler run
as ``celery -A app.worker worker --beat``; ``make run`` needs neither (it runs
``flask outbox send --loop``), and the tests call the sender directly.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import Celery, Task, shared_task
from flask import Flask

SEND_OUTBOX = "outbox.send_due"


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
            }
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


@shared_task(name=SEND_OUTBOX)
def send_outbox() -> dict[str, int]:
    """Send every e-mail that is due (app/outbox/sending.py); run by the beat every few seconds."""
    from app.outbox.sending import send_due
    from app.platform.extensions import db

    try:
        return asdict(send_due())
    finally:
        db.session.remove()
