"""Scale-out, shown: two web servers and two workers on one machine, sharing one database,
one Redis and one object store, serve one fund without sending any e-mail twice.

``python -m bench.scale_out`` (``make scale-check``) starts, on this machine:

* PostgreSQL: a database of its own (SCALE_DATABASE_URL, default ``trustfund_scale_out``),
  dropped and made afresh, migrated;
* Redis: a database number of its own (SCALE_REDIS_URL, default ``redis://127.0.0.1:6379/9``),
  emptied before and after: the Celery broker and the sign-in rate limits;
* S3-compatible storage: moto's server mode (``moto[server]``, the dev extra) with a bucket for
  the uploads (UPLOAD_STORAGE=s3://…, S3_ENDPOINT_URL);
* a mail server: aiosmtpd in this process, keeping every message it receives;
* Stripe: localstripe (the dev extra's fake Stripe), which sends its webhooks to both servers;
* two gunicorn servers (``docker/gunicorn.conf.py``, production settings, two workers each), two
  Celery workers and one Celery beat, as compose.yaml runs them.

Then it drives, alternating between the two servers at every step:

* a card gift: the Give page and its start on A, the card saved at Stripe, the confirmation on
  B; Stripe's ``payment_intent.succeeded`` reaches both A and B (the same event twice);
* an application: the NGO uploads its proposal on A (stored in the bucket), sees the
  check-your-answers page on B and submits it there; the fund manager downloads the proposal
  from A;
* a tranche, maker-checker: requested on A, approved on B, sent on A, confirmed paid on B.

And checks: the gift is recorded once with one receipt; the file is in the bucket; every e-mail
the outbox holds was received exactly once by the mail server (by Message-ID), none is pending
or failed, and nothing else arrived; ``flask ledger verify`` passes. One JSON line says what was
done and how long it took; the exit status is 0 when every check held.
"""

from __future__ import annotations

import email
import email.policy
import http.client
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.http import ROOT, USER_AGENT, _create_database_if_missing, _drop_database, user_cookie

SECRET_KEY = "scale-out-secret-key-not-for-production-0123456789"  # noqa: S105 - local check only
STRIPE_KEY = "sk_test_scale_out"
PUBLISHABLE_KEY = "pk_test_scale_out"
WEBHOOK_SECRET = "whsec_scale_out"  # noqa: S105 - local check only
BUCKET = "trustfund-scale-out"
VISA = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_CSRF = re.compile(
    r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"|'
    r'<input[^>]*value="([^"]+)"[^>]*name="csrf_token"'
)


class CheckFailed(AssertionError):
    """One of the checks did not hold."""


def check(condition: Any, what: str) -> None:
    if not condition:
        raise CheckFailed(what)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the processes --------------------------------------------------------------------------


class Processes:
    """The processes started, each in a session of its own (stopped with its children), their
    output in a log file each."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (self.work / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append((name, process))
        return process

    def log(self, name: str) -> str:
        path = self.work / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_until(self, name: str, ready: Callable[[], bool], seconds: float = 60) -> None:
        process = dict(self.started)[name]
        deadline = time.monotonic() + seconds
        while not ready():
            if process.poll() is not None or time.monotonic() > deadline:
                raise CheckFailed(f"{name} did not start:\n{self.log(name)[-3000:]}")
            time.sleep(0.2)

    def stop_all(self) -> None:
        for _name, process in reversed(self.started):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _name, process in reversed(self.started):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def answers(url: str) -> Callable[[], bool]:
    def ready() -> bool:
        parts = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=3)
        try:
            connection.request("GET", parts.path or "/")
            connection.getresponse().read()
            return True
        except OSError:
            return False
        finally:
            connection.close()

    return ready


def worker_ready(processes: Processes, name: str) -> Callable[[], bool]:
    return lambda: " ready." in processes.log(name)


# --- the mail server ------------------------------------------------------------------------


class Captured:
    """aiosmtpd's handler: every message received, parsed."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@contextmanager
