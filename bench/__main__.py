"""Run every benchmark: ``python -m bench`` (``make bench``)."""

from __future__ import annotations

from bench import ledger

BENCHMARKS = [ledger.main]

if __name__ == "__main__":
    for benchmark in BENCHMARKS:
        benchmark()
