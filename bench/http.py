"""HTTP pages under gunicorn on PostgreSQL with the large data set, against a minimal Flask app.

Both apps run under the production gunicorn configuration (``docker/gunicorn.conf.py``, the
same WEB_CONCURRENCY workers), one after the other, and wrk loads each page for the same time:

* ``/dashboard`` signed in as a fund manager (the bench's own user,
  ``bench-fund-manager@bench.test``, made once: production refuses the demo logins; session
  cookie made with the app's key),
* ``/transparency`` (public),
* ``/applications/all`` (the fund manager's list of 100,000 applications),
* the minimal app's ``/`` (bench/minimal_app.py), measured before and after the pages.

Every page is made on every request (the page memo that once answered a repeated request from
memory is gone: under writes it never answered, decision 0119; bench/scenarios.py measures pages
under writes).

Run it as ``python -m bench.http`` (or ``make bench``), not as a script path: this module's
name would then hide the standard library's ``http``. One JSON line per page and setting: rps,
the minimal app's rps (mean of its two runs), their ratio and the page's 99th percentile
latency. Targets (issue 8): ratio >= 0.25, p99 < 150 ms. Each measurement gets a freshly
started server, so a slow page's queued requests cannot delay the next one.

The database (BENCH_HTTP_DATABASE_URL, default ``trustfund_bench_http`` on the local server) is
migrated and filled with ``flask demo --scale large`` once; later runs reuse it when its marker
says it holds that scale. Environment: BENCH_HTTP_SECONDS (default 15), BENCH_HTTP_CONNECTIONS
(default 8), BENCH_HTTP_PAGES (comma-separated paths: only these), BENCH_HTTP_SCALE (default
large; ``small`` for a quick try), BENCH_HTTP_PORT (5201; the minimal app uses the next port),
WEB_CONCURRENCY (gunicorn workers, default 4 as in the Dockerfile).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/trustfund_bench_http"
SECRET_KEY = "bench-http-secret-key-not-for-production"  # noqa: S105 - local bench only
USER_AGENT = "trustfund-bench-http"
PAGES = [
    ("/dashboard", "fund_manager"),
    ("/transparency", None),
    ("/applications/all", "fund_manager"),
]


def _settings() -> dict[str, Any]:
    return {
        "url": os.environ.get("BENCH_HTTP_DATABASE_URL", DEFAULT_URL),
        "seconds": int(os.environ.get("BENCH_HTTP_SECONDS", "15")),
        "connections": int(os.environ.get("BENCH_HTTP_CONNECTIONS", "8")),
        "scale": os.environ.get("BENCH_HTTP_SCALE", "large"),
        "port": int(os.environ.get("BENCH_HTTP_PORT", "5201")),
        "workers": os.environ.get("WEB_CONCURRENCY", "4"),
    }


def _create_database_if_missing(url: sa.URL) -> None:
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
        ).scalar()
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    server.dispose()


def _drop_database(url: sa.URL) -> None:
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    server.dispose()


def _app(url: str) -> Any:
    from app import create_app
    from config.settings import normalise_database_url

    return create_app(
        "development", overrides={"SQLALCHEMY_DATABASE_URI": normalise_database_url(url)}
    )


def prepare_database(url: str, scale: str) -> None:
    """Migrate, and generate the scale unless the database already holds it."""
    from flask_migrate import upgrade

    from devtools.seed.scale import generated_scale

    sa_url = sa.make_url(url)
    _create_database_if_missing(sa_url)
    app = _app(url)
    with app.app_context():
        upgrade()
        held = generated_scale()
    if held == scale:
        print(f"bench http: reusing {sa_url.database} (scale {scale})", file=sys.stderr)
        return
    if held is not None:
        _drop_database(sa_url)
        _create_database_if_missing(sa_url)
        with _app(url).app_context():
            upgrade()
    print(f"bench http: generating the {scale} data set (a few minutes)", file=sys.stderr)
    env = {**os.environ, "DATABASE_URL": url, "APP_ENV": "development"}
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "demo", "--quiet", "--scale", scale],
        cwd=ROOT,
        env=env,
        check=True,
    )
    # Fresh statistics for the planner, as autovacuum would give a long-running database.
    engine = sa.create_engine(sa_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()


def bench_user(role_name: str) -> Any:
    """The bench's own staff user with this role (made once in the bench database).

    Not a demo login: production refuses those (their password is published).
    """
    from app.accounts.models import Role, User
    from app.platform.extensions import db
    from tests.factories import user_with

    email = f"bench-{role_name.replace('_', '-')}@bench.test"
    user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = user_with(Role(role_name), email=email, full_name=f"Bench {role_name}")
        db.session.commit()
    return user


def user_cookie(app: Any, user: Any) -> str:
    """A signed session cookie for ``user``, as the app would set after sign-in."""
    from flask.sessions import SecureCookieSessionInterface
    from flask_login.utils import _create_identifier

    # As a browser holds it after signing in and a first page: the user, Flask-Login's
    # fingerprint of the browser (client address and User-Agent, as wrk sends them) and the
    # CSRF secret. Without the last two every answer would set a new cookie, which wrk,
    # unlike a browser, never sends back.
    with app.test_request_context(
        environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}
    ):
        fingerprint = _create_identifier()
    data = {
        "_user_id": user.get_id(),
        "_fresh": True,
        "_id": fingerprint,
        "csrf_token": hashlib.sha1(str(user.id).encode()).hexdigest(),  # noqa: S324 - fixed
    }
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    return f"session={serializer.dumps(data)}"


def session_cookie(url: str, role_name: str) -> str:
    """A signed session cookie for the bench's staff user with this role."""
    app = _app(url)
    app.config["SECRET_KEY"] = SECRET_KEY
    with app.app_context():
        return user_cookie(app, bench_user(role_name))


