"""Search at the large scale: the 99th and 95th percentile time of /search, on PostgreSQL.

Measured in-process, through Flask's test client signed in as the bench's fund manager (who
searches every kind, so every query of the page runs): each query of QUERIES in turn, ROUNDS
times, after one warm-up round. Reference, measured in the same run the same way: the fund
manager's list of all applications (``/applications/all``, keyset pages on an index), so
``ratio`` (reference p95 / search p95) compares across machines.

The database (BENCH_SEARCH_DATABASE_URL, default ``trustfund_bench_search`` on the local
server) is migrated and filled with ``flask demo --scale large`` once, as bench/http.py does;
later runs reuse it. Environment: BENCH_SEARCH_ROUNDS (default 5), BENCH_SEARCH_SCALE (default
large; ``small`` for a quick try). One JSON line per query and one for all of them, each with
``bench``, ``variant``, ``p95_ms``, ``p99_ms``, ``ratio`` and ``errors`` (part of
``python -m bench``); the last also gives the machine's load and CPUs, as the machine may be
busy.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from typing import Any

import sqlalchemy as sa

from bench.http import SECRET_KEY, _app, bench_user, prepare_database, user_cookie

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/trustfund_bench_search"

# What staff type: a word in thousands of titles, two words, an organisation's name, a grant's
# reference, a country by name (matches by code too), a donor, a word nothing contains.
QUERIES = [
    "freedom",
    "hope shelter",
    "Justice Network 4321",
    "VTF/2026/001",
    "Kenya",
    "Supporter 1234",
    "Donor State 17",
    "zzqxv",
]


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _time(client: Any, path: str, params: dict[str, str]) -> float:
    start = time.perf_counter()
    response = client.get(path, query_string=params)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{path} {params}: {response.status_code}")
    return elapsed


def main() -> None:
    url = os.environ.get("BENCH_SEARCH_DATABASE_URL", DEFAULT_URL)
    rounds = int(os.environ.get("BENCH_SEARCH_ROUNDS", "5"))
    scale = os.environ.get("BENCH_SEARCH_SCALE", "large")
    prepare_database(url, scale)
    app = _app(url)
    app.config.update(SECRET_KEY=SECRET_KEY)
    with app.app_context():
        cookie = user_cookie(app, bench_user("fund_manager"))
    client = app.test_client()
    client.environ_base.update(
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "trustfund-bench-http"}
    )
    client.set_cookie("session", cookie.split("=", 1)[1])
    per_query: dict[str, list[float]] = {q: [] for q in QUERIES}
    reference: list[float] = []
    for round_number in range(rounds + 1):
        for query in QUERIES:
            took = _time(client, "/search", {"q": query})
            if round_number:
                per_query[query].append(took)
        took = _time(client, "/applications/all", {})
        if round_number:
            reference.append(took)
    reference_p95 = _percentile(reference, 0.95)
    database = sa.make_url(url).get_backend_name()
    for query, samples in per_query.items():
        p95 = _percentile(samples, 0.95)
        print(
            json.dumps(
                {
                    "bench": "search",
                    "variant": query,
                    "p50_ms": round(statistics.median(samples), 1),
                    "p95_ms": round(p95, 1),
                    "p99_ms": round(_percentile(samples, 0.99), 1),
                    "ratio": round(reference_p95 / p95, 3),
                    "errors": 0,
                    "database": database,
                }
            ),
            flush=True,
        )
    everything = [t for samples in per_query.values() for t in samples]
    p95 = _percentile(everything, 0.95)
    print(
        json.dumps(
            {
                "bench": "search",
                "variant": "all queries",
                "p50_ms": round(statistics.median(everything), 1),
                "p95_ms": round(p95, 1),
                "p99_ms": round(_percentile(everything, 0.99), 1),
                "reference_p95_ms": round(reference_p95, 1),
                "ratio": round(reference_p95 / p95, 3),
                "rounds": rounds,
                "errors": 0,
                "database": database,
                "scale": scale,
                "load_1min": round(os.getloadavg()[0], 2),
                "cpus": os.cpu_count(),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
