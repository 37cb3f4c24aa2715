"""Gunicorn settings for the production image; each can be overridden on the command line."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Several stateless workers; WEB_CONCURRENCY is the usual knob (about 2 x cores + 1).
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Heartbeat files on tmpfs: a container's overlay filesystem can stall workers.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - tmpfs inside the container, not a shared temp dir
# Recycle workers now and then so a slow leak can never take the service down.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# Gunicorn 24+ opens a control socket under $HOME, which is read-only for the app user here;
# nothing uses it (older versions ignore this setting).
control_socket_disable = True
