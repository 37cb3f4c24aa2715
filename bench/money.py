"""Money flows through the product's own services, against pgbench's tpcb-like on one PostgreSQL.

Reference: pgbench's built-in tpcb-like script (scale 10, 4 clients), as in bench/ledger.py.
Measured: 4 processes running one product flow each time, each operation what one request does,
ending with its commit:

* ``gift_webhook``: Stripe's ``payment_intent.succeeded`` for a pending card gift, POSTed signed
  to ``/webhooks/stripe`` (the route itself, through Flask's test client): the event stored, the
  PaymentIntent fetched again, the gift, its fee and receipt recorded, the receipt's e-mail
  queued, ``cash:stripe`` → ``fund:available`` posted, committed. Stripe's answers come from
  the in-memory gateway (app/donations/memory_gateway.py), so Stripe is not what is measured.
* ``bank_receipt``: a recorded bank receipt applied to the confirmed pledge it pays, as the
  allocation route calls ``allocate_bank_receipt`` and commits (``fund:pledged`` →
  ``fund:available``, ``cash:bank``).
* ``tranche_paid``: a sent tranche confirmed paid, as the route calls
  ``confirm_disbursement`` and commits (the pending ``grant`` → ``cash:bank`` transfer posted and
  the PSC charged). It does not touch ``fund:available`` (the commitment was posted at award);
  its hot row is ``cash:bank``, shared with the bank receipts.

What each operation needs (pending gifts, confirmed pledges with their receipts, sent tranches)
is made through the same services before the runs (people and grants with the tests' helpers,
tests/factories.py, tests/applications_support.py, with the run's few members of staff),
BENCH_MONEY_ITEMS per process and round, so making it is not measured: a sent tranche, a whole
grant's life up to it, is about 200 round trips to the database (0.2 to 0.5 s on the busy
machine), so there are BENCH_MONEY_TRANCHES (100) of them. A process stops
at BENCH_SECONDS or when its items are used up; its rate is what it did over the time it took.
Runs alternate (pgbench, then each flow), every run after ``VACUUM ANALYZE`` and a
``CHECKPOINT``; the medians over BENCH_ROUNDS give one JSON line per flow, with the 99th
percentile of every operation of every round.

Environment: BENCH_SECONDS (default 20), BENCH_ROUNDS (3), BENCH_MONEY_ITEMS (per process and
round; default 300), BENCH_MONEY_DATABASE_URL (default a ``trustfund_bench_money`` database on
the local server, dropped and created afresh, and dropped at the end).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from bench import cpu
from bench.ledger import CLIENTS, _pg_args, _recreate_database, _settle, run_pgbench

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/trustfund_bench_money"
WEBHOOK_SECRET = "whsec_bench_money"  # noqa: S105 - local bench only
WARM_UP = 3
FLOWS = ("gift_webhook", "bank_receipt", "tranche_paid")
_GRANTEES = itertools.count(1)  # numbers the grantees (and calls) made for tranches


def _settings() -> dict[str, Any]:
    return {
        "url": os.environ.get("BENCH_MONEY_DATABASE_URL", DEFAULT_URL),
        "seconds": int(os.environ.get("BENCH_SECONDS", "20")),
        "rounds": int(os.environ.get("BENCH_ROUNDS", "3")),
        "items": int(os.environ.get("BENCH_MONEY_ITEMS", "300")),
        "tranches": int(os.environ.get("BENCH_MONEY_TRANCHES", "100")),
    }


def _app(url: str) -> Any:
    from app import create_app
    from config.settings import normalise_database_url

    return create_app(
        "development",
        overrides={
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
            "STRIPE_SECRET_KEY": "sk_test_bench",
            "STRIPE_PUBLISHABLE_KEY": "pk_test_bench",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        },
    )


# -- what the flows need, made before the runs ------------------------------------------------


def _people() -> dict[str, int]:
    from app.accounts.models import Role
    from tests.factories import user_with

    return {
        "maker": user_with(Role.FINANCE).id,
        "checker": user_with(Role.FINANCE).id,
        "manager": user_with(Role.FUND_MANAGER).id,
    }


def _pending_gifts(gateway: Any, count: int) -> list[str]:
    """Card gifts as the Give page leaves them: started, card saved, charged at Stripe."""
    from app.donations import payments
    from app.donations.models import Gift
    from app.platform.extensions import db

    intents = []
    for number in range(count):
        started = payments.start_gift(
            actor=None,
            gateway=gateway,
            request=payments.GiveRequest(
                amount=25_00 + number % 500,
                currency="USD",
                monthly=False,
                name=f"Bench Giver {number}",
                email=f"giver{number % 2000}@bench.example.org",
                public_recognition=False,
            ),
        )
        gift = payments.find_by_token(started.token)
        assert isinstance(gift, Gift) and gift.stripe_setup_intent_id
        gateway.complete_setup(gift.stripe_setup_intent_id)
        payments.confirm_gift(
            actor=None, gateway=gateway, gift=gift, setup_intent_id=gift.stripe_setup_intent_id
        )
        intents.append(str(gift.stripe_payment_intent_id))
        if number % 100 == 99:
            db.session.commit()
    db.session.commit()
    return intents


def _payable_pledges(people: dict[str, int], count: int, first: int) -> list[tuple[int, int, int]]:
    """Confirmed pledges, each with the bank receipt that pays it: (receipt, pledge, amount)."""
    from app.accounts.models import User
    from app.donations import services
    from app.donations.models import Donor, DonorKind
    from app.platform.db import utcnow
    from app.platform.extensions import db

    finance = db.session.get_one(User, people["maker"])
    today = utcnow().date()
    items = []
    for number in range(first, first + count):
        if number % 50 == 0 or number == first:
            donor = Donor(kind=DonorKind.MEMBER_STATE, name=f"Bench donor {number}", country="NO")
            db.session.add(donor)
            db.session.flush()
        amount = 10_000_00 + number
        pledge = services.make_pledge(
            actor=finance, donor=donor, amount=amount, currency="USD", year=today.year
        )
        services.confirm_pledge(actor=finance, pledge=pledge, on=today)
        receipt, _numbered = services.record_bank_receipt(
            actor=finance,
            value_date=today,
            amount=amount,
            currency="USD",
            bank_reference=f"BENCH-{number}",
            donor=donor,
            confirmed_different=True,
        )
        items.append((receipt.id, pledge.id, amount))
        if number % 50 == 49:
            db.session.commit()
    db.session.commit()
    return items


def _approved_application(manager: Any, call: Any, meeting: Any, number: int) -> Any:
    """An application of a new NGO, approved by the Board for 5,000.00, with a confirmed bank
    account. The fund's staff are the run's few people (a real fund has a fixed staff): the
    tests' helper (tests/grants_support.py) makes two new fund managers per grant, and every
    hand-off tells all of them, so a thousand grants made that way told thousands of people."""
    from decimal import Decimal

    from app.applications.models import (
        Application,
        ApplicationStatus,
        BudgetCategory,
        BudgetLine,
    )
    from app.platform.extensions import db
    from app.reviews.models import BoardDecision, DecisionOutcome
    from tests.applications_support import applicant_of, ngo_organisation
    from tests.bank_support import confirmed_account

    organisation = ngo_organisation(
        name=f"Bench Grantee {number}", registration_number=f"BG-{number}"
    )
    confirmed_account(organisation, checker=manager)
    owner = applicant_of(organisation)
    application = Application(
        call=call,
        organisation=organisation,
        status=ApplicationStatus.APPROVED,
        currency="USD",
        psc_rate=Decimal("0.13"),
        title=f"Shelter and legal aid {number}",
        summary="Safe housing and legal support.",
        duration_months=12,
        created_by_id=owner.id,
        updated_by_id=owner.id,
        requested_amount=5_000_00,
    )
    application.budget_lines.append(
        BudgetLine(
            position=1,
            category=BudgetCategory.DIRECT_ASSISTANCE,
            description="Shelter nights",
            quantity=1,
            unit_cost=5_000_00,
        )
    )
    db.session.add(application)
    db.session.flush()
    db.session.add(
        BoardDecision(
            application_id=application.id,
            meeting_id=meeting.id,
            outcome=DecisionOutcome.APPROVED,
            approved_amount=5_000_00,
            conditions="Quarterly monitoring visits.",
        )
    )
    db.session.flush()
    return application


def _sent_tranches(people: dict[str, int], count: int) -> list[int]:
    """Active grants whose first tranche is requested, approved and sent, each through the
    product's services (award, agreement sent and accepted, the tranche's three steps)."""
    from app.accounts.models import User
    from app.grants import services as grants
    from app.platform.db import utcnow
    from app.platform.extensions import db
    from app.reviews.models import BoardMeeting
    from tests.applications_support import applicant_of, open_call

    maker = db.session.get_one(User, people["maker"])
    checker = db.session.get_one(User, people["checker"])
    manager = db.session.get_one(User, people["manager"])
    call = open_call(manager, reference=f"BENCH-{next(_GRANTEES)}", currency="USD")
    meeting = BoardMeeting(held_on=utcnow().date(), quorum=1, call_id=call.id)
    db.session.add(meeting)
    db.session.flush()
    tranches = []
    for index in range(count):
        application = _approved_application(manager, call, meeting, next(_GRANTEES))
        grant = grants.award_grant(actor=manager, application=application)
        grants.send_agreement(actor=manager, grant=grant)
        grants.accept_agreement(
            actor=applicant_of(grant.organisation),
            grant=grant,
            signatory_name="Amina Director",
            signatory_title="Executive director",
            confirmed=True,
            ip="198.51.100.7",
        )
        tranche = min(grant.tranches, key=lambda t: t.number)
        grants.request_disbursement(actor=maker, tranche=tranche)
        grants.approve_disbursement(actor=checker, tranche=tranche)
        grants.send_disbursement(actor=maker, tranche=tranche)
        tranches.append(tranche.id)
        if index % 20 == 19:
            db.session.commit()
    db.session.commit()
    return tranches


def _fund(amount: int) -> None:
    """Money in the pool, as a received gift puts it there."""
    import uuid

    from app.ledger import chart
    from app.ledger.models import TransferCode
    from app.ledger.rules import TransferSpec
    from app.ledger.services.posting import post_transfers, require_accepted

    gift = TransferSpec(
        id=uuid.uuid4(),
        code=TransferCode.GIFT,
        amount=amount,
        debit_account_id=chart.account_by_key(chart.CASH_STRIPE).id,
        credit_account_id=chart.account_by_key(chart.FUND_AVAILABLE).id,
    )
    require_accepted(post_transfers([gift], actor=None))


def _prepare(url: str, per_run: int, tranches_per_run: int, rounds: int) -> dict[str, Any]:
    """Migrate, fund, and make every item of every run; split per round and process."""
    from flask_migrate import upgrade

    from app.donations.memory_gateway import MemoryGateway
    from app.platform.extensions import db

    app = _app(url)

    def total(count: int) -> int:
        return (count + WARM_UP) * rounds * CLIENTS

    with app.app_context():
        upgrade()
        _fund(10**13)
        people = _people()
        db.session.commit()
        started = time.monotonic()
        gateway = MemoryGateway(fee_percent=3, fee_fixed=30)
        gifts: list[Any] = _pending_gifts(gateway, total(per_run))
        made = [time.monotonic()]
        receipts: list[Any] = _payable_pledges(people, total(per_run), 0)
        made.append(time.monotonic())
        tranches: list[Any] = _sent_tranches(people, total(tranches_per_run))
        made.append(time.monotonic())
        print(
            f"bench money: {total(per_run)} gifts, receipts and {total(tranches_per_run)} "
            "tranches made in "
            + ", ".join(f"{b - a:.0f} s" for a, b in zip([started, *made], made, strict=False)),
            file=sys.stderr,
        )
        db.engine.dispose()

    def split(items: list[Any]) -> list[list[list[Any]]]:
        size = len(items) // (rounds * CLIENTS)
        return [
            [items[(r * CLIENTS + c) * size : (r * CLIENTS + c + 1) * size] for c in range(CLIENTS)]
            for r in range(rounds)
        ]

    return {
        "people": people,
        "gateway": gateway.objects,
        "gift_webhook": split(gifts),
        "bank_receipt": split(receipts),
        "tranche_paid": split(tranches),
    }


# -- one operation of each flow, as its route does it -----------------------------------------


def _signature(payload: bytes) -> str:
    moment = int(time.time())
    digest = hmac.new(
        WEBHOOK_SECRET.encode(), f"{moment}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    return f"t={moment},v1={digest}"


def _operation(app: Any, flow: str, shared: dict[str, Any]) -> Callable[[Any], bool]:
    """The flow's operation on one item; True when the request succeeded."""
    from app.accounts.models import User
    from app.donations import services
    from app.donations.memory_gateway import MemoryGateway
    from app.donations.models import BankReceipt, Pledge
    from app.grants import services as grants
    from app.grants.models import Tranche
    from app.platform.errors import DomainError
    from app.platform.extensions import db

    if flow == "gift_webhook":
        gateway = MemoryGateway(fee_percent=3, fee_fixed=30)
        gateway.objects = shared["gateway"]
        app.extensions["donations.gateway"] = gateway
        client = app.test_client()

        def gift(intent_id: str) -> bool:
            event = gateway.event("payment_intent.succeeded", gateway.get(intent_id))
            body = json.dumps(event).encode()
            response = client.post(
                "/webhooks/stripe",
                data=body,
                headers={"Stripe-Signature": _signature(body), "Content-Type": "application/json"},
            )
            return bool(response.status_code == 200 and response.get_json()["handled"])

        return gift

    people = shared["people"]

    def in_request(work: Callable[[], object]) -> bool:
        try:
            work()
            db.session.commit()
        except DomainError:
            db.session.rollback()
            return False
        finally:
            db.session.remove()  # a request's session ends with it
        return True

    if flow == "bank_receipt":

        def allocate(item: tuple[int, int, int]) -> bool:
            receipt_id, pledge_id, amount = item

            def work() -> None:
                actor = db.session.get_one(User, people["maker"])
                receipt = db.session.get_one(BankReceipt, receipt_id)
                pledge = db.session.get_one(Pledge, pledge_id)
                services.allocate_bank_receipt(
                    actor=actor, bank_receipt=receipt, pledge=pledge, amount=amount
                )

            return in_request(work)

        return allocate

    def paid(tranche_id: int) -> bool:
        def work() -> None:
            actor = db.session.get_one(User, people["checker"])
            tranche = db.session.get_one(Tranche, tranche_id)
            grants.confirm_disbursement(
                actor=actor, tranche=tranche, bank_reference=f"BANK-{tranche_id}"
            )

        return in_request(work)

    return paid


