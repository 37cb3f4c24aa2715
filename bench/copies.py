"""Copied proposals at scale: finding a planted copy among 10,000 signed applications.

The database (BENCH_COPIES_DATABASE_URL, default ``trustfund_bench_copies`` on the local
PostgreSQL; a SQLite URL works too) is migrated and filled once with BENCH_COPIES_APPLICATIONS
(10,000) submitted applications of 1,000 organisations, each a generated proposal of about
1,500 words (a Zipf-distributed vocabulary of 20,000 words, and a few of 60 stock sentences
that many proposals share, as real ones share boilerplate), each signed as a submission signs
it (its MinHash and band rows); later runs reuse it.

Measured: for BENCH_COPIES_SAMPLES (40) new applications of a new organisation, half of them
reusing 60 % of a random existing proposal's words in one run with one word in ten changed and
half unrelated, the time of ``check_application`` (sign, look up the likely copies by the band
index, compare them word by word, record the flag), each one rolled back afterwards. ``errors``
counts a planted copy not flagged with its source plus an unrelated one flagged. ``ratio`` is the
budget (1 s per application) over the p99: above 1 is within it. One JSON line. The tables are
analysed (PostgreSQL's planner statistics) before measuring, as autovacuum does after a load.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from bench.ledger import _app

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/trustfund_bench_copies"
BUDGET_MS = 1000.0
WORDS = 1500
ORGANISATIONS = 1000
_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ter",
    "san",
    "vo",
    "du",
    "pre",
    "gan",
    "shi",
    "rel",
    "tor",
    "na",
    "bel",
    "quo",
    "fi",
    "zen",
    "ur",
    "ma",
    "pe",
    "ro",
    "li",
]
_FUNCTION = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "for",
    "with",
    "on",
    "by",
    "at",
    "from",
    "as",
    "is",
    "are",
    "will",
    "be",
    "our",
    "this",
    "that",
    "their",
]


def _vocabulary(rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < 20_000:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 5))))
    return _FUNCTION + sorted(words)


class Writer:
    """Proposals of about WORDS words: Zipf-distributed words and some stock sentences."""

    def __init__(self, seed: int) -> None:
        # One vocabulary and one set of stock sentences for every writer; texts by ``seed`` (the
        # texts measured must not be the filled ones written again by the same generator).
        self.rng = random.Random(21)
        self.vocabulary = _vocabulary(self.rng)
        weights = [1 / (rank + 1) ** 0.9 for rank in range(len(self.vocabulary))]
        self.cumulative = list(_accumulate(weights))
        self.stock = [" ".join(self.words(15)) for _ in range(60)]
        self.rng = random.Random(seed)

    def words(self, count: int) -> list[str]:
        return self.rng.choices(self.vocabulary, cum_weights=self.cumulative, k=count)

    def proposal(self, count: int = WORDS) -> str:
        body = self.words(count - 45)
        for sentence in self.rng.sample(self.stock, 3):
            at = self.rng.randint(0, len(body))
            body[at:at] = sentence.split()
        return _paragraphs(body)

    def copy_of(self, source: str, share: float = 0.6, changed: float = 0.1) -> str:
        words = source.split()
        keep = int(len(words) * share)
        start = self.rng.randint(0, len(words) - keep)
        reused = [
            word if self.rng.random() >= changed else self.words(1)[0]
            for word in words[start : start + keep]
        ]
        own = self.words(len(words) - keep)
        cut = self.rng.randint(0, len(own))
        return _paragraphs(own[:cut] + reused + own[cut:])


def _accumulate(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _paragraphs(words: list[str]) -> str:
    sentences = [" ".join(words[i : i + 15]).capitalize() + "." for i in range(0, len(words), 15)]
    return "\n\n".join(" ".join(sentences[i : i + 6]) for i in range(0, len(sentences), 6))


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _call() -> Any:
    from app.calls.models import Call, CallStatus, WindowKind
    from app.platform.db import utcnow
    from app.platform.extensions import db

    now = utcnow()
    call = Call(
        reference=f"BENCH-COPIES-{now:%H%M%S%f}",
        title={"en": "Bench call"},
        description={"en": "Copied proposals bench"},
        window=next(iter(WindowKind)),
        status=CallStatus.PUBLISHED,
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=30),
        currency="USD",
        envelope=10**9,
        max_amount=10**7,
        max_duration_months=24,
    )
    db.session.add(call)
    db.session.flush()
    return call


def _organisation(number: int) -> Any:
    from app.accounts.models import Organisation, OrganisationKind

    return Organisation(name=f"Bench NGO {number}", kind=OrganisationKind.NGO, country="KE")


def _application(call: Any, organisation: Any, text: str, status: Any) -> Any:
    from decimal import Decimal

    from app.applications.models import Application

    return Application(
        call=call,
        organisation=organisation,
        status=status,
        title="Assistance to survivors",
        summary=text,
        currency="USD",
        psc_rate=Decimal("0.07"),
    )


def fill(count: int, writer: Writer) -> None:
    """``count`` submitted applications, signed; committed in batches of 500."""
    from app.applications.models import Application, ApplicationStatus
    from app.copies.services import proposal_text, sign_text, store_signature
    from app.platform.extensions import db

    have = db.session.scalar(sa.select(sa.func.count()).select_from(Application)) or 0
    if have >= count:
        return
    call = _call()
    organisations = [_organisation(n) for n in range(ORGANISATIONS)]
    db.session.add_all(organisations)
    started = time.perf_counter()
    for number in range(have, count):
        application = _application(
            call,
            organisations[number % ORGANISATIONS],
            writer.proposal(),
            ApplicationStatus.SUBMITTED,
        )
        db.session.add(application)
        db.session.flush()
        text = proposal_text(application)
        store_signature(application.id, text, sign_text(text))
        if (number + 1) % 500 == 0:
            db.session.commit()
            took = time.perf_counter() - started
            print(f"# {number + 1}/{count} applications signed ({took:.0f} s)", flush=True)
    db.session.commit()


def analyse() -> None:
    """PostgreSQL: the planner's statistics of the tables just filled, as autovacuum gathers
    after a bulk load (without them it guesses that a band matches a third of the rows, and
    scans them all instead of using the index)."""
    from app.platform.extensions import db

    if db.engine.dialect.name == "postgresql":
        for table in ("applications", "copy_signatures", "copy_bands"):
            db.session.execute(sa.text(f"ANALYZE {table}"))
        db.session.commit()


def measure(samples: int, writer: Writer) -> dict[str, Any]:
    from app.applications.models import Application, ApplicationStatus
    from app.copies.services import check_application
    from app.platform.extensions import db

    ids = list(db.session.execute(sa.select(Application.id)).scalars())
    timings: list[float] = []
    errors = 0
    for number in range(samples):
        planted = number % 2 == 0
        source = db.session.get(Application, writer.rng.choice(ids))
        assert source is not None
        text = writer.copy_of(source.summary) if planted else writer.proposal()
        call = _call()
        organisation = _organisation(100_000 + number)
        application = _application(call, organisation, text, ApplicationStatus.SUBMITTED)
        db.session.add(application)
        db.session.flush()
        start = time.perf_counter()
        flags = check_application(application)
        timings.append((time.perf_counter() - start) * 1000)
        found = {flag.first_id for flag in flags} | {flag.second_id for flag in flags}
        if planted and source.id not in found:
            errors += 1
        if not planted and flags:
            errors += 1
        db.session.rollback()
    p99 = _percentile(timings, 0.99)
    return {
        "bench": "copies",
        "variant": f"{len(ids)} applications, 60 % copy with 1 word in 10 changed",
        "p50_ms": round(statistics.median(timings), 1),
        "p99_ms": round(p99, 1),
        "ratio": round(BUDGET_MS / p99, 2),
        "samples": samples,
        "errors": errors,
    }


def main() -> None:
    from flask_migrate import upgrade

    url = os.environ.get("BENCH_COPIES_DATABASE_URL", DEFAULT_URL)
    count = int(os.environ.get("BENCH_COPIES_APPLICATIONS", "10000"))
    samples = int(os.environ.get("BENCH_COPIES_SAMPLES", "40"))
    if url.startswith("postgresql"):
        _create_database(url)
    app = _app(url)
    with app.app_context():
        upgrade()
        fill(count, Writer(seed=1))
        analyse()
        print(json.dumps(measure(samples, Writer(seed=2))))


def _create_database(url: str) -> None:
    target = sa.make_url(url)
    server = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        ).scalar()
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()


if __name__ == "__main__":
    main()
