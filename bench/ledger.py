"""Ledger postings through the service layer against pgbench's tpcb-like, on one PostgreSQL.

Reference: pgbench's built-in tpcb-like script (scale 10, 4 clients). Measured: 4 processes
posting single-phase transfers the way the product does (``post_transfers`` inside the unit of
work, then the caller's commit, as a gift's or a tranche's request commits), each transfer its
own unit of work, for the same time:

* ``contended``: every transfer debits the hot ``fund:available`` account (row lock on it);
* ``spread``: transfers between 1,000 accounts, rarely on the same rows.

The ledger starts with 200,000 earlier transfers (pgbench's reference runs on its scale-10
data set, not on empty tables).

Runs alternate (pgbench, contended, spread) three times; the medians give one JSON line per
variant. Environment: BENCH_SECONDS (default 20), BENCH_DATABASE_URL (default a dedicated
``trustfund_bench`` database on the local server, dropped and created afresh), BENCH_ROUNDS,
BENCH_MIGRATE_TO (the Alembic revision to migrate the bench database to; default heads).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import random
import re
import statistics
import subprocess
import time
import uuid
from typing import Any

import sqlalchemy as sa

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/trustfund_bench"
CLIENTS = 4
SPREAD_ACCOUNTS = 1000
HISTORY_TRANSFERS = 200_000


def _settings() -> tuple[str, int, int]:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    seconds = int(os.environ.get("BENCH_SECONDS", "20"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    return url, seconds, rounds


def _pg_args(url: sa.URL) -> list[str]:
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
    if url.username:
        args += ["-U", url.username]
    return args


def _recreate_database(url: sa.URL) -> None:
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    server.dispose()


def _app(url: str) -> Any:
    from app import create_app
    from config.settings import normalise_database_url

    return create_app(
        "development", overrides={"SQLALCHEMY_DATABASE_URI": normalise_database_url(url)}
    )


def _prepare(url: str) -> dict[str, Any]:
    """Migrate, fund the hot account and create the accounts the workers post between."""
    from flask_migrate import upgrade

    from app.ledger import chart
    from app.ledger.models import TransferCode
    from app.ledger.rules import TransferSpec
    from app.ledger.services.posting import post_transfers, require_accepted
    from app.platform.extensions import db

    app = _app(url)
    with app.app_context():
        upgrade(revision=os.environ.get("BENCH_MIGRATE_TO", "heads"))
        fund = chart.account_by_key(chart.FUND_AVAILABLE)
        cash = chart.account_by_key(chart.CASH_BANK)
        require_accepted(
            post_transfers(
                [
                    TransferSpec(
                        id=uuid.uuid4(),
                        code=TransferCode.GIFT,
                        amount=10**15,
                        debit_account_id=cash.id,
                        credit_account_id=fund.id,
                    )
                ],
                actor=None,
            )
        )
        grants = [
            chart.grant_account(grant_id=i, name=f"bench grant {i}").id
            for i in range(1, SPREAD_ACCOUNTS + 1)
        ]
        spread = [
            chart.get_or_create_account(
                key=f"bench:{i}",
                name=f"bench account {i}",
                template=chart.AccountTemplate(1900, chart.AccountType.ASSET),
            ).id
            for i in range(1, SPREAD_ACCOUNTS + 1)
        ]
        db.session.commit()
        _write_history(spread, grants, fund.id)
        ids = {"fund": fund.id, "grants": grants, "spread": spread}
        db.engine.dispose()
    return ids


def _write_history(spread: list[int], grants: list[int], fund: int) -> None:
    """Years of earlier postings, as pgbench -i gives its reference a full scale-10 data set.

    The ledger's indexes then have their working size: on an empty ledger every posting
    inserts into the same few index pages, which measures a fund's first day, not its life.
    """
    from datetime import timedelta

    from app.ledger.models import TransferCode
    from app.platform.db import utcnow
    from app.platform.extensions import db
    from devtools.seed.scale import BulkWriter, LedgerBuilder

    rng = random.Random(3)
    builder = LedgerBuilder()
    now = utcnow()
    for number in range(HISTORY_TRANSFERS):
        if number % 4 == 0:  # a commitment from the fund to a grant
            debit, credit = fund, rng.choice(grants)
        else:  # between accounts without limits
            debit, credit = rng.sample(spread, 2)
        builder.single(
            uuid.UUID(int=rng.getrandbits(128), version=4),
            TransferCode.ADJUSTMENT,
            1,
            debit,
            credit,
            now - timedelta(seconds=rng.randrange(3 * 365 * 86400)),
            ("bench", number),
            None,
        )
    builder.write(BulkWriter(lambda _rows: None), rng)
    db.session.commit()


def _worker(
    url: str, variant: str, ids: dict[str, Any], seconds: float, start: Any, counts: Any, slot: int
) -> None:
    from app.ledger.models import TransferCode
    from app.ledger.rules import TransferSpec
    from app.ledger.services.posting import post_transfers
    from app.platform.extensions import db

    app = _app(url)
    rng = random.Random(slot)
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))
        db.session.commit()
        start.wait()
        deadline = time.monotonic() + seconds
        done = refused = 0
        while time.monotonic() < deadline:
            if variant == "contended":
                debit, credit = ids["fund"], rng.choice(ids["grants"])
                code = TransferCode.COMMITMENT
            else:
                debit, credit = rng.sample(ids["spread"], 2)
                code = TransferCode.ADJUSTMENT
            results = post_transfers(
                [
                    TransferSpec(
                        id=uuid.uuid4(),
                        code=code,
                        amount=1,
                        debit_account_id=debit,
                        credit_account_id=credit,
                    )
                ],
                actor=None,
            )
            db.session.commit()
            if results[0].accepted:
                done += 1
            else:
                refused += 1
        counts[slot] = done
        if refused:
            print(f"worker {slot}: {refused} refused")
        db.engine.dispose()


def _settle(url: sa.URL) -> None:
    """Start every measured run from the same state of the server.

    Vacuum and analyse what the previous run wrote (pgbench vacuums its own tables before it
    starts; otherwise autovacuum would do it during the next run), and write its dirty pages
    out now rather than while the next run waits for its WAL flushes.
    """
    server = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
        connection.exec_driver_sql("CHECKPOINT")
    server.dispose()


def run_ledger(url: str, variant: str, ids: dict[str, Any], seconds: int) -> float:
    context = mp.get_context("spawn")
    start = context.Barrier(CLIENTS + 1)
    counts = context.Array("l", CLIENTS)
    workers = [
        context.Process(target=_worker, args=(url, variant, ids, seconds, start, counts, slot))
        for slot in range(CLIENTS)
    ]
    for worker in workers:
        worker.start()
    start.wait(timeout=180)
    began = time.monotonic()
    for worker in workers:
        worker.join()
    elapsed = max(time.monotonic() - began, seconds)
    if any(worker.exitcode for worker in workers):
        raise SystemExit(f"a {variant} worker failed")
    return sum(counts) / elapsed


def run_pgbench(url: sa.URL, seconds: int) -> float:
    output = subprocess.run(
        [
            "pgbench",
            *_pg_args(url),
            "-c",
            str(CLIENTS),
            "-j",
            str(CLIENTS),
            "-T",
            str(seconds),
            url.database or "trustfund_bench",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"tps = ([0-9.]+)", output)
    if match is None:
        raise SystemExit(f"could not read pgbench's result:\n{output}")
    return float(match.group(1))


def main() -> None:
    raw_url, seconds, rounds = _settings()
    url = sa.make_url(raw_url)
    _recreate_database(url)
    subprocess.run(
        ["pgbench", *_pg_args(url), "-i", "-s", "10", "-q", url.database or "trustfund_bench"],
        check=True,
        capture_output=True,
    )
    ids = _prepare(raw_url)
    measured: dict[str, list[float]] = {"pgbench": [], "contended": [], "spread": []}
    for _round in range(rounds):
        _settle(url)
        measured["pgbench"].append(run_pgbench(url, seconds))
        for variant in ("contended", "spread"):
            _settle(url)
            measured[variant].append(run_ledger(raw_url, variant, ids, seconds))
    pgbench_tps = statistics.median(measured["pgbench"])
    for variant in ("contended", "spread"):
        ledger_tps = statistics.median(measured[variant])
        print(
            json.dumps(
                {
                    "bench": "ledger",
                    "variant": variant,
                    "pgbench_tps": round(pgbench_tps, 1),
                    "ledger_tps": round(ledger_tps, 1),
                    "ratio": round(ledger_tps / pgbench_tps, 3),
                    "p99_ms": None,  # not timed per posting: see bench/money.py for requests
                    "errors": None,  # refused postings are printed by their worker
                    "seconds": seconds,
                    "rounds": rounds,
                    "runs": {"pgbench": measured["pgbench"], variant: measured[variant]},
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
