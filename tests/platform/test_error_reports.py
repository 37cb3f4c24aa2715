"""Error reports to Sentry only when SENTRY_DSN is set, without personal data."""

from __future__ import annotations

from typing import Any

import sentry_sdk

from app.platform.error_reports import install_error_reports, without_personal_data
from app.platform.logging import bound_request_id


def test_no_error_reports_without_a_dsn(app, monkeypatch):
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **options: started.append(options))
    monkeypatch.setitem(app.config, "SENTRY_DSN", "")
    assert install_error_reports(app) is False
    assert started == []


def test_with_a_dsn_reports_start_without_personal_data(app, monkeypatch):
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **options: started.append(options))
    monkeypatch.setitem(app.config, "SENTRY_DSN", "https://key@sentry.example.org/1")
    assert install_error_reports(app) is True
    (options,) = started
    assert options["dsn"] == "https://key@sentry.example.org/1"
    assert options["send_default_pii"] is False
    assert options["before_send"] is without_personal_data
    assert options["max_request_body_size"] == "never"


def test_a_report_loses_the_body_cookies_tokens_and_log_text():
    event = {
        "request": {
            "url": "https://grants.example.org/register",
            "method": "POST",
            "data": {"email": "victim@example.org", "password": "secret"},
            "cookies": {"session": "abc"},
            "query_string": "token=reset-link-token",
            "headers": {"Cookie": "session=abc", "Authorization": "Bearer x", "Accept": "*/*"},
        },
        "user": {"id": 42, "email": "victim@example.org", "ip_address": "198.51.100.7"},
        "breadcrumbs": {"values": [{"message": "E-mail to victim@example.org not sent"}]},
        "exception": {"values": [{"type": "RuntimeError"}]},
    }
    with bound_request_id("req-0123456789ab"):
        cleaned = without_personal_data(event, {})

    text = repr(cleaned)
    for secret in ("victim@example.org", "secret", "abc", "reset-link-token", "198.51.100.7"):
        assert secret not in text
    assert cleaned["request"]["headers"] == {"Accept": "*/*"}
    assert cleaned["user"] == {"id": 42}
    assert cleaned["tags"]["request_id"] == "req-0123456789ab"
    assert cleaned["exception"] == {"values": [{"type": "RuntimeError"}]}
