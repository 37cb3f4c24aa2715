"""Waking a worker for a job a page has just queued and committed."""

from __future__ import annotations

from flask import current_app


def wake_worker() -> None:
    """With Redis (REDIS_URL), ask a Celery worker to run the due jobs now rather than at the
    beat's next tick. Without it (``make run``, the tests), `flask outbox send --loop` runs them
    within seconds. A broker that is down costs only that wait: the job is in the database."""
    if not current_app.config.get("REDIS_URL"):
        return
    from app.tasks import run_jobs

    try:
        run_jobs.delay()
    except Exception:  # the beat runs it a few seconds later anyway
        current_app.logger.warning("jobs: could not wake a worker; the beat will run the job")
