"""Logs: one JSON object a line (or lines for people in development), each carrying the id of the
request or job it belongs to and the signed-in user's id.

The request id is bound for the length of a request by ``RequestIds`` (outermost WSGI layer, so
it is echoed in ``X-Request-ID`` even on answers the page cache or WhiteNoise give). A Celery job
queued while it is bound carries it in a message header and binds it while it runs, so the
worker's lines join the request's; a job the beat queued gets its task id as its request id.
A proxy's ``X-Request-ID`` is taken only from a trusted proxy and only when well-formed: a
client's own header could otherwise write anything into the logs.

Log lines name people by id, never by e-mail address or name; an address that a message or a
library's text still carries is masked as the line is written (``without_addresses``).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any, TextIO

from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun
from flask import Flask
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_ENVIRON = "HTTP_X_REQUEST_ID"
# What a proxy's id may look like (nginx's $request_id, a UUID, a trace id): short, and nothing
# that could split a log line or pass for another field.
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")

# An e-mail address, wherever it appears in a line (a recipient, a form value in an error).
_EMAIL_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
MASKED_ADDRESS = "[e-mail address]"

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def current_request_id() -> str | None:
    """The id of the request or job being served, if any."""
    return _request_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def without_addresses(text: str) -> str:
    return _EMAIL_ADDRESS.sub(MASKED_ADDRESS, text) if "@" in text else text


def well_formed(request_id: str | None) -> bool:
    return bool(request_id) and _WELL_FORMED.fullmatch(request_id or "") is not None


@contextmanager
def bound_request_id(request_id: str | None) -> Iterator[str]:
    """Every log line written inside the block carries ``request_id`` (a new one if None)."""
    value = request_id if request_id and well_formed(request_id) else new_request_id()
    token = _request_id.set(value)
    try:
        yield value
    finally:
        _request_id.reset(token)


class RequestIds:
    """WSGI layer: bind each request's id and echo it in the answer's X-Request-ID header.

    The proxy's id is believed when the peer is one of the trusted proxies (``networks``; none
    when the app is not behind one), so one id follows a request from the proxy's log to ours.
    """

    def __init__(self, wsgi_app: WsgiApp, *, networks: list[Network]) -> None:
        self.wsgi_app = wsgi_app
        self.networks = networks

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        offered = environ.get(_REQUEST_ID_ENVIRON) if self._from_proxy(environ) else None
        with bound_request_id(offered) as request_id:

            def start(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
                headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
                headers.append((REQUEST_ID_HEADER, request_id))
                return start_response(status, headers, *args)

            return self.wsgi_app(environ, start)

    def _from_proxy(self, environ: dict[str, Any]) -> bool:
        try:
            peer = ipaddress.ip_address(environ.get("REMOTE_ADDR") or "")
        except ValueError:
            return False
        return any(peer in network for network in self.networks)


class _Context(logging.Filter):
    """Adds ``request_id`` and ``user_id`` (None when unknown) to every record."""

    def __init__(self, user_id: Callable[[], int | None]) -> None:
        super().__init__()
        self.user_id = user_id

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        try:
            record.user_id = self.user_id()
        except Exception:  # a log line is never lost to a failure of the context
            record.user_id = None
        return True


class _Json(JsonFormatter):
    """time, level, logger, message, request_id and user_id (when known), then any extra."""

    def __init__(self) -> None:
        super().__init__(
            ["asctime", "levelname", "name", "message"],
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")

    def format(self, record: logging.LogRecord) -> str:
        return without_addresses(super().format(record))

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        for key in ("request_id", "user_id"):
            if log_data.get(key) is None:
                log_data.pop(key, None)
        return log_data


class _Text(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is None:
            record.request_id = "-"
        return without_addresses(super().format(record))


class _StandardError(logging.StreamHandler[TextIO]):
    """Writes to whatever sys.stderr is at the time (a test's capture, a reopened stream)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def formatter_for(name: str) -> logging.Formatter:
    if name == "json":
        return _Json()
    if name == "text":
        return _Text()
    raise ValueError(f"LOG_FORMAT must be json or text, not {name!r}")


# The header a queued job carries the request id in (Celery keeps unknown headers on
# ``task.request``).
JOB_HEADER = "request_id"
_job_tokens: dict[str, Token[str | None]] = {}


def _carry_into_job(headers: dict[str, Any] | None = None, **_details: Any) -> None:
    request_id = _request_id.get()
    if request_id and headers is not None:
        headers.setdefault(JOB_HEADER, request_id)


def _bind_in_job(task_id: str | None = None, task: Any = None, **_details: Any) -> None:
    request = getattr(task, "request", None)
    # A worker keeps the message's own headers as attributes; Task.apply keeps them apart.
    carried = getattr(request, JOB_HEADER, None) or (getattr(request, "headers", None) or {}).get(
        JOB_HEADER
    )
    # Run in the queuing process (eagerly, in a test), the request's id is bound already.
    request_id = carried if well_formed(carried) else _request_id.get() or task_id
    if task_id:
        _job_tokens[task_id] = _request_id.set(request_id or new_request_id())


def _unbind_after_job(task_id: str | None = None, **_details: Any) -> None:
    token = _job_tokens.pop(task_id or "", None)
    if token is not None:
        _request_id.reset(token)


def _keep_our_logging(**_details: Any) -> None:
    """Celery configures logging only when nobody listens to setup_logging: the worker keeps
    the format and level install_logging set (its app is made before it starts)."""


def _connect_job_signals() -> None:
    before_task_publish.connect(_carry_into_job, weak=False, dispatch_uid="trustfund-carry-id")
    task_prerun.connect(_bind_in_job, weak=False, dispatch_uid="trustfund-bind-id")
    task_postrun.connect(_unbind_after_job, weak=False, dispatch_uid="trustfund-unbind-id")
    setup_logging.connect(_keep_our_logging, weak=False, dispatch_uid="trustfund-logging")


def install_logging(app: Flask, *, user_id: Callable[[], int | None]) -> None:
    """One handler on the root logger, in LOG_FORMAT at LOG_LEVEL; Flask's own is removed so each
    line is written once. ``user_id`` tells who is signed in, without loading anyone."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _StandardError)]:
        root.removeHandler(handler)  # a second app in the same process replaces the first's
    handler = _StandardError()
    handler.setFormatter(formatter_for(str(app.config.get("LOG_FORMAT") or "json")))
    handler.addFilter(_Context(user_id))
    root.addHandler(handler)
    root.setLevel(str(app.config.get("LOG_LEVEL") or "INFO").upper())
    app.logger.removeHandler(default_handler)
    _connect_job_signals()
