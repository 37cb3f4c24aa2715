"""The Celery worker's entry point: ``celery -A app.worker worker --beat --loglevel INFO``.

Builds the Flask app from the environment (APP_ENV, DATABASE_URL, REDIS_URL, MAIL_*...) as
wsgi.py does for the web; app/tasks.py holds the tasks and their schedule.
"""

from __future__ import annotations

from app import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
