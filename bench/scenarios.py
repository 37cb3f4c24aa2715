"""Two days the users live through, played by Locust (headless) against the app under gunicorn.

The app runs as bench/http.py runs it (the production gunicorn configuration, PostgreSQL with
the ``large`` generated fund, the same database and its reuse), with its figure caches as
configured: every figure-changing write clears them, so a day with writes is measured as it is.

* ``deadline_day``: NGO writers (weight 5) open a section of their own draft application and
  save it (the form read from the page, CSRF token and version included), now and then upload a
  PDF to it; staff (2) go through the screening queue, the list of all applications, the
  dashboard and applications; the public (3) reads ``/transparency``.
* ``campaign_day``: visitors (6) load ``/give``; Stripe (2) posts ``payment_intent.succeeded``
  for gifts started and charged before the run, signed with the webhook secret, and the app asks
  Stripe again for the PaymentIntent before it records the gift, its receipt and the ledger
  transfer; finance (1) watches ``/donations/contributions``. "Stripe" is localstripe (the dev
  extra's fake Stripe) on this machine, so no network is measured; its answers are part of the
  webhook's time, as Stripe's are in production.

Every user sends its next request as soon as the last one is answered (no think time): the
figure is how much the server answers. The reference is bench/minimal_app.py under the same
gunicorn, loaded by the same Locust with as many users. One JSON line per day: the ratio of
requests answered per second to the minimal app's, p50/p95/p99 of every request, the errors
(any answer but the expected one, and failed connections) and, apart, the 409s of edit
conflicts.

Environment: BENCH_SCENARIO_SECONDS (default 30), BENCH_SCENARIO_USERS (16),
BENCH_SCENARIOS (comma-separated: only these days), BENCH_SCENARIO_GIFTS (gifts made before
the campaign, 400; once each was announced, Stripe's redeliveries of the same events follow, as
Stripe sends again an event it thinks lost), BENCH_REDIS_URL (the rate limits' counters,
production's REDIS_URL; default database 15 of the local Redis), BENCH_HTTP_DATABASE_URL,
BENCH_HTTP_SCALE, BENCH_HTTP_PORT, WEB_CONCURRENCY as in bench/http.py; BENCH_LOCALSTRIPE_PORT
(8431).
"""

from __future__ import annotations

import csv
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.http import (
    ROOT,
    SECRET_KEY,
    USER_AGENT,
    _app,
    _start_gunicorn,
    _stop,
    bench_user,
    prepare_database,
    user_cookie,
)

WEBHOOK_SECRET = "whsec_bench_scenarios"  # noqa: S105 - local bench only
STRIPE_KEY = "sk_test_bench_scenarios"
SECTIONS = ["summary", "locations", "focus", "beneficiaries", "workplan", "budget"]
DAYS = {
    "deadline_day": ["NgoUser", "StaffUser", "PublicVisitor"],
    "campaign_day": ["GiveVisitor", "StripeWebhook", "FinanceUser"],
}


def _settings() -> dict[str, Any]:
    return {
        "url": os.environ.get(
            "BENCH_HTTP_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/trustfund_bench_http"
        ),
        "scale": os.environ.get("BENCH_HTTP_SCALE", "large"),
        "seconds": int(os.environ.get("BENCH_SCENARIO_SECONDS", "30")),
        "users": int(os.environ.get("BENCH_SCENARIO_USERS", "16")),
        "port": int(os.environ.get("BENCH_HTTP_PORT", "5201")),
        "stripe_port": int(os.environ.get("BENCH_LOCALSTRIPE_PORT", "8431")),
        "workers": os.environ.get("WEB_CONCURRENCY", "4"),
        "gifts": int(os.environ.get("BENCH_SCENARIO_GIFTS", "400")),
        "days": [d for d in os.environ.get("BENCH_SCENARIOS", ",".join(DAYS)).split(",") if d],
    }


