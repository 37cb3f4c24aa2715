"""Run every benchmark: ``python -m bench`` (``make bench``).

Each prints one JSON line per flow, page or scenario with at least ``bench``, ``variant``,
``ratio`` (to its reference measured in the same run), ``p99_ms`` and ``errors``.
"""

from __future__ import annotations

from bench import copies, http, ledger, money, scenarios, search

BENCHMARKS = [money.main, ledger.main, http.main, scenarios.main, copies.main, search.main]

if __name__ == "__main__":
    for benchmark in BENCHMARKS:
        benchmark()
