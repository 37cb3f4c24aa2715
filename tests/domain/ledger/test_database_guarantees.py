"""What the database itself enforces, even for SQL that bypasses the ledger service."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from app.ledger import chart
from app.ledger.models import Account, Transfer
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.domain.ledger.conftest import post, spec

ID = sa.bindparam("id", type_=sa.Uuid)


def _refused(statement, **params):
    with pytest.raises(sa.exc.DatabaseError) as caught, db.session.begin_nested():
        db.session.execute(statement, params)
    return str(caught.value)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_transfers SET amount = amount + 1 WHERE id = :id",
        "UPDATE ledger_transfers SET memo = 'edited' WHERE id = :id",
        "DELETE FROM ledger_transfers WHERE id = :id",
    ],
    ids=["update-amount", "update-memo", "delete"],
)
def test_transfers_cannot_be_changed_or_deleted(books, sql):
    transfer = spec(books.cash, books.fund, 100, memo="original")
    post(transfer)
    message = _refused(sa.text(sql).bindparams(ID), id=transfer.id)
    assert "append-only" in message
    db.session.expire_all()
    stored = db.session.get(Transfer, transfer.id)
    assert (stored.amount, stored.memo) == (100, "original")


def test_checkpoints_cannot_be_changed(books, runner):
    post(spec(books.cash, books.fund, 100))
    assert runner.invoke(args=["ledger", "seal"]).exit_code == 0
    message = _refused(sa.text("UPDATE ledger_checkpoints SET hash = 'x'"))
    assert "append-only" in message


def _set_totals(key_or_account, **totals):
    account_id = key_or_account.id if isinstance(key_or_account, Account) else None
    if account_id is None:
        account_id = chart.account_by_key(key_or_account).id
    assignments = ", ".join(f"{name} = {value}" for name, value in totals.items())
    return _refused(
        sa.text(f"UPDATE ledger_accounts SET {assignments} WHERE id = :account"),
        account=account_id,
    )


def test_account_totals_cannot_go_negative(books):
    assert "totals_non_negative" in _set_totals(books.cash, debits_posted=-1)


def test_fund_cannot_be_overdrawn_even_by_direct_sql():
    message = _set_totals(chart.FUND_AVAILABLE, credits_posted=100, debits_posted=101)
    assert "debits_within_credits" in message
    # Pending outflows count too.
    message = _set_totals(
        chart.FUND_AVAILABLE, credits_posted=100, debits_posted=60, debits_pending=41
    )
    assert "debits_within_credits" in message


def test_receivable_cannot_be_overpaid_even_by_direct_sql(books):
    message = _set_totals(books.receivable, debits_posted=100, credits_posted=101)
    assert "credits_within_debits" in message


def test_an_account_has_at_most_one_limit(books):
    message = _set_totals(books.fund, credits_must_not_exceed_debits=True)
    assert "one_limit_flag" in message


def _insert(**fields):
    row = {
        "id": uuid.uuid4(),
        "sequence": 10**12 + uuid.uuid4().int % 10**9,
        "amount": 1,
        "code": "ADJUSTMENT",
        "kind": "single",
        "pending_id": None,
        "created_at": utcnow(),
        **fields,
    }
    return _refused(sa.insert(Transfer.__table__).values(**row))


def test_transfer_rows_are_checked_by_the_database(books):
    accounts = {"debit_account_id": books.cash.id, "credit_account_id": books.fund.id}
    assert "amount_positive" in _insert(**accounts, amount=0)
    assert "accounts_differ" in _insert(
        debit_account_id=books.cash.id, credit_account_id=books.cash.id
    )
    assert "pending_id_matches_kind" in _insert(**accounts, kind="post_pending")


def test_a_pending_transfer_can_be_resolved_only_once_even_by_direct_sql(books):
    pending = spec(books.cash, books.other, 10, kind="pending")
    post(pending)
    post(spec(None, None, None, kind="void_pending", pending=pending.id))
    message = _insert(
        debit_account_id=books.cash.id,
        credit_account_id=books.other.id,
        amount=10,
        kind="post_pending",
        pending_id=pending.id,
    )
    assert "pending_id" in message