def _worker(
    url: str,
    flow: str,
    shared: dict[str, Any],
    items: list[Any],
    seconds: float,
    start: Any,
    results: Any,
    slot: int,
) -> None:
    from app.platform.extensions import db

    app = _app(url)
    with app.app_context():
        operation = _operation(app, flow, shared)
        db.session.execute(sa.text("SELECT 1"))
        db.session.commit()
        db.session.remove()
        # A first request of each kind warms the process (imports, compiled SQL, templates),
        # as a server's first requests would; it is not measured.
        for item in items[:WARM_UP]:
            operation(item)
        items = items[WARM_UP:]
        start.wait()
        began = time.monotonic()
        cpu_began = time.process_time()
        deadline = began + seconds
        latencies: list[float] = []
        errors = 0
        for item in items:
            if time.monotonic() >= deadline:
                break
            before = time.perf_counter()
            ok = operation(item)
            latencies.append((time.perf_counter() - before) * 1000)
            errors += 0 if ok else 1
        elapsed = time.monotonic() - began
        cpu_seconds = time.process_time() - cpu_began
        if len(latencies) == len(items) and elapsed < seconds:
            print(
                f"bench money: {flow} worker {slot} used up its items in {elapsed:.1f} s",
                file=sys.stderr,
            )
        results.put((slot, len(latencies) - errors, errors, elapsed, latencies, cpu_seconds))
        db.engine.dispose()


