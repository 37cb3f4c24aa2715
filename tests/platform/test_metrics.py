"""Prometheus metrics on /metrics: requests, latency, the outbox's queue, failed jobs; refused
to anyone but the allowed addresses and the token's bearer."""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.services import queue_email
from app.platform.extensions import db
from app.platform.metrics import JOBS_FAILED, allowed_networks


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one series in Prometheus' text format, or None when it is absent."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = rf"^{re.escape(name)}{re.escape('{' + wanted + '}') if labels else ''} (\S+)$"
    match = re.search(pattern, text, re.MULTILINE)
    return float(match.group(1)) if match else None


def scrape(client, **kwargs) -> str:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith("text/plain")
    return response.get_data(as_text=True)


def test_requests_are_counted_by_endpoint_and_status_and_timed(client):
    before = scrape(client)
    count = "trustfund_http_requests_total"
    labels = {"endpoint": "main.healthz", "method": "GET", "status": "200"}
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no-such-page-4711")
    after = scrape(client)

    assert (sample(after, count, **labels) or 0) - (sample(before, count, **labels) or 0) == 2
    assert sample(after, count, endpoint="unmatched", method="GET", status="404")
    # One series per route, never per address: the missing page's path is nowhere.
    assert "no-such-page-4711" not in after
    timed = "trustfund_http_request_duration_seconds_count"
    assert (sample(after, timed, endpoint="main.healthz") or 0) >= 2


def test_the_outbox_queue_and_its_failures_are_read_from_the_database(client):
    queue_email(to="someone@example.org", subject="Pending", body="-")
    failed_key = queue_email(to="other@example.org", subject="Failed", body="-")
    db.session.execute(
        sa_update_status(failed_key, OutboxStatus.FAILED)  # every attempt failed
    )
    db.session.commit()
    text = scrape(client)

    assert sample(text, "trustfund_outbox_messages", status="pending") >= 1
    assert sample(text, "trustfund_outbox_messages", status="failed") >= 1
    assert sample(text, "trustfund_outbox_oldest_pending_age_seconds") is not None
    assert "someone@example.org" not in text


def sa_update_status(key: str, status: OutboxStatus):
    import sqlalchemy as sa

    return (
        sa.update(OutboxMessage).where(OutboxMessage.idempotency_key == key).values(status=status)
    )


def test_failed_jobs_are_counted_by_task(app):
    celery = app.extensions["celery"]

    @celery.task(name="tests.operations.broken", shared=False)
    def broken() -> None:
        raise RuntimeError("the job broke")

    before = JOBS_FAILED.labels("tests.operations.broken")._value.get()
    broken.apply()  # run as a worker runs it: the error is caught and reported
    assert JOBS_FAILED.labels("tests.operations.broken")._value.get() == before + 1


def test_metrics_are_refused_to_other_addresses_and_wrong_tokens(client):
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=outside).status_code == 403
    assert (
        client.get(
            "/metrics", environ_base=outside, headers={"Authorization": "Bearer guessed"}
        ).status_code
        == 403
    )


def test_a_scraper_elsewhere_may_read_them_with_the_token(app):
    token = "scrape-4b1c8e0d3a9f7e6b"
    other = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "METRICS_TOKEN": token,
            "METRICS_ALLOWED_ADDRESSES": ["10.1.0.0/16"],
        },
    )
    client = other.test_client()
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=outside).status_code == 403
    assert client.get("/metrics").status_code == 403  # 127.0.0.1 is no longer allowed
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    granted = client.get(
        "/metrics", environ_base=outside, headers={"Authorization": f"Bearer {token}"}
    )
    assert granted.status_code == 200
    assert "trustfund_http_requests_total" in granted.get_data(as_text=True)


def test_behind_the_proxy_the_client_address_is_judged_not_the_proxys(app):
    other = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "TRUSTED_PROXIES": 1,
        },
    )
    client = other.test_client()
    # The proxy on the same machine (127.0.0.1) forwards a visitor from outside.
    forwarded = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert forwarded.status_code == 403
    assert client.get("/metrics").status_code == 200  # a scraper on the machine itself


def test_a_wrong_allowed_address_stops_the_start():
    with pytest.raises(ValueError, match="METRICS_ALLOWED_ADDRESSES"):
        allowed_networks(["127.0.0.1", "localhost"])


def test_the_webhook_lag_is_how_late_the_newest_stripe_event_arrived(client):
    from datetime import timedelta

    from app.donations.models import StripeEvent
    from app.platform.db import utcnow

    received = utcnow() + timedelta(days=1)  # newer than any other event of the run
    db.session.add(
        StripeEvent(
            id="evt_metrics_lag",
            type="payment_intent.succeeded",
            stripe_created_at=received - timedelta(seconds=90),
            received_at=received,
            outcome="ignored",
        )
    )
    db.session.commit()
    assert sample(scrape(client), "trustfund_stripe_webhook_lag_seconds") == 90.0
