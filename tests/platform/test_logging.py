"""Log lines as JSON objects carrying the request id (echoed to the client and carried into the
jobs the request queues) and the signed-in user's id, never their e-mail address."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from flask import request_finished

from app.accounts.models import Role
from app.platform.logging import RequestIds, bound_request_id, current_request_id, formatter_for
from tests.factories import user_with


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_a_signed_in_request_logs_json_with_its_request_id_and_user_id(app, sign_in, capsys):
    user = user_with(Role.FUND_MANAGER, email="privacy@example.org")
    client = sign_in(user)
    logged = logging.getLogger("app.test")

    def log_line(sender: Any, **extra: Any) -> None:
        logged.warning("page answered")

    capsys.readouterr()
    with request_finished.connected_to(log_line, app):
        response = client.get("/dashboard")
    lines = [line for line in json_lines(capsys.readouterr().err) if line["logger"] == "app.test"]

    assert lines, "the view's log line was not written as JSON"
    line = lines[0]
    assert {"time", "level", "logger", "message", "request_id", "user_id"} <= set(line)
    assert line["level"] == "WARNING" and line["message"] == "page answered"
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["user_id"] == user.id
    assert "privacy@example.org" not in json.dumps(line)


def test_every_answer_has_a_fresh_request_id_and_a_client_cannot_choose_it(client):
    first = client.get("/healthz", headers={"X-Request-ID": "chosen-by-the-client"})
    second = client.get("/healthz")
    assert first.headers["X-Request-ID"] != "chosen-by-the-client"
    assert len(first.headers["X-Request-ID"]) == 32
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def _answer_with_id(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(current_request_id()).encode()]


@pytest.mark.parametrize(
    ("peer", "offered", "kept"),
    [
        ("10.0.0.2", "nginx-7f3a9c2e41d8", True),  # the trusted proxy's own id
        ("203.0.113.9", "nginx-7f3a9c2e41d8", False),  # a client reaching the app directly
        ("10.0.0.2", "bad id\nlevel=ERROR", False),  # not well-formed: could split a line
        ("10.0.0.2", "x" * 200, False),  # too long
    ],
)
def test_a_proxys_request_id_is_kept_only_from_a_trusted_proxy_and_well_formed(peer, offered, kept):
    from ipaddress import ip_network

    layer = RequestIds(_answer_with_id, networks=[ip_network("10.0.0.0/8")])
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *args: Any) -> None:
        seen.update(headers)

    environ = {"REMOTE_ADDR": peer, "HTTP_X_REQUEST_ID": offered}
    body = b"".join(layer(environ, start_response)).decode()

    assert body == seen["X-Request-ID"]  # the id logged is the id answered
    assert (body == offered) is kept


def test_text_logs_for_development_name_the_request(app):
    record = logging.LogRecord("app", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    record.request_id = "abcdef123456"
    assert formatter_for("text").format(record).endswith("INFO app [abcdef123456] hello you")
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        formatter_for("xml")


def test_a_job_queued_by_a_request_logs_with_that_requests_id(app):
    celery = app.extensions["celery"]
    seen: list[str | None] = []

    @celery.task(name="tests.operations.probe", shared=False)
    def probe() -> None:
        seen.append(current_request_id())

    with start_worker(celery, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        with bound_request_id("req-5d41402abc4b"):
            probe.apply_async()
        probe.apply_async()  # queued outside any request (as the beat does)
        deadline = time.monotonic() + 10
        while len(seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)

    assert seen[0] == "req-5d41402abc4b"
    assert seen[1] and seen[1] != "req-5d41402abc4b"  # its own id: its task id


@pytest.mark.parametrize("kind", ["json", "text"])
def test_an_e_mail_address_in_a_log_line_is_masked(kind):
    record = logging.LogRecord(
        "app.outbox",
        logging.WARNING,
        __file__,
        1,
        "E-mail %s to %s not sent",
        (7, "a.b+c@ngo.example.org"),
        None,
    )
    line = formatter_for(kind).format(record)
    assert "ngo.example.org" not in line and "a.b+c" not in line
    assert "E-mail 7 to [e-mail address] not sent" in line