def run_flow(
    url: str, flow: str, shared: dict[str, Any], items: list[list[Any]], seconds: int
) -> dict[str, Any]:
    context = mp.get_context("spawn")
    start = context.Barrier(CLIENTS + 1)
    results = context.Queue()
    workers = [
        context.Process(
            target=_worker,
            args=(url, flow, shared, items[slot], seconds, start, results, slot),
        )
        for slot in range(CLIENTS)
    ]
    for worker in workers:
        worker.start()
    start.wait(timeout=300)
    server_began = cpu.postgres_seconds()
    collected = [results.get(timeout=seconds + 300) for _worker_slot in workers]
    server_ended = cpu.postgres_seconds()
    for worker in workers:
        worker.join()
    if any(worker.exitcode for worker in workers):
        raise SystemExit(f"a {flow} worker failed")
    operations = sum(len(lat) for *_rest, lat, _cpu in collected)
    server = None if server_began is None or server_ended is None else server_ended - server_began
    return {
        # Each process's rate over the time it ran, added up: the flow's transactions a second.
        "tps": sum(done / elapsed for _slot, done, _errors, elapsed, _lat, _cpu in collected),
        "errors": sum(errors for _slot, _done, errors, _elapsed, _lat, _cpu in collected),
        "latencies": [ms for *_rest, lat, _cpu in collected for ms in lat],
        "cpu_ms": {
            "app": cpu.per_operation_ms(sum(c for *_rest, c in collected), operations),
            "postgresql": cpu.per_operation_ms(server, operations),
        },
    }


