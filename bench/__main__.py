"""Run every benchmark: ``python -m bench`` (``make bench``)."""

from __future__ import annotations

from bench import http, ledger

BENCHMARKS = [ledger.main, http.main]

if __name__ == "__main__":
    for benchmark in BENCHMARKS:
        benchmark()
