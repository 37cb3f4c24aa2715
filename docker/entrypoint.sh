#!/bin/sh
# Container entry point: bring the database schema up to date, then hand over to the command
# (gunicorn by default) so it runs as PID 1 and receives the stop signal itself.
set -eu

# Only the web server needs the schema first; `docker run IMAGE flask --app wsgi ...` runs as is.
# With several replicas, run migrations once (a release step) and start the others with
# RUN_MIGRATIONS=0.
if [ "${1:-}" = "gunicorn" ] && [ "${RUN_MIGRATIONS:-1}" != "0" ]; then
    echo "Applying database migrations"
    flask --app wsgi db upgrade
fi

exec "$@"
