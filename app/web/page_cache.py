"""Busy signed-in pages answered again from memory while the database is unchanged.

A staff page such as the dashboard or the fund's application list costs a few milliseconds of
queries and templates on every view, though its content changes only when something is
written. This layer, outside Flask, remembers such a page's whole response and gives it back
for the *same request* while *nothing has been written to the database* since it was made.

"The same request" means every header of it (so the same session cookie: the same person in
the same browser session, with the same language and CSRF secret), the same address and query,
the same client address, on the same day (UTC). The app is a function of the request, the
database and the day for these pages, so the remembered answer is the one the app would give.
Nothing about who may see a page is decided here: the answer was made by the app, through
Flask-Login, the route's permission check and the two-factor rule, for this very cookie, and
anything that could change those decisions (signing out, which bumps the session version; a
role taken away; an account closed) is a database write, after which the page is made again.

"Nothing has been written": PostgreSQL's ``pg_current_snapshot()`` — the next transaction id
and those still running. Any transaction that writes gets an id, so any commit since the page
was made changes the text, and the text never goes back to an earlier value. It is read before
the page is made, so a commit during the making is caught too. (The newest audit id would not
do: ids are handed out at insert, not at commit.) Other databases have nothing like it: the
layer is off there (SQLite is for development and tests).

Only answers that are 200, HTML and set no cookie are remembered: a first visit that creates
the CSRF secret, a flashed message being shown (it is taken from the session) or a changed
session are made afresh. Remembered answers are forgotten after PAGE_CACHE_SECONDS whatever
happens (a page may show the day's figures cache, app/reporting/web/cache.py, no older than
that), and each process keeps at most PAGE_CACHE_MAX_BYTES of them, least recently used first
out. Views opt in with ``kept_per_reader``: only GET views without side effects, whose address
has no variable part, and whose page reads the clock no finer than the day.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

import psycopg
import sqlalchemy as sa
from flask import Flask

F = TypeVar("F", bound=Callable[..., Any])

# Request facts outside the headers that a page may depend on.
_REQUEST_FACTS = ("PATH_INFO", "QUERY_STRING", "REMOTE_ADDR", "SCRIPT_NAME", "wsgi.url_scheme")
# A bigger page is not kept (none of the kept pages comes near; their pages are 20-50 kB).
_MAX_PAGE_BYTES = 2 * 1024 * 1024


def kept_per_reader(view: F) -> F:
    """Mark a view whose answers may be remembered (see the module's text)."""
    view.kept_per_reader = True  # type: ignore[attr-defined]
    return view


class _Answer:
    __slots__ = ("body", "headers", "made_at", "status")

    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes, made_at: float):
        self.status, self.headers, self.body, self.made_at = status, headers, body, made_at


class KeptPages:
    """WSGI middleware around the Flask app; ``install(app)`` puts it in place."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]]):
        self.app = app
        self.wsgi_app = wsgi_app
        self.paths = _kept_paths(app)
        with app.app_context():
            self.engine = app.extensions["sqlalchemy"].engine
        self._answers: OrderedDict[Hashable, _Answer] = OrderedDict()
        self._bytes = 0  # the kept bodies' total size
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        config = self.app.config
        max_age = float(config.get("PAGE_CACHE_SECONDS", 0))
        if max_age <= 0 or environ.get("REQUEST_METHOD") != "GET":
            return self.wsgi_app(environ, start_response)
        if environ.get("PATH_INFO") not in self.paths:
            return self.wsgi_app(environ, start_response)
        written = self._database_written()
        if written is None:
            return self.wsgi_app(environ, start_response)
        key = _request_key(environ, written)
        now = time.monotonic()
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None and now - answer.made_at < max_age:
                self._answers.move_to_end(key)
            else:
                answer = None
        if answer is not None:
            start_response(answer.status, list(answer.headers))
            return [answer.body]
        return self._make_and_keep(environ, start_response, key, now)

    def _make_and_keep(
        self, environ: dict[str, Any], start_response: Callable[..., Any], key: Hashable, now: float
    ) -> Any:
        started: list[Any] = []

        def remember_start(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            started[:] = [status, headers]
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, remember_start)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status, headers = started
        if _worth_keeping(status, headers, body):
            limit = int(self.app.config.get("PAGE_CACHE_MAX_BYTES", 32 * 1024 * 1024))
            with self._lock:
                replaced = self._answers.pop(key, None)
                self._bytes -= len(replaced.body) if replaced else 0
                self._answers[key] = _Answer(status, list(headers), body, now)
                self._bytes += len(body)
                while self._bytes > limit:
                    _key, oldest = self._answers.popitem(last=False)
                    self._bytes -= len(oldest.body)
        return [body]

    def _database_written(self) -> str | None:
        """The database's snapshot text (see the module's text); None where there is none."""
        if self.engine.dialect.name != "postgresql":
            return None
        try:
            connection = self.engine.raw_connection()
        except sa.exc.SQLAlchemyError:
            return None  # the app answers, and reports the database's trouble its own way
        try:
            driver = connection.driver_connection
            # Autocommit for this one statement: no BEGIN and no ROLLBACK round trips. The
            # connection comes idle from the pool and goes back idle, as the pool expects.
            driver.autocommit = True
            try:
                row = driver.execute("SELECT pg_current_snapshot()::text").fetchone()
            finally:
                driver.autocommit = False
        except psycopg.Error:
            connection.invalidate()
            return None
        finally:
            connection.close()
        return str(row[0])

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._answers)


def install(app: Flask) -> KeptPages:
    """Wrap the app (once every view is registered) and return the layer."""
    layer = KeptPages(app, app.wsgi_app)
    app.wsgi_app = layer  # type: ignore[method-assign]
    app.extensions["kept_pages"] = layer
    return layer


def _kept_paths(app: Flask) -> frozenset[str]:
    return frozenset(
        rule.rule
        for rule in app.url_map.iter_rules()
        if not rule.arguments
        and "GET" in (rule.methods or ())
        and getattr(app.view_functions.get(rule.endpoint), "kept_per_reader", False)
    )


# Headers a proxy or tracer makes unique per request and that nothing in the app reads: in the
# key they would make every request a new one. Any other header counts.
_TRACING_HEADERS = frozenset(
    {
        "HTTP_CF_RAY",
        "HTTP_TRACEPARENT",
        "HTTP_TRACESTATE",
        "HTTP_X_AMZN_TRACE_ID",
        "HTTP_X_B3_SPANID",
        "HTTP_X_B3_TRACEID",
        "HTTP_X_CLOUD_TRACE_CONTEXT",
        "HTTP_X_CORRELATION_ID",
        "HTTP_X_REQUEST_ID",
        "HTTP_X_REQUEST_START",
    }
)


def _request_key(environ: dict[str, Any], written: str) -> Hashable:
    headers = tuple(
        sorted(
            (k, v)
            for k, v in environ.items()
            if k.startswith("HTTP_") and k not in _TRACING_HEADERS
        )
    )
    facts = tuple(environ.get(name) for name in _REQUEST_FACTS)
    return (written, datetime.now(UTC).date(), facts, headers)


def _worth_keeping(status: str, headers: list[tuple[str, str]], body: bytes) -> bool:
    if not status.startswith("200 ") or len(body) > _MAX_PAGE_BYTES:
        return False
    names = {name.lower(): value for name, value in headers}
    return "set-cookie" not in names and names.get("content-type", "").startswith("text/html")
