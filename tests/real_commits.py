"""Tests that commit for real (concurrency, the page memo): run work committed on its own
connection, and afterwards remove every row it added so the rest of the run is unaffected."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import Flask

from app.extensions import db


@contextmanager
def committed_rows_removed(app: Flask) -> Iterator[None]:
    """Delete every row committed inside the block and restore the seeded ledger totals and
    grant number sequences, so the rest of the run sees what it saw before.

    Append-only tables refuse DELETE by trigger: the user triggers are off inside the
    cleaning transaction only (foreign keys still hold).
    """
    tables = [
        t
        for t in db.metadata.sorted_tables
        if "id" in t.c and isinstance(t.c.id.type, sa.Integer) and t.name != "ledger_transfers"
    ]
    with app.app_context(), db.engine.connect() as conn:
        marks = {
            t.name: conn.execute(sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0))).scalar()
            for t in tables
        }
        last_sequence = conn.execute(
            sa.text("SELECT coalesce(max(sequence), 0) FROM ledger_transfers")
        ).scalar()
        seeded = conn.execute(
            sa.text(
                "SELECT id, debits_pending, debits_posted, credits_pending, credits_posted"
                " FROM ledger_accounts"
            )
        ).all()
        sequences = conn.execute(sa.text("SELECT year, last_number FROM grant_sequences")).all()
    yield
    db.session.remove()
    with app.app_context(), db.engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            conn.execute(sa.text(f'ALTER TABLE "{table.name}" DISABLE TRIGGER USER'))
        conn.execute(
            sa.text("DELETE FROM ledger_transfers WHERE sequence > :s AND pending_id IS NOT NULL"),
            {"s": last_sequence},
        )
        conn.execute(
            sa.text("DELETE FROM ledger_transfers WHERE sequence > :s"), {"s": last_sequence}
        )
        conn.execute(
            sa.text("DELETE FROM organisation_profiles WHERE organisation_id > :m"),
            {"m": marks["organisations"]},
        )
        for table in reversed(tables):
            conn.execute(sa.delete(table).where(table.c.id > marks[table.name]))
        conn.execute(
            sa.text(
                "UPDATE ledger_accounts SET debits_pending = :dp, debits_posted = :dpo,"
                " credits_pending = :cp, credits_posted = :cpo WHERE id = :id"
            ),
            [dict(zip(("id", "dp", "dpo", "cp", "cpo"), row, strict=True)) for row in seeded],
        )
        conn.execute(sa.text("DELETE FROM grant_sequences"))
        if sequences:
            conn.execute(
                sa.text("INSERT INTO grant_sequences (year, last_number) VALUES (:y, :n)"),
                [{"y": year, "n": number} for year, number in sequences],
            )
        for table in db.metadata.sorted_tables:
            conn.execute(sa.text(f'ALTER TABLE "{table.name}" ENABLE TRIGGER USER'))


def committed(app: Flask, work: Callable[[], Any]) -> Any:
    """Run ``work`` in its own app context (its own session and connection) and commit."""
    with app.app_context():
        try:
            result = work()
            db.session.commit()
            return result
        finally:
            db.session.remove()


def race(app: Flask, workers: list[Callable[[], Any]], *, commit: bool = True) -> list[Any]:
    """Start every worker at once, each on its own connection; ``commit``: commit what each
    did (else the worker commits, or not, itself). Returns what each returned, or the exception
    it raised."""
    start = threading.Barrier(len(workers))
    results: list[Any] = [None] * len(workers)

    def run(slot: int) -> None:
        with app.app_context():
            db.session.execute(sa.text("SELECT 1"))
            db.session.commit()
            start.wait(timeout=30)
            try:
                results[slot] = workers[slot]()
                if commit:
                    db.session.commit()
            except Exception as error:
                db.session.rollback()
                results[slot] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return results
