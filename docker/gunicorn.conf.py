"""Gunicorn settings for the production image; each can be overridden on the command line."""

import gc
import os
import shutil
import tempfile
from pathlib import Path

# Every interface of the container, so that Docker can forward to it; only the reverse proxy
# may reach it (publish the port on 127.0.0.1 or on the proxy's network only: README
# "Deploying to production"). X-Forwarded-For is believed only from TRUSTED_PROXY_ADDRESSES.
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Several stateless workers; WEB_CONCURRENCY is the usual knob (about 2 x cores + 1).
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Heartbeat files on tmpfs: a container's overlay filesystem can stall workers.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - tmpfs inside the container, not a shared temp dir
# The app is loaded once in the master and forked: a worker starts in milliseconds instead of
# the 1.4 s of CPU an import costs, and the workers share the loaded code's memory.
preload_app = True
# Recycle workers now and then so a slow leak can never take the service down, but rarely: a new
# worker starts with empty caches (the reporting figures take seconds to compute at scale), and
# at 2,000 requests a busy worker was being replaced every few seconds (bench/http.py).
max_requests = 20000
max_requests_jitter = 2000
accesslog = "-"
errorlog = "-"
# Gunicorn 24+ opens a control socket under $HOME, which is read-only for the app user here;
# nothing uses it (older versions ignore this setting).
control_socket_disable = True

# /metrics adds up the counts of every worker (prometheus-client's multiprocess mode): the
# processes write them to files in one folder, which must be set before the app is imported
# (this file is read first) and empty when the server starts. PROMETHEUS_MULTIPROC_DIR names it;
# unset, each server gets a fresh folder of its own (on tmpfs when there is one).
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(
        prefix="trustfund-metrics-",
        dir="/dev/shm" if os.path.isdir("/dev/shm") else None,  # noqa: S108 - mkdtemp: private
    )


def on_starting(server):
    """Empty the metrics folder: counts left by an earlier server would be added to ours."""
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.iterdir():
        if leftover.is_dir():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()


def pre_fork(server, worker):
    """Keep the preloaded app's objects out of every garbage collection in the workers.

    A full collection walks every tracked object: with the app's 200,000 or so (SQLAlchemy,
    Babel's locale data, the templates) it paused a worker for about 100 ms now and then, which
    showed as the slowest requests of a busy list page (bench/http.py p99 170 ms). Frozen,
    they are never scanned, and never written to by the collector, so the workers keep sharing
    their memory pages with the master.
    """
    gc.freeze()


def post_fork(server, worker):
    """Drop database connections the master may have opened: they must not be shared."""
    app = server.app.wsgi()
    if "sqlalchemy" not in getattr(app, "extensions", {}):
        return  # another app under the same settings (bench/minimal_app.py)
    from app.platform.extensions import db

    with app.app_context():
        db.engine.dispose(close=False)


def child_exit(server, worker):
    """A worker ended (recycled, or killed after its timeout): its counts stay in the folder and
    keep being added up; prometheus-client forgets its live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