def _people(url: str, users: int) -> dict[str, Any]:
    """Drafts with a writer each, staff and finance, as session cookies."""
    from app.accounts.models import Membership, User
    from app.applications.models import Application, ApplicationStatus
    from app.platform.extensions import db
    from devtools.seed.people import DEMO_DOMAIN

    app = _app(url)
    app.config["SECRET_KEY"] = SECRET_KEY
    with app.app_context():
        rows = db.session.execute(
            sa.select(Application.id, Membership.user_id)
            .join(Membership, Membership.organisation_id == Application.organisation_id)
            .join(User, User.id == Membership.user_id)
            .where(
                Application.status == ApplicationStatus.DRAFT,
                # Production refuses the demo logins.
                ~User.email.endswith("@" + DEMO_DOMAIN),
            )
            .order_by(Application.id)
            .limit(users * 4)
        ).all()
        # One writer per draft and one draft per writer: a 409 is then two tabs of one person,
        # which does not happen here, so any 409 would be a fault of the versions.
        drafts, writers, taken = [], set(), set()
        for application_id, user_id in rows:
            if user_id in writers or application_id in taken:
                continue
            writers.add(user_id)
            taken.add(application_id)
            user = db.session.get(User, user_id)
            drafts.append({"application_id": application_id, "cookie": user_cookie(app, user)})
        submitted = list(
            db.session.execute(
                sa.select(Application.id)
                .where(Application.status == ApplicationStatus.SUBMITTED)
                .limit(200)
            ).scalars()
        )
        people = {
            "drafts": drafts,
            "submitted": submitted,
            "staff": [user_cookie(app, bench_user("fund_manager"))],
            "finance": [user_cookie(app, bench_user("finance"))],
        }
        db.engine.dispose()
    if not drafts:
        raise SystemExit("bench scenarios: the data set has no draft application with a writer")
    return people


def _paid_intents(url: str, stripe_base: str, count: int) -> list[str]:
    """Card gifts started and charged at (local) Stripe, their webhook not yet received."""
    from app.donations import payments
    from app.donations.gateway import StripeGateway
    from app.donations.models import Gift
    from app.platform.extensions import db

    logging.getLogger("stripe").setLevel(logging.WARNING)
    app = _app(url)
    gateway = StripeGateway(STRIPE_KEY, api_base=stripe_base)
    intents = []
    with app.app_context():
        for number in range(count):
            started = payments.start_gift(
                actor=None,
                gateway=gateway,
                request=payments.GiveRequest(
                    amount=20_00 + number % 300,
                    currency="USD",
                    monthly=False,
                    name=f"Campaign Giver {number}",
                    email=f"campaign{number}@bench.example.org",
                    public_recognition=False,
                ),
            )
            gift = payments.find_by_token(started.token)
            assert isinstance(gift, Gift) and gift.stripe_setup_intent_id
            # What Stripe.js does in the donor's browser: the card is saved on the SetupIntent.
            gateway.client.setup_intents.confirm(
                gift.stripe_setup_intent_id, {"payment_method": "pm_card_visa"}
            )
            payments.confirm_gift(
                actor=None,
                gateway=gateway,
                gift=gift,
                setup_intent_id=gift.stripe_setup_intent_id,
            )
            db.session.commit()
            intents.append(str(gift.stripe_payment_intent_id))
        db.engine.dispose()
    return intents


def _start_localstripe(port: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/js.stripe.com/v3/", timeout=5):  # noqa: S310
                return process, base
        except OSError:
            time.sleep(0.2)
    _stop(process)  # type: ignore[arg-type]
    raise RuntimeError(f"localstripe did not start: {log.read_text()[-2000:]}")


def locust(
    host: str, classes: list[str], plan: Path, *, users: int, seconds: int, work: Path
) -> dict[str, Any]:
    """One headless Locust run; the aggregated figures of its CSV summary."""
    prefix = work / f"locust-{classes[0]}"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--only-summary",
        "--loglevel",
        "ERROR",
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        host,
        "--csv",
        str(prefix),
        *classes,
    ]
    subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "BENCH_PLAN": str(plan)},
        capture_output=True,
        check=False,
    )
    with open(f"{prefix}_stats.csv") as stats:
        rows = list(csv.DictReader(stats))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    with open(f"{prefix}_failures.csv") as failed:
        failures = {
            f"{row['Method']} {row['Name']}: {row['Error']}"[:160]: int(row["Occurrences"])
            for row in csv.DictReader(failed)
        }
    conflicts_file = Path(json.loads(plan.read_text())["conflicts_file"])
    conflicts = int(conflicts_file.read_text() or 0) if conflicts_file.exists() else 0
    return {
        "rps": float(total["Requests/s"]),
        "requests": int(total["Request Count"]),
        "errors": int(total["Failure Count"]),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "conflicts": conflicts,
        "failures": failures,
        "pages": {
            row["Name"]: {"requests": int(row["Request Count"]), "p99_ms": float(row["99%"])}
            for row in rows
            if row["Name"] != "Aggregated"
        },
    }


