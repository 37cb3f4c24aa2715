"""Tests that commit for real (concurrency, the page memo): run work committed on its own
connection, and afterwards remove every row it added so the rest of the run is unaffected."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import Flask

from app.ledger.models import DailyMovement
from app.platform.extensions import db

DAILY = DailyMovement.__table__


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
        # Kept by a trigger as transfers are inserted; deleting transfers does not take back.
        daily = conn.execute(sa.select(DAILY)).mappings().all()
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
        conn.execute(sa.delete(DAILY))
        if daily:
            conn.execute(sa.insert(DAILY), [dict(row) for row in daily])
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


class Results(list[Any]):
    """What each worker returned (or raised), and the waits that prove they overlapped."""

    waits: set[tuple[int, int]]  # (waiting worker, worker holding the lock), by slot


class _Overlap:
    """Watches the workers' connections from one of its own, and holds each worker's end of
    transaction until the proof is in.

    A worker about to commit or roll back (its locks still held) waits until another worker is
    seen in ``pg_blocking_pids()`` waiting on a worker's lock, or until no other worker can
    still come to wait (each has finished or is itself at its end). Run one after the other,
    the workers would never wait on each other, and the proof would never come.
    """

    HOLD_SECONDS = 10.0

    def __init__(self, engine: sa.Engine, workers: int) -> None:
        self.engine = engine
        self.pids: dict[int, int] = {}  # slot -> backend pid of the connection it has now
        self.state = ["running"] * workers  # running, holding (at its commit), done
        self.waits: set[tuple[int, int]] = set()
        self.blocked: set[int] = set()  # slots waiting on a lock at the last look
        self.slot = threading.local()
        self.stopped = threading.Event()

    def checked_out(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        slot = getattr(self.slot, "value", None)
        if slot is not None:
            self.pids[slot] = dbapi_connection.info.backend_pid

    def ending(self, _connection: Any) -> None:
        slot = getattr(self.slot, "value", None)
        if slot is None or self.waits:
            return
        self.state[slot] = "holding"
        self.hold(others=[s for s in range(len(self.state)) if s != slot])
        self.state[slot] = "running"

    def hold(self, others: list[int]) -> None:
        """Until the proof is in, or none of ``others`` is still running unblocked."""
        deadline = time.monotonic() + self.HOLD_SECONDS
        while not self.waits and time.monotonic() < deadline:
            blocked = self.blocked
            if all(self.state[s] != "running" or s in blocked for s in others):
                break
            time.sleep(0.001)

    def watch(self) -> None:
        query = sa.text("SELECT pid, pg_blocking_pids(pid) FROM unnest(CAST(:pids AS int[])) pid")
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            while not self.stopped.is_set():
                slots = {pid: slot for slot, pid in list(self.pids.items())}
                blocked = set()
                for pid, blockers in conn.execute(query, {"pids": list(slots)}) if slots else []:
                    blocked.update([slots[pid]] if blockers else [])
                    self.waits.update(
                        (slots[pid], slots[b]) for b in blockers if b in slots and b != pid
                    )
                self.blocked = blocked
                time.sleep(0.0005)


def race(
    app: Flask, workers: list[Callable[[], Any]], *, commit: bool = True, gate: str | None = None
) -> Results:
    """Start every worker at once, each on its own connection; ``commit``: commit what each
    did (else the worker commits, or not, itself). Returns what each returned, or the exception
    it raised, and fails unless a worker was seen waiting on a lock another worker held.

    ``gate``: a statement taking locks the workers need, held on a connection of the race's
    own until the workers queue behind it, then rolled back. For workers whose locks last one
    round trip (the COMMIT sent with the posting): queued behind the gate, they wait on each
    other long enough to be seen.
    """
    start = threading.Barrier(len(workers))
    results = Results([None] * len(workers))
    engine = db.engine
    overlap = _Overlap(engine, len(workers))

    def run(slot: int) -> None:
        with app.app_context():
            try:
                db.session.execute(sa.text("SELECT 1"))
                db.session.commit()
                start.wait(timeout=30)
                overlap.slot.value = slot  # the connections it takes from now on are watched
                try:
                    results[slot] = workers[slot]()
                    if commit:
                        db.session.commit()
                except Exception as error:
                    db.session.rollback()
                    results[slot] = error
                finally:
                    db.session.remove()
            finally:
                overlap.state[slot] = "done"

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(len(workers))]
    watcher = threading.Thread(target=overlap.watch)
    sa.event.listen(engine, "checkout", overlap.checked_out)
    sa.event.listen(engine, "commit", overlap.ending)
    sa.event.listen(engine, "rollback", overlap.ending)
    gated = engine.connect() if gate else None
    try:
        watcher.start()
        if gated is not None:
            gated.execute(sa.text(str(gate)))
        for thread in threads:
            thread.start()
        if gated is not None:
            overlap.hold(others=list(range(len(workers))))
            gated.rollback()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        if gated is not None:
            gated.close()
        overlap.stopped.set()
        watcher.join(timeout=30)
        sa.event.remove(engine, "checkout", overlap.checked_out)
        sa.event.remove(engine, "commit", overlap.ending)
        sa.event.remove(engine, "rollback", overlap.ending)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    results.waits = overlap.waits
    assert results.waits, "no worker ever waited on another's lock: they did not overlap"
    return results


def work_while_compacting(
    app: Flask,
    batches: list[list[int]],
    work: Callable[[list[int], int], None],
    compact: Callable[[], object],
) -> None:
    """Run ``work(batch, worker)`` for each batch on its own thread and connection while one
    more thread compacts running totals (``compact`` then commit) over and over until the
    workers are done; fail with what any thread raised."""
    errors: list[BaseException] = []
    done = threading.Event()

    def in_context(body: Callable[[], None]) -> None:
        try:
            with app.app_context():
                body()
                db.session.remove()
        except BaseException as error:  # reported below, on the test's thread
            errors.append(error)

    def compacting() -> None:
        while not done.is_set():
            compact()
            db.session.commit()

    workers = [
        threading.Thread(target=in_context, args=(lambda b=batch, n=n: work(b, n),))
        for n, batch in enumerate(batches)
    ]
    compactor = threading.Thread(target=in_context, args=(compacting,))
    compactor.start()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    done.set()
    compactor.join()
    assert errors == []