def run_pgbench_timed(url: sa.URL, seconds: int) -> dict[str, Any]:
    """pgbench's rate, and its CPU per transaction (its own client's, the server's)."""
    server_began, client_began = cpu.postgres_seconds(), cpu.children_seconds()
    tps = run_pgbench(url, seconds)
    server_ended, client_ended = cpu.postgres_seconds(), cpu.children_seconds()
    transactions = tps * seconds
    server = None if server_began is None or server_ended is None else server_ended - server_began
    return {
        "tps": tps,
        "cpu_ms": {
            "client": cpu.per_operation_ms(client_ended - client_began, transactions),
            "postgresql": cpu.per_operation_ms(server, transactions),
        },
    }


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    settings = _settings()
    raw_url, seconds, rounds = settings["url"], settings["seconds"], settings["rounds"]
    url = sa.make_url(raw_url)
    _recreate_database(url)
    try:
        subprocess.run(
            ["pgbench", *_pg_args(url), "-i", "-s", "10", "-q", url.database or ""],
            check=True,
            capture_output=True,
        )
        shared = _prepare(raw_url, settings["items"], settings["tranches"], rounds)
        pgbench: list[dict[str, Any]] = []
        measured: dict[str, list[dict[str, Any]]] = {flow: [] for flow in FLOWS}
        for round_number in range(rounds):
            _settle(url)
            pgbench.append(run_pgbench_timed(url, seconds))
            for flow in FLOWS:
                _settle(url)
                measured[flow].append(
                    run_flow(raw_url, flow, shared, shared[flow][round_number], seconds)
                )
    finally:
        _drop(url)
    pgbench_tps = statistics.median(run["tps"] for run in pgbench)
    pgbench_cpu = _median_cpu([run["cpu_ms"] for run in pgbench])
    for flow in FLOWS:
        runs = measured[flow]
        tps = statistics.median(run["tps"] for run in runs)
        flow_cpu = _median_cpu([run["cpu_ms"] for run in runs])
        latencies = [ms for run in runs for ms in run["latencies"]]
        p50, p99 = _percentile(latencies, 0.50), _percentile(latencies, 0.99)
        print(
            json.dumps(
                {
                    "bench": "money",
                    "variant": flow,
                    "ratio": round(tps / pgbench_tps, 3),
                    "p99_ms": round(p99, 1) if p99 is not None else None,
                    "errors": sum(run["errors"] for run in runs),
                    "tps": round(tps, 1),
                    "pgbench_tps": round(pgbench_tps, 1),
                    "p50_ms": round(p50, 1) if p50 is not None else None,
                    "operations": len(latencies),
                    "seconds": seconds,
                    "rounds": rounds,
                    "runs": {
                        "pgbench": [round(r["tps"], 1) for r in pgbench],
                        flow: [round(r["tps"], 1) for r in runs],
                    },
                    # CPU per operation (bench/cpu.py), medians of the rounds: what each needs
                    # whatever the machine's load, and the ratio CPU alone would allow.
                    "cpu_ms_per_operation": flow_cpu,
                    "pgbench_cpu_ms_per_transaction": pgbench_cpu,
                    "cpu_bound_ratio": _cpu_bound_ratio(pgbench_cpu, flow_cpu),
                    "load_1min": round(os.getloadavg()[0], 2),
                }
            ),
            flush=True,
        )


def _median_cpu(runs: list[dict[str, float | None]]) -> dict[str, float | None]:
    return {
        part: (
            round(statistics.median(known), 2)
            if (known := [r[part] for r in runs if r[part] is not None])
            else None
        )
        for part in runs[0]
    }


def _cpu_bound_ratio(
    reference: dict[str, float | None], flow: dict[str, float | None]
) -> float | None:
    """pgbench's CPU per transaction over the flow's per operation: the most the flow's rate
    could be, as a share of pgbench's, on the same CPUs with nothing else running."""
    if None in reference.values() or None in flow.values():
        return None
    return round(sum(v or 0 for v in reference.values()) / sum(v or 0 for v in flow.values()), 3)


def _drop(url: sa.URL) -> None:
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    server.dispose()


if __name__ == "__main__":
    main()