def _start_gunicorn(module: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(ROOT / "docker" / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        module,
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                return process
        except OSError as error:
            if getattr(error, "code", None):  # an HTTP answer (a redirect or 404): it runs
                return process
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"gunicorn {module} did not start on port {port}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, *, seconds: int, connections: int, cookie: str | None) -> dict[str, float]:
    """Requests per second and the 99th percentile latency (ms) of one wrk run."""
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        url,
    ]
    command[1:1] = ["-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{output}")
    timeouts = re.search(r"timeout (\d+)", output)
    return {
        "rps": rps,
        "p99_ms": float(value) * _UNITS[unit],
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
    }


def _check_page(url: str, cookie: str | None) -> None:
    headers = {"User-Agent": USER_AGENT, **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        if response.status != 200 or response.url != url:
            raise RuntimeError(f"{url} answered {response.status} at {response.url}")


def _measure_page(url: str, cookie: str | None, run: dict[str, int]) -> dict[str, Any]:
    try:
        _check_page(url, cookie)
        # A warm-up: imports, template compilation, caches of every worker.
        wrk(url, seconds=max(3, run["seconds"] // 3), connections=run["connections"], cookie=cookie)
        result: dict[str, Any] = wrk(url, cookie=cookie, **run)
    except (OSError, RuntimeError) as error:
        # A page too slow to answer (or failing) is reported, not hidden.
        return {"rps": 0.0, "p99_ms": None, "error": str(error)[:200]}
    if result["rps"] == 0:
        result["p99_ms"] = None  # nothing answered within wrk's timeout
    return result


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("bench http needs wrk: apt-get install -y wrk (make bench does it)")
    settings = _settings()
    url, port = settings["url"], settings["port"]
    prepare_database(url, settings["scale"])
    cookies = {login: session_cookie(url, login) for _page, login in PAGES if login}
    env = {
        **os.environ,
        "APP_ENV": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        # wrk asks for 127.0.0.1: the only host production then answers.
        "PUBLIC_BASE_URL": "https://127.0.0.1",
        # Required in production; the pages measured send no e-mail (the outbox is not sent).
        "MAIL_SERVER": "127.0.0.1",
        "WEB_CONCURRENCY": settings["workers"],
        # The bench's session cookie stands for a signed-in fund manager; a real one would
        # have passed two-factor sign-in, which wrk cannot do.
        "REQUIRE_2FA_FOR_STAFF": "0",
        "TRUSTED_PROXIES": "0",
        "PYTHONPATH": str(ROOT),
        # Production keeps its rate-limit counters in Redis (the local server).
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
    }
    run = {"seconds": settings["seconds"], "connections": settings["connections"]}
    results: dict[str, dict[str, Any]] = {}
    minimal_runs: list[float] = []
    minimal = _start_gunicorn("bench.minimal_app:app", port + 1, env)
    try:
        minimal_runs.append(wrk(f"http://127.0.0.1:{port + 1}/", cookie=None, **run)["rps"])
    finally:
        _stop(minimal)
    only = os.environ.get("BENCH_HTTP_PAGES")
    pages = [(p, login) for p, login in PAGES if not only or p in only.split(",")]
    for page, login in pages:
        # A fresh server each time: a slow page's queued requests must not delay the next.
        server = _start_gunicorn("wsgi:app", port, env)
        try:
            results[page] = _measure_page(
                f"http://127.0.0.1:{port}{page}", cookies.get(login) if login else None, run
            )
        finally:
            _stop(server)
    minimal = _start_gunicorn("bench.minimal_app:app", port + 1, env)
    try:
        minimal_runs.append(wrk(f"http://127.0.0.1:{port + 1}/", cookie=None, **run)["rps"])
    finally:
        _stop(minimal)
    minimal_rps = sum(minimal_runs) / len(minimal_runs)
    for page, result in results.items():
        print(
            json.dumps(
                {
                    "bench": "http",
                    "variant": page,
                    "page": page,
                    "rps": round(result["rps"], 1),
                    "minimal_rps": round(minimal_rps, 1),
                    "ratio": round(result["rps"] / minimal_rps, 3),
                    "p99_ms": round(result["p99_ms"], 1) if result["p99_ms"] is not None else None,
                    # wrk stops at the first error answer (reported under "error"); timeouts.
                    "errors": result.get("timeouts", 0) + (1 if "error" in result else 0),
                    **({"timeouts": result["timeouts"]} if result.get("timeouts") else {}),
                    **({"error": result["error"]} if "error" in result else {}),
                    "workers": int(settings["workers"]),
                    "connections": settings["connections"],
                    "scale": settings["scale"],
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
