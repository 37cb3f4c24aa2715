"""Prometheus metrics on /metrics, for the operators' scraper only.

Counted by the WSGI layer ``CountRequests`` (so pages the page cache answers count too): requests
by endpoint, method and status, and how long each took. Counted by the Celery worker: jobs that
failed. Read from the database at each scrape: the e-mail outbox's pending and failed messages
and the age of the oldest pending one, and how late Stripe's newest webhook reached us.

``MetricsEndpoint`` answers /metrics only to a client address within METRICS_ALLOWED_ADDRESSES
or a request carrying METRICS_TOKEN as its bearer token: the figures say how busy the fund is
and when its mail fails, which is nobody else's business. It sits inside the trusted-proxy layer,
so the address it judges is the client's, not the proxy's.

Under gunicorn each worker process counts on its own; with PROMETHEUS_MULTIPROC_DIR set (before
the app starts: README, Operations) the processes share their counts through files there.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from celery.signals import task_failure
from flask import Flask
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from app.platform.db import UTCDateTime, utcnow
from app.platform.extensions import db

METRICS_PATH = "/metrics"
# The label of a request no route matched (a 404 or 405): one label, however many addresses.
UNMATCHED = "unmatched"

logger = logging.getLogger(__name__)

REQUESTS = Counter(
    "trustfund_http_requests",
    "HTTP requests answered, by endpoint, method and status.",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "trustfund_http_request_duration_seconds",
    "Time to answer a request (until its status and headers are ready), by endpoint.",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
JOBS_FAILED = Counter(
    "trustfund_jobs_failed",
    "Background jobs (Celery tasks) that ended in an error, by task.",
    ["task"],
)

# The tables read at each scrape, by name: importing the features' models would make this shared
# block depend on the features built on it.
_outbox = sa.table(
    "outbox_messages",
    sa.column("status", sa.String()),
    sa.column("created_at", UTCDateTime()),
)
_stripe_events = sa.table(
    "stripe_events",
    sa.column("received_at", UTCDateTime()),
    sa.column("stripe_created_at", UTCDateTime()),
)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class CountRequests:
    """WSGI layer: count each request and time it, labelled by the endpoint its address names."""

    def __init__(self, wsgi_app: WsgiApp, *, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        started = time.perf_counter()
        status = ["500"]

        def start(code: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            status[0] = code.split(" ", 1)[0]
            return start_response(code, headers, *args)

        try:
            return self.wsgi_app(environ, start)
        finally:
            endpoint = self.endpoint_of(environ)
            REQUESTS.labels(endpoint, environ.get("REQUEST_METHOD", ""), status[0]).inc()
            LATENCY.labels(endpoint).observe(time.perf_counter() - started)

    def endpoint_of(self, environ: dict[str, Any]) -> str:
        """The route's endpoint name, as Flask would match it; never the raw address, which
        would make one series per document or grant."""
        adapter = self.app.url_map.bind("localhost", script_name=environ.get("SCRIPT_NAME") or None)
        try:
            endpoint, _arguments = adapter.match(
                environ.get("PATH_INFO") or "/", method=environ.get("REQUEST_METHOD")
            )
        except RequestRedirect:
            return "redirect"
        except HTTPException:
            # /metrics is answered before Flask, which has no route for it.
            return "metrics" if environ.get("PATH_INFO") == METRICS_PATH else UNMATCHED
        return str(endpoint)


class MetricsEndpoint:
    """WSGI layer answering GET /metrics to the allowed addresses and the token's bearer."""

    def __init__(
        self,
        wsgi_app: WsgiApp,
        *,
        app: Flask,
        allowed: list[Network],
        token: str,
    ) -> None:
        self.wsgi_app = wsgi_app
        self.readings = DatabaseReadings(app)
        self.allowed = allowed
        self.token = token

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") != METRICS_PATH:
            return self.wsgi_app(environ, start_response)
        if not self.permitted(environ):
            start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"Forbidden\n"]
        body = exposition(self.readings)
        start_response(
            "200 OK",
            [
                ("Content-Type", CONTENT_TYPE_LATEST),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]

    def permitted(self, environ: dict[str, Any]) -> bool:
        if self.token:
            scheme, _space, offered = str(environ.get("HTTP_AUTHORIZATION") or "").partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(
                offered.strip().encode(), self.token.encode()
            ):
                return True
        try:
            client = ipaddress.ip_address(environ.get("REMOTE_ADDR") or "")
        except ValueError:
            return False
        return any(client in network for network in self.allowed)


def allowed_networks(addresses: list[str]) -> list[Network]:
    """METRICS_ALLOWED_ADDRESSES as networks; a wrong entry stops the start, naming the setting."""
    networks = []
    for address in addresses:
        try:
            networks.append(ipaddress.ip_network(address, strict=False))
        except ValueError:
            raise ValueError(
                f"METRICS_ALLOWED_ADDRESSES: {address!r} is not an IP address or network."
            ) from None
    return networks


def exposition(readings: Collector) -> bytes:
    """Every process's counts (one process's, without PROMETHEUS_MULTIPROC_DIR), then the
    database's readings."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)  # type: ignore[no-untyped-call]
    else:
        counted = REGISTRY
    read = CollectorRegistry(auto_describe=False)
    read.register(readings)
    return generate_latest(counted) + generate_latest(read)


class DatabaseReadings(Collector):
    """Figures read from the database when scraped: they are the same for every process."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with self.app.app_context():
                try:
                    yield from self._read(utcnow())
                finally:
                    db.session.remove()
        except sa.exc.SQLAlchemyError:
            # The scrape still answers with the counts; the scraper sees the readings missing.
            logger.exception("metrics: the database readings failed")

    def _read(self, now: datetime) -> Iterator[GaugeMetricFamily]:
        waiting = GaugeMetricFamily(
            "trustfund_outbox_messages",
            "E-mails in the outbox not yet sent: pending (to send or retry) and failed (given up, "
            "shown to the administrator).",
            labels=["status"],
        )
        counts = dict.fromkeys(("pending", "failed"), 0)
        rows = db.session.execute(
            sa.select(_outbox.c.status, sa.func.count())
            .where(sa.text("status IN ('pending', 'failed')"))
            .group_by(_outbox.c.status)
        )
        for status, count in rows:
            counts[str(status)] = int(count)
        for status, count in counts.items():
            waiting.add_metric([status], count)
        yield waiting

        oldest = db.session.execute(
            sa.select(sa.func.min(_outbox.c.created_at)).where(sa.text("status = 'pending'"))
        ).scalar()
        yield GaugeMetricFamily(
            "trustfund_outbox_oldest_pending_age_seconds",
            "Age of the oldest e-mail still pending (0 when none): grows when nothing sends.",
            value=_seconds_between(oldest, now),
        )

        newest = db.session.execute(
            sa.select(_stripe_events.c.received_at, _stripe_events.c.stripe_created_at)
            .order_by(_stripe_events.c.received_at.desc())
            .limit(1)
        ).first()
        lag = GaugeMetricFamily(
            "trustfund_stripe_webhook_lag_seconds",
            "How long after Stripe made it the newest stored webhook event reached us (events "
            "are applied as they are stored); grows while Stripe retries deliveries we refused.",
        )
        if newest is not None and newest.stripe_created_at is not None:
            lag.add_metric([], _seconds_between(newest.stripe_created_at, newest.received_at))
        yield lag


def _seconds_between(earlier: datetime | None, later: datetime) -> float:
    if earlier is None:
        return 0.0
    return max(0.0, (later - earlier).total_seconds())


def _count_failed_job(sender: Any = None, **_details: Any) -> None:
    JOBS_FAILED.labels(getattr(sender, "name", None) or "unknown").inc()


def install(app: Flask) -> None:
    """Put /metrics in front of ``app``'s pages; count failed jobs in this process."""
    app.wsgi_app = MetricsEndpoint(  # type: ignore[method-assign]
        app.wsgi_app,
        app=app,
        allowed=allowed_networks(list(app.config["METRICS_ALLOWED_ADDRESSES"])),
        token=str(app.config.get("METRICS_TOKEN") or ""),
    )
    task_failure.connect(_count_failed_job, weak=False, dispatch_uid="trustfund-failed-jobs")
