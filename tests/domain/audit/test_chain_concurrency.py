"""Sealing the audit log while events are being written, on PostgreSQL with real concurrent
connections: each seal is a consistent snapshot (every event up to the highest id once no
transaction is still writing one), events written meanwhile are the next seal's, writers never
wait for the hashing, and two seals at once make one chain.

These tests commit for real; ``committed_rows_removed`` deletes what they added.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.audit import chain
from app.audit.chain import SealPostponed, seal_audit_log, verify_audit_log
from app.audit.models import AuditCheckpoint, AuditEvent
from app.audit.services import record_event
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.real_commits import committed, committed_rows_removed, race

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]

EVENTS = AuditEvent.__table__


@pytest.fixture
def cleanup(app: Flask) -> Iterator[None]:
    with committed_rows_removed(app):
        yield


def _event(summary: str) -> int:
    """An event written and flushed in the current session (the caller commits)."""
    db.session.execute(sa.text("SET LOCAL lock_timeout = '5s'"))  # fail, never hang
    event = record_event(actor=None, action="test.concurrent", summary=summary)
    db.session.flush()
    return event.id


def _sealed(app: Flask, **kwargs: Any) -> tuple[int, int, int] | None:
    def seal() -> tuple[int, int, int] | None:
        checkpoint = seal_audit_log(actor=None, **kwargs)
        if checkpoint is None:
            return None
        return checkpoint.first_event_id, checkpoint.last_event_id, checkpoint.event_count

    return committed(app, seal)


def _verified(app: Flask) -> Any:
    return committed(app, verify_audit_log)


def _wait_until_blocked_by(app: Flask, pid: int) -> None:
    """Until some connection is seen waiting on a lock that backend ``pid`` holds."""
    query = sa.text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))")
    deadline = time.monotonic() + 10
    with app.app_context(), db.engine.connect() as watcher:
        while time.monotonic() < deadline:
            if watcher.execute(query, {"pid": pid}).scalar_one():
                return
            watcher.rollback()
            time.sleep(0.01)
    raise AssertionError("the seal never waited for the transaction still writing an event")


def test_an_event_written_before_the_seal_but_committed_after_another_is_not_skipped(app, cleanup):
    """Ids are handed out at insert: event A gets the lower id but commits after event B. A seal
    reading the highest id (B's) must wait for A, or A would later appear below the seal."""
    with app.app_context():
        slow = db.engine.connect()
    try:
        slow_transaction = slow.begin()
        slow_id = slow.execute(
            sa.insert(EVENTS)
            .values(
                occurred_at=utcnow(),
                actor_label="system",
                action="test.concurrent",
                summary="written first, committed last",
            )
            .returning(EVENTS.c.id)
        ).scalar_one()
        slow_pid = slow.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        later_id = committed(app, lambda: _event("written second, committed first"))
        assert later_id > slow_id

        sealed: list[Any] = []
        sealer = threading.Thread(target=lambda: sealed.append(_sealed(app)))
        sealer.start()
        try:
            _wait_until_blocked_by(app, slow_pid)
        finally:
            slow_transaction.commit()
            sealer.join(timeout=30)
    finally:
        slow.close()

    [(first, last, _count)] = sealed
    assert first <= slow_id and last == later_id
    report = _verified(app)
    assert report.ok, report.problems
    assert report.unsealed_events == 0


def test_an_event_committed_while_the_seal_hashes_waits_for_the_next_seal(
    app, cleanup, monkeypatch
):
    committed(app, lambda: _event("before the seal"))
    hashing, written = threading.Event(), threading.Event()
    hash_one = chain.canonical

    def slow_canonical(row: Any) -> str:
        if not hashing.is_set():
            hashing.set()
            written.wait(timeout=20)
        return hash_one(row)

    monkeypatch.setattr(chain, "canonical", slow_canonical)
    sealed: list[Any] = []
    sealer = threading.Thread(target=lambda: sealed.append(_sealed(app)))
    sealer.start()
    try:
        assert hashing.wait(timeout=20)
        # Not blocked by the seal (the lock_timeout in _event would fail it otherwise).
        during = committed(app, lambda: _event("written while the seal hashes"))
    finally:
        written.set()
        sealer.join(timeout=30)

    [(_first, last, _count)] = sealed
    assert last < during
    assert _verified(app).unsealed_events == 1
    assert _sealed(app) == (during, during, 1)
    report = _verified(app)
    assert report.ok and report.unsealed_events == 0


def test_two_seals_at_once_make_one_chain(app, cleanup):
    committed(app, lambda: [_event(f"event {n}") for n in range(5)])

    def seal() -> tuple[int, int] | None:
        checkpoint = seal_audit_log(actor=None)
        return None if checkpoint is None else (checkpoint.first_event_id, checkpoint.last_event_id)

    results = race(app, [seal, seal])

    assert all(not isinstance(result, Exception) for result in results)
    assert sum(result is None for result in results) == 1  # the first sealed them all
    report = _verified(app)
    assert report.ok, report.problems


def test_writers_and_seals_at_once_leave_a_chain_that_verifies(app, cleanup):
    def write() -> list[int]:
        return [_event(f"written with seals about {n}") for n in range(20)]

    def seal_twice() -> int:
        made = 0
        for _ in range(2):
            made += seal_audit_log(actor=None) is not None
            db.session.commit()
        return made

    results = race(app, [write, seal_twice, write, seal_twice])

    assert not [result for result in results if isinstance(result, Exception)]
    _sealed(app)
    report = _verified(app)
    assert report.ok, report.problems
    assert report.unsealed_events == 0


def _seals() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditCheckpoint)) or 0


def test_a_seal_that_cannot_take_its_snapshot_in_time_writes_nothing(app, cleanup):
    committed(app, lambda: _event("sealable"))
    seals_before = committed(app, _seals)
    with app.app_context():
        slow = db.engine.connect()
    try:
        with slow.begin():
            slow.execute(
                sa.insert(EVENTS).values(
                    occurred_at=utcnow(), actor_label="system", action="t", summary="held open"
                )
            )

            def seal() -> int:
                with pytest.raises(SealPostponed, match="kept writing an event for more than"):
                    seal_audit_log(actor=None, wait_seconds=0.2)
                # The savepoint let the lock go: this transaction still works.
                _event("written by the sealer's transaction after it gave up")
                return _seals()

            assert committed(app, seal) == seals_before
    finally:
        slow.close()
    assert _sealed(app) is not None
    assert _verified(app).ok
