"""CPU time spent by this machine's PostgreSQL server and by a client, to say what an operation
costs in CPU, whatever else the machine is doing.

A rate (operations a second) on a shared 2-core machine measures the machine's load as much as
the code; CPU time per operation does not: it is what the operation itself needs, and on an
otherwise idle machine with ``cores`` CPUs no mix of processes can do more than
``cores / cpu_per_operation`` of them a second. Comparing two workloads' CPU per operation
therefore bounds their ratio of rates on an idle machine.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def postgres_seconds() -> float | None:
    """User and system CPU seconds of every PostgreSQL server process, those that have ended
    included (the postmaster's children's times, counted once it has waited for them); None
    when no server process can be read here (a server on another machine)."""
    ticks = 0
    found = False
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile, or not ours to read
        found = True
        # utime, stime, cutime, cstime: fields 14 to 17 of stat(5), here 11 to 14.
        ticks += sum(int(value) for value in fields[11:15])
    return ticks / _TICKS if found else None


def children_seconds() -> float:
    """User and system CPU seconds of this process's ended children (a pgbench run)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def per_operation_ms(seconds: float | None, operations: float) -> float | None:
    if seconds is None or operations <= 0:
        return None
    return round(seconds * 1000 / operations, 2)
