"""A posting committed by ``post_transfers_and_commit`` is on disk before the caller hears of it.

Its transaction commits without waiting for the WAL flush, so the accounts' locks are free at
once, and a second, synchronous commit in the same message waits for the flush of everything
before it (decision 0035). These tests commit for real.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from app.ledger.services import post_transfers_and_commit
from app.platform.extensions import db
from tests.domain.ledger.conftest import new_account, spec

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]


def test_the_posting_is_flushed_to_the_wal_before_the_call_returns(
    app: Flask, cleanup: None
) -> None:
    with app.app_context():
        cash, other = new_account(), new_account()
        db.session.commit()
        with db.engine.connect() as observer:
            before = observer.execute(sa.text("SELECT pg_current_wal_insert_lsn()")).scalar()
            results = post_transfers_and_commit([spec(cash, other, 100)], actor=None)
            flushed_past = observer.execute(
                sa.text("SELECT pg_current_wal_flush_lsn() > CAST(:before AS pg_lsn)"),
                {"before": str(before)},
            ).scalar()
        assert [result.accepted for result in results] == [True]
        # Everything the posting wrote lies after ``before``; without the synchronous commit
        # nothing would have flushed it yet (the WAL writer waits up to wal_writer_delay).
        assert flushed_past is True
        db.session.remove()


def test_later_work_in_the_session_commits_synchronously_again(app: Flask, cleanup: None) -> None:
    with app.app_context():
        cash, other = new_account(), new_account()
        db.session.flush()  # a transaction is open: the posting joins it
        results = post_transfers_and_commit([spec(cash, other, 5)], actor=None)
        assert [result.accepted for result in results] == [True]
        assert db.session.execute(sa.text("SHOW synchronous_commit")).scalar() == "on"
        results = post_transfers_and_commit([spec(other, cash, 5)], actor=None)  # none open
        assert [result.accepted for result in results] == [True]
        assert db.session.execute(sa.text("SHOW synchronous_commit")).scalar() == "on"
        db.session.remove()