def main() -> None:
    settings = _settings()
    url, port, users, seconds = (
        settings["url"],
        settings["port"],
        settings["users"],
        settings["seconds"],
    )
    prepare_database(url, settings["scale"])
    work = Path(tempfile.mkdtemp(prefix="trustfund-bench-scenarios-"))
    stripe, stripe_base = _start_localstripe(settings["stripe_port"], work / "localstripe.log")
    try:
        plan = {
            **_people(url, users),
            "sections": SECTIONS,
            "user_agent": USER_AGENT,
            "webhook_secret": WEBHOOK_SECRET,
            # More paid gifts than the webhook can record in the run's time.
            "intents": _paid_intents(url, stripe_base, settings["gifts"])
            if "campaign_day" in settings["days"]
            else [],
            "conflicts_file": str(work / "conflicts"),
        }
        plan_file = work / "plan.json"
        plan_file.write_text(json.dumps(plan))
        # The warm-up announces its own gifts, so the measured run's first events are new.
        warm_plan = work / "warm-up.json"
        cut = len(plan["intents"]) // 4
        warm_plan.write_text(json.dumps({**plan, "intents": plan["intents"][:cut] or ["pi_none"]}))
        plan_file.write_text(json.dumps({**plan, "intents": plan["intents"][cut:] or ["pi_none"]}))
        warm_up = max(3, seconds // 3)
        env = {
            **os.environ,
            "APP_ENV": "production",
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET_KEY,
            "PUBLIC_BASE_URL": "https://127.0.0.1",
            "MAIL_SERVER": "127.0.0.1",
            "WEB_CONCURRENCY": settings["workers"],
            "REQUIRE_2FA_FOR_STAFF": "0",
            "TRUSTED_PROXIES": "0",
            "PYTHONPATH": str(ROOT),
            "STRIPE_SECRET_KEY": STRIPE_KEY,
            "STRIPE_PUBLISHABLE_KEY": "pk_test_bench_scenarios",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": stripe_base,
            "UPLOAD_STORAGE": str(work / "uploads"),
            # Production keeps its rate-limit counters in Redis (the local server).
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        }
        host = f"http://127.0.0.1:{port}"
        minimal_runs = []
        results = {}
        minimal_host = f"http://127.0.0.1:{port + 1}"
        for day in settings["days"]:
            server = _start_gunicorn("bench.minimal_app:app", port + 1, env)
            try:
                locust(
                    minimal_host,
                    ["MinimalVisitor"],
                    warm_plan,
                    users=users,
                    seconds=warm_up,
                    work=work,
                )
                minimal_runs.append(
                    locust(
                        minimal_host,
                        ["MinimalVisitor"],
                        plan_file,
                        users=users,
                        seconds=seconds,
                        work=work,
                    )["rps"]
                )
            finally:
                _stop(server)
            server = _start_gunicorn("wsgi:app", port, env)
            try:
                # A warm-up, not measured: imports, templates, caches and pools of every worker.
                locust(host, DAYS[day], warm_plan, users=users, seconds=warm_up, work=work)
                results[day] = locust(
                    host, DAYS[day], plan_file, users=users, seconds=seconds, work=work
                )
            finally:
                _stop(server)
    finally:
        _stop(stripe)  # type: ignore[arg-type]
        shutil.rmtree(work, ignore_errors=True)
    minimal_rps = sum(minimal_runs) / len(minimal_runs)
    for day, result in results.items():
        print(
            json.dumps(
                {
                    "bench": "scenario",
                    "variant": day,
                    "ratio": round(result["rps"] / minimal_rps, 3),
                    "p99_ms": result["p99_ms"],
                    "errors": result["errors"],
                    "conflicts_409": result["conflicts"],
                    "p50_ms": result["p50_ms"],
                    "p95_ms": result["p95_ms"],
                    "rps": round(result["rps"], 1),
                    "minimal_rps": round(minimal_rps, 1),
                    "requests": result["requests"],
                    "pages": result["pages"],
                    **({"failures": result["failures"]} if result["failures"] else {}),
                    "users": users,
                    "seconds": seconds,
                    "workers": int(settings["workers"]),
                    "scale": settings["scale"],
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
