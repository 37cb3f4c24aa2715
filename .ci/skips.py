"""Fail CI when a test run did not happen on its database, or skipped a test it should have run.

Usage: python3 .ci/skips.py build/pytest-sqlite.xml build/pytest-postgres.xml

Each JUnit report names its database (a suite property the test fixtures record). A skip is
accepted only when its reason starts with one of that database's entries in ALLOWED; any other
skip (a missing tool, a schema not found, a service not answering) fails the check, with its
reason, so nothing is left out of CI in silence.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET

# Reasons are matched by their start, as the fixtures and markers that skip write them.
ALLOWED: dict[str, list[str]] = {
    "sqlite": [
        # Tests marked `postgres` (row locks, concurrent connections, database triggers) need
        # PostgreSQL; the PostgreSQL run has them, and may not skip them.
        "needs PostgreSQL: ",
    ],
    "postgresql": [
        # Tests marked `browser` drive a live app that always uses its own SQLite file: they run
        # once per `make test`, in the SQLite run (tests/browser/conftest.py).
        "browser journeys run once per `make test`",
        # The large generated scale is refused on SQLite, and that refusal is what the test
        # checks; PostgreSQL accepts the large scale (make bench generates it there).
        "the large scale is refused on SQLite only",
    ],
}


def _suite(path: str) -> ET.Element:
    root = ET.parse(path).getroot()  # noqa: S314 - the report our own pytest run just wrote
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    if suite is None:
        raise SystemExit(f"{path}: no test suite in this JUnit report")
    return suite


def problems_of(path: str, database: str) -> list[str]:
    """What is wrong with one run's report: the wrong database, no tests, or a skip not allowed."""
    suite = _suite(path)
    tests = int(suite.get("tests", 0))
    skipped = int(suite.get("skipped", 0))
    databases = {p.get("value") for p in suite.iter("property") if p.get("name") == "database"}
    print(f"{path}: {tests} tests, {skipped} skipped, database={sorted(databases)}")
    if tests == 0 or databases != {database}:
        return [f"{path}: the run did not happen on {database} (database={sorted(databases)})"]
    found = []
    for case in suite.iter("testcase"):
        for skip in case.findall("skipped"):
            reason = skip.get("message") or ""
            if not any(reason.startswith(allowed) for allowed in ALLOWED[database]):
                name = f"{case.get('classname')}::{case.get('name')}"
                found.append(f"{path}: {name} skipped on {database}: {reason or '(no reason)'}")
    return found


def main(sqlite_report: str, postgres_report: str) -> int:
    found = problems_of(sqlite_report, "sqlite") + problems_of(postgres_report, "postgresql")
    for problem in found:
        print(problem, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
