"""Sealing and verifying: `flask ledger seal` and `flask ledger verify` catch a changed history."""

from __future__ import annotations

import sqlalchemy as sa

from app.ledger.models import Checkpoint
from app.ledger.verify import verify_ledger
from app.platform.extensions import db
from tests.domain.ledger.conftest import post, spec

ID = sa.bindparam("id", type_=sa.Uuid)


def _bypass_append_only_trigger(dialect: str) -> None:
    """What an attacker with database rights could do; undone when the test rolls back."""
    if dialect == "postgresql":
        db.session.execute(
            sa.text("ALTER TABLE ledger_transfers DISABLE TRIGGER ledger_transfers_append_only")
        )
    else:
        db.session.execute(sa.text("DROP TRIGGER ledger_transfers_no_update"))


def _tamper(dialect: str, transfer_id, assignment: str) -> None:
    _bypass_append_only_trigger(dialect)
    db.session.execute(
        sa.text(f"UPDATE ledger_transfers SET {assignment} WHERE id = :id").bindparams(ID),
        {"id": transfer_id},
    )


def test_verify_accepts_a_consistent_ledger(books, runner):
    post(spec(books.cash, books.fund, 100))
    pending = spec(books.fund, books.grant, 60, kind="pending")
    post(pending)
    post(spec(None, None, 20, kind="post_pending", pending=pending.id))
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    assert "Ledger consistent" in result.output


def test_seal_then_verify(books, runner):
    post(spec(books.cash, books.fund, 100), spec(books.cash, books.fund, 5))
    result = runner.invoke(args=["ledger", "seal"])
    assert result.exit_code == 0, result.output
    assert "Sealed" in result.output
    assert "Nothing to seal" in runner.invoke(args=["ledger", "seal"]).output
    post(spec(books.cash, books.fund, 7))
    assert runner.invoke(args=["ledger", "seal"]).exit_code == 0
    checkpoints = db.session.execute(sa.select(Checkpoint).order_by(Checkpoint.id)).scalars().all()
    assert checkpoints[-1].previous_hash == checkpoints[-2].hash
    assert checkpoints[-1].transfer_count == 1
    report = verify_ledger()
    assert report.ok and report.checkpoints >= 2
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0


def test_verify_catches_an_amount_changed_behind_the_triggers_back(books, runner, dialect):
    transfer = spec(books.cash, books.fund, 100)
    post(transfer)
    _tamper(dialect, transfer.id, "amount = 1000")
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert "FAILED" in result.output
    assert f"account {books.cash.key}: debits_posted is 100 but its transfers add up to 1000" in (
        result.output
    )


def test_verify_catches_a_sealed_transfer_edited_without_touching_totals(books, runner, dialect):
    transfer = spec(books.cash, books.fund, 100, memo="for the shelter")
    post(transfer)
    assert runner.invoke(args=["ledger", "seal"]).exit_code == 0
    _tamper(dialect, transfer.id, "memo = 'for my holiday'")
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert "hash differs" in result.output


def test_verify_catches_totals_edited_on_the_account(books):
    post(spec(books.cash, books.fund, 100))
    db.session.execute(
        sa.text("UPDATE ledger_accounts SET credits_posted = 150 WHERE id = :id"),
        {"id": books.fund.id},
    )
    report = verify_ledger()
    assert not report.ok
    assert report.problems[0] == (
        f"account {books.fund.key}: credits_posted is 150 but its transfers add up to 100"
    )