def mail_server(port: int) -> Iterator[Captured]:
    from aiosmtpd.controller import Controller

    captured = Captured()
    controller = Controller(captured, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield captured
    finally:
        controller.stop()


# --- a browser, by HTTP ---------------------------------------------------------------------


class Browser:
    """One person's browser: their cookies, sent to whichever server is asked (both share the
    signing key, the database and Redis, so a session is good on either)."""

    def __init__(self, cookie: str = "") -> None:
        self.cookies: dict[str, str] = {}
        if cookie:
            name, _eq, value = cookie.partition("=")
            self.cookies[name] = value
        self.csrf = ""

    def request(
        self,
        method: str,
        url: str,
        *,
        form: dict[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        parts = urllib.parse.urlsplit(url)
        sent = {"User-Agent": USER_AGENT, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body: bytes | None = None
        if files is not None:
            boundary = uuid.uuid4().hex
            chunks = []
            for name, value in (form or {}).items():
                chunks.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    f"{value}\r\n".encode()
                )
            for name, (filename, data, content_type) in files.items():
                chunks.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                    f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
                    + data
                    + b"\r\n"
                )
            body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
            sent["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif form is not None:
            body = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        try:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _eq, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            found = _CSRF.search(data.decode(errors="replace"))
            if found:
                self.csrf = found.group(1) or found.group(2)
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            connection.close()

    def get(self, url: str, expect: int = 200) -> bytes:
        status, _headers, data = self.request("GET", url)
        check(status == expect, f"GET {url}: {status}, expected {expect}")
        return data

    def post(self, url: str, form: dict[str, str], expect: int = 302, **kwargs: Any) -> bytes:
        status, _headers, data = self.request(
            "POST", url, form={"csrf_token": self.csrf, **form}, **kwargs
        )
        check(status == expect, f"POST {url}: {status}, expected {expect}: {data[:600]!r}")
        return data


# --- the data the journeys start from -------------------------------------------------------


def _setup_app(url: str) -> Any:
    from app import create_app
    from config.settings import normalise_database_url

    app = create_app(
        "development", overrides={"SQLALCHEMY_DATABASE_URI": normalise_database_url(url)}
    )
    app.config["SECRET_KEY"] = SECRET_KEY
    return app


def prepare(url: str) -> dict[str, Any]:
    """A fresh, migrated database with: an open call asking for a proposal and a verified NGO
    with its application filled in (no file yet); a fund manager; an active grant with money
    in the fund and two finance officers; session cookies for each person."""
    from flask_migrate import upgrade

    from app.accounts.models import Role
    from app.applications import services as applications
    from app.applications.models import BudgetCategory
    from app.applications.services import (
        ActivityData,
        BeneficiariesData,
        BudgetData,
        BudgetLineData,
        FocusData,
        LocationsData,
        SummaryData,
        WorkplanData,
    )
    from app.platform.categories import AgeGroup, Sex
    from app.platform.extensions import db
    from app.results.models import IndicatorUnit
    from tests.applications_support import applicant_of, ngo_organisation, open_call
    from tests.factories import user_with
    from tests.grants_support import USD, active_grant, fund
    from tests.results_support import framework_for

    logging.getLogger("alembic").setLevel(logging.WARNING)
    database = sa.make_url(url)
    _drop_database(database)
    _create_database_if_missing(database)
    app = _setup_app(url)
    with app.app_context():
        upgrade(revision="heads")  # a branch being merged may add a head of its own
        manager = user_with(Role.FUND_MANAGER, email="fund-manager@scale.example.org")
        call = open_call(manager, reference="SCALE-1", required_documents={"proposal": 1})
        organisation = ngo_organisation(name="Scale Haven", registration_number="SC-1")
        owner = applicant_of(organisation)
        application = applications.start_application(
            actor=owner, call=call, organisation=organisation
        )
        for data in (
            SummaryData("Shelter for survivors", "We will run a shelter.", "en", 6),
            LocationsData(["NG"], "Lagos"),
            FocusData(["armed_conflict"], ["sexual_exploitation"], ["shelter"]),
            BeneficiariesData(
                ["women_and_girls"], "Referred by police.", {(Sex.FEMALE, AgeGroup.ADULT): 40}
            ),
            WorkplanData([ActivityData("Run the shelter", 1, 6)]),
            BudgetData([BudgetLineData(BudgetCategory.DIRECT_ASSISTANCE, "Shelter", 1, 10_000_00)]),
        ):
            applications.save_section(
                actor=owner, application=application, data=data, expected_version=None
            )
        # A proposal states its results (RESULTS_FRAMEWORK_REQUIRED, on outside the tests).
        framework_for(application, ("VA-SHELTER", IndicatorUnit.PEOPLE, [40]))
        fund(100_000 * USD)
        grant = active_grant(fm=manager)
        maker = user_with(Role.FINANCE, email="finance-maker@scale.example.org")
        checker = user_with(Role.FINANCE, email="finance-checker@scale.example.org")
        tranche = sorted(grant.tranches, key=lambda t: t.number)[0]
        db.session.commit()
        plan = {
            "application_id": application.id,
            "tranche_id": tranche.id,
            "cookies": {
                name: user_cookie(app, user)
                for name, user in (
                    ("ngo", owner),
                    ("manager", manager),
                    ("maker", maker),
                    ("checker", checker),
                )
            },
        }
        db.engine.dispose()
    return plan


# --- the journeys ---------------------------------------------------------------------------


def give(a: str, b: str, stripe_base: str) -> str:
    """A card gift started on A, confirmed on B; returns its public token."""
    donor = Browser()
    donor.get(f"{a}/give")
    status, _headers, data = donor.request(
        "POST",
        f"{a}/give",
        form={
            "csrf_token": donor.csrf,
            "amount": "custom",
            "custom_amount": "42.50",
            "currency": "USD",
            "frequency": "one_off",
            "name": "Scale Giver",
            "email": "giver@scale.example.org",
            "recognition": "anonymous",
        },
        headers={"Accept": "application/json"},
    )
    check(status == 200, f"POST {a}/give: {status} {data[:600]!r}")
    started = json.loads(data)
    # What Stripe.js's confirmCardSetup posts from the donor's browser.
    setup_intent = started["client_secret"].split("_secret_")[0]
    status, _headers, data = Browser().request(
        "POST",
        f"{stripe_base}/v1/setup_intents/{setup_intent}/confirm",
        json_body={
            "key": PUBLISHABLE_KEY,
            "use_stripe_sdk": True,
            "client_secret": started["client_secret"],
            "payment_method_data": {"type": "card", "card": VISA, "billing_details": {}},
        },
    )
    check(status == 200 and json.loads(data)["status"] == "succeeded", f"card: {data[:300]!r}")
    status, _headers, data = donor.request(
        "POST",
        b + started["confirm_url"],
        json_body={"setup_intent": setup_intent},
        headers={"Accept": "application/json", "X-CSRFToken": donor.csrf},
    )
    check(status == 200, f"POST {b}{started['confirm_url']}: {status} {data[:600]!r}")
    return str(started["confirm_url"].split("/")[2])


def apply(a: str, b: str, cookies: dict[str, str], application_id: int) -> None:
    """The NGO uploads its proposal on A and submits on B."""
    ngo = Browser(cookies["ngo"])
    ngo.get(f"{a}/applications/{application_id}/sections/attachments")
    ngo.post(
        f"{a}/applications/{application_id}/attachments",
        {"kind": "proposal"},
        files={"file": ("proposal.pdf", PDF, "application/pdf")},
    )
    page = ngo.get(f"{b}/applications/{application_id}/submit")
    check(b"proposal.pdf" in page, "the check page on B lists the file uploaded on A")
    ngo.post(f"{b}/applications/{application_id}/submit", {"declaration": "y"})


def pay_tranche(a: str, b: str, cookies: dict[str, str], tranche_id: int) -> None:
    """Maker on A, checker on B, in turn."""
    maker, checker = Browser(cookies["maker"]), Browser(cookies["checker"])
    page = f"/grants/tranches/{tranche_id}"
    maker.get(a + page)
    maker.post(f"{a}{page}/request", {})
    checker.get(b + page)
    checker.post(f"{b}{page}/approve", {})
    maker.post(f"{a}{page}/send", {})
    checker.post(f"{b}{page}/paid", {"bank_reference": "BANK-SCALE-1"})


# --- the checks -----------------------------------------------------------------------------


def wait_for(what: str, found: Callable[[], Any], seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = found()
        if value:
            return value
        if time.monotonic() > deadline:
            raise CheckFailed(f"timed out waiting for {what}")
        time.sleep(0.3)


def check_records(app: Any, token: str, application_id: int, tranche_id: int) -> tuple[int, str]:
    """The gift recorded once with one receipt, the application submitted with its file (its
    id and storage key returned), the tranche paid."""
    from app.applications.models import Application, ApplicationStatus, Document
    from app.donations.models import DonationReceipt, Gift, GiftStatus, StripeEvent
    from app.grants.models import Tranche, TrancheStatus
    from app.platform.extensions import db

    with app.app_context():

        def recorded() -> Any:
            db.session.rollback()
            gift = db.session.execute(sa.select(Gift).where(Gift.public_token == token)).scalar()
            return gift if gift is not None and gift.status == GiftStatus.SUCCEEDED else None

        gift = wait_for("the gift recorded from Stripe's webhook", recorded)
        receipts = db.session.execute(
            sa.select(sa.func.count())
            .select_from(DonationReceipt)
            .where(DonationReceipt.gift_id == gift.id)
        ).scalar_one()
        check(receipts == 1, f"{receipts} receipts for one gift")
        events = db.session.execute(
            sa.select(sa.func.count())
            .select_from(StripeEvent)
            .where(StripeEvent.object_id == gift.stripe_payment_intent_id)
        ).scalar_one()
        check(events >= 1, "Stripe's event is stored")
        application = db.session.get(Application, application_id)
        check(
            application is not None and application.status == ApplicationStatus.SUBMITTED,
            "the application is submitted",
        )
        document = db.session.execute(
            sa.select(Document).where(Document.application_id == application_id)
        ).scalar_one()
        tranche = db.session.get(Tranche, tranche_id)
        check(tranche is not None and tranche.status == TrancheStatus.PAID, "the tranche is paid")
        found = (int(document.id), str(document.storage_key))
        db.session.remove()
    return found


def outbox_drained(app: Any, captured: Captured) -> dict[str, Any]:
    """Wait until no e-mail is pending and the mail server has as many as were sent; then
    every outbox message must have been received once, and nothing else."""
    from app.outbox.models import OutboxMessage, OutboxStatus
    from app.outbox.services import message_id
    from app.platform.extensions import db

    with app.app_context():
        domain = str(app.config["MAIL_DEFAULT_SENDER"]).rpartition("@")[2]

        def settled() -> list[OutboxMessage] | None:
            db.session.rollback()
            rows = list(db.session.execute(sa.select(OutboxMessage)).scalars())
            pending = [m for m in rows if m.status == OutboxStatus.PENDING]
            sent = [m for m in rows if m.status == OutboxStatus.SENT]
            if pending or len(captured.messages) < len(sent):
                return None
            return rows

        rows = wait_for("the outbox to be sent", settled)
        time.sleep(3)  # a beat or two more: anything sent twice would show now
        db.session.rollback()
        rows = list(db.session.execute(sa.select(OutboxMessage)).scalars())
        failed = [m.recipient for m in rows if m.status != OutboxStatus.SENT]
        check(not failed, f"e-mails not sent: {failed}")
        expected = {message_id(m, domain): m.recipient for m in rows}
        received = [str(m["Message-ID"]) for m in captured.messages]
        twice = sorted({i for i in received if received.count(i) > 1})
        check(not twice, f"e-mails received more than once: {twice}")
        check(set(received) == set(expected), "the mail server got exactly the outbox's e-mails")
        recipients = sorted(expected.values())
        db.session.remove()
    return {"e-mails": len(received), "recipients": recipients}


def webhooks_at_both(processes: Processes) -> None:
    """localstripe posts the event to both servers; each answers 200 (the second finds it
    recorded: nothing more is done)."""
    for name in ("web-a", "web-b"):
        wait_for(
            f"Stripe's webhook at {name}",
            lambda name=name: re.search(r'"POST /webhooks/stripe[^"]*" 200', processes.log(name)),
        )


def metrics_add_up(site: str, scrapes: int = 6) -> dict[str, float]:
    """Whichever of the server's gunicorn workers answers /metrics, it counts the requests every
    worker answered (docker/gunicorn.conf.py's multiprocess folder): the one gift started and
    the one tranche requested there are counted once in every scrape."""
    wanted = {
        'endpoint="donations.start_gift",method="POST",status="200"': 1.0,
        'endpoint="grants.request_tranche",method="POST",status="302"': 1.0,
    }
    for _ in range(scrapes):
        text = Browser().get(f"{site}/metrics").decode()
        for labels, count in wanted.items():
            found = re.search(
                r"^trustfund_http_requests_total\{" + re.escape(labels) + r"\} (\S+)$",
                text,
                re.MULTILINE,
            )
            check(
                found and float(found.group(1)) == count,
                f"/metrics on {site}: {labels} is {found and found.group(1)}, expected {count}",
            )
    return wanted


def race_the_workers(redis_url: str, tasks: int = 8) -> None:
    """Besides the beat's one a second, several sending tasks at once: both workers take some
    and claim the same due messages at the same moment (each is sent by one only)."""
    from celery import Celery

    client = Celery("scale-out", broker=redis_url)
    for _ in range(tasks):
        client.send_task("outbox.send_due")
    client.close()


def sent_by_worker(processes: Processes) -> dict[str, int]:
    """How many e-mails each Celery worker sent (its log of each outbox task's result)."""
    return {
        name: sum(
            int(n)
            for n in re.findall(
                r"outbox\.send_due\[[^]]*\] succeeded[^{]*\{'sent': (\d+)", processes.log(name)
            )
        )
        for name in ("worker-1", "worker-2")
    }


def ledger_verifies(env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "ledger", "verify"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    check(result.returncode == 0, f"flask ledger verify: {result.stdout}{result.stderr}")


# --- the run --------------------------------------------------------------------------------


def _settings() -> dict[str, str]:
    return {
        "url": os.environ.get(
            "SCALE_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/trustfund_scale_out"
        ),
        "redis": os.environ.get("SCALE_REDIS_URL", "redis://127.0.0.1:6379/9"),
        "workers": os.environ.get("SCALE_WEB_CONCURRENCY", "2"),
    }


def _flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


def run() -> dict[str, Any]:
    settings = _settings()
    began = time.monotonic()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.monotonic()
        timings[name] = round(now - since, 1)
        return now

    work = Path(tempfile.mkdtemp(prefix="trustfund-scale-out-"))
    processes = Processes(work)
    ports = {name: free_port() for name in ("a", "b", "s3", "smtp", "stripe")}
    a, b = f"http://127.0.0.1:{ports['a']}", f"http://127.0.0.1:{ports['b']}"
    s3 = f"http://127.0.0.1:{ports['s3']}"
    stripe_base = f"http://127.0.0.1:{ports['stripe']}"
    _flush_redis(settings["redis"])
    plan = prepare(settings["url"])
    setup_app = _setup_app(settings["url"])
    step = lap("database", began)
    env = {
        **{k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"},
        "APP_ENV": "production",
        "DATABASE_URL": settings["url"],
        "SECRET_KEY": SECRET_KEY,
        "PUBLIC_BASE_URL": "https://127.0.0.1",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(ports["smtp"]),
        "REDIS_URL": settings["redis"],
        "REQUIRE_2FA_FOR_STAFF": "0",  # the session cookies stand for signed-in staff
        "TRUSTED_PROXIES": "0",
        "PYTHONPATH": str(ROOT),
        "WEB_CONCURRENCY": settings["workers"],
        "STRIPE_SECRET_KEY": STRIPE_KEY,
        "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": stripe_base,
        "UPLOAD_STORAGE": f"s3://{BUCKET}/uploads",
        "S3_ENDPOINT_URL": s3,
        "S3_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "scale-out",
        "AWS_SECRET_ACCESS_KEY": "scale-out",  # moto takes any
        "OUTBOX_POLL_SECONDS": "1",
        "CELERY_BEAT_SCHEDULE_FILE": str(work / "celerybeat-schedule"),
    }
    with ExitStack() as stack:
        stack.callback(processes.stop_all)
        captured = stack.enter_context(mail_server(ports["smtp"]))
        python = sys.executable
        processes.start("s3", [python, "-m", "moto.server", "-p", str(ports["s3"])], env)
        processes.start(
            "stripe",
            [python, "-m", "localstripe", "--port", str(ports["stripe"]), "--from-scratch"],
            env,
        )
        gunicorn = [python, "-m", "gunicorn", "--config", str(ROOT / "docker/gunicorn.conf.py")]
        for name in ("a", "b"):
            processes.start(
                f"web-{name}",
                [*gunicorn, "--bind", f"127.0.0.1:{ports[name]}", "wsgi:app"],
                env,
            )
        celery = [python, "-m", "celery", "-A", "app.worker"]
        for number in (1, 2):
            processes.start(
                f"worker-{number}",
                [
                    *celery,
                    "worker",
                    "--concurrency",
                    "1",
                    "--prefetch-multiplier",
                    "1",
                    "--hostname",
                    f"scale{number}@%h",
                    "--loglevel",
                    "INFO",
                ],
                env,
            )
        processes.start("beat", [*celery, "beat", "--loglevel", "INFO"], env)
        processes.wait_until("s3", answers(s3))
        import boto3

        boto3.client(
            "s3",
            endpoint_url=s3,
            region_name="us-east-1",
            aws_access_key_id="scale-out",
            aws_secret_access_key="scale-out",  # noqa: S106 - moto's
        ).create_bucket(Bucket=BUCKET)
        processes.wait_until("stripe", answers(f"{stripe_base}/js.stripe.com/v3/"))
        for name, site in (("a", a), ("b", b)):
            status, _headers, data = Browser().request(
                "POST",
                f"{stripe_base}/_config/webhooks/scale-{name}",
                form={"url": f"{site}/webhooks/stripe", "secret": WEBHOOK_SECRET},
            )
            check(status == 200, f"localstripe webhook: {data!r}")
        processes.wait_until("web-a", answers(f"{a}/healthz"))
        processes.wait_until("web-b", answers(f"{b}/healthz"))
        for name in ("worker-1", "worker-2"):
            processes.wait_until(name, worker_ready(processes, name))
        processes.wait_until("beat", lambda: "beat: Starting" in processes.log("beat"))
        step = lap("start", step)

        try:
            token = give(a, b, stripe_base)
            apply(a, b, plan["cookies"], plan["application_id"])
            pay_tranche(a, b, plan["cookies"], plan["tranche_id"])
            race_the_workers(settings["redis"])
            document_id, key = check_records(
                setup_app, token, plan["application_id"], plan["tranche_id"]
            )
            download = Browser(plan["cookies"]["manager"]).get(
                f"{a}/applications/documents/{document_id}"
            )
            check(download == PDF, "the fund manager downloads from A the file uploaded on A")
            stored = boto3.client(
                "s3",
                endpoint_url=s3,
                region_name="us-east-1",
                aws_access_key_id="scale-out",
                aws_secret_access_key="scale-out",  # noqa: S106 - moto's
            ).list_objects_v2(Bucket=BUCKET)
            keys = [item["Key"] for item in stored.get("Contents", [])]
            check(any(stored_key.endswith(key) for stored_key in keys), f"the bucket holds {keys}")
            webhooks_at_both(processes)
            metrics_add_up(a)
            step = lap("journeys", step)
            mail = outbox_drained(setup_app, captured)
            mail["sent_by_worker"] = sent_by_worker(processes)
            mail["sending_tasks_by_worker"] = {
                name: len(re.findall(r"outbox\.send_due\[[^]]*\] succeeded", processes.log(name)))
                for name in ("worker-1", "worker-2")
            }
            check(
                sum(mail["sent_by_worker"].values()) == mail["e-mails"],
                f"the workers' logs count {mail['sent_by_worker']}",
            )
            step = lap("mail", step)
            ledger_verifies(env)
            lap("ledger verify", step)
        except CheckFailed:
            for name, _process in processes.started:
                tail = processes.log(name)[-1500:]
                print(f"--- {name} ---\n{tail}", file=sys.stderr)
            raise
    with setup_app.app_context():
        from app.platform.extensions import db

        db.engine.dispose()
    _flush_redis(settings["redis"])
    shutil.rmtree(work, ignore_errors=True)
    return {
        "check": "scale-out",
        "ok": True,
        "web_servers": 2,
        "web_workers_each": int(settings["workers"]),
        "celery_workers": 2,
        "beat": 1,
        **mail,
        "seconds": round(time.monotonic() - began, 1),
        "timings": timings,
    }


def main() -> None:
    try:
        result = run()
    except CheckFailed as failure:
        print(json.dumps({"check": "scale-out", "ok": False, "failed": str(failure)}), flush=True)
        raise SystemExit(1) from None
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
