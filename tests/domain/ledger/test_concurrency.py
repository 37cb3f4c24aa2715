"""Real concurrent connections on PostgreSQL: no over-commitment, no double resolution, no
deadlock, nothing left behind by a failed batch.

These tests commit for real. They post only on accounts they create, plus the seeded
``fund:available`` and ``cash:stripe``; the ``cleanup`` fixture then deletes every row they
added (with the append-only triggers disabled inside its own transaction) and restores the
seeded accounts' totals, so the rest of the run sees the ledger as migrated.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.ledger import chart
from app.ledger.models import Account, Transfer
from app.ledger.rules import TransferSpec
from app.ledger.services.posting import post_transfers
from app.ledger.verify import verify_ledger
from app.platform.extensions import db
from tests.domain.ledger.conftest import new_account
from tests.real_commits import committed
from tests.real_commits import race as _race

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]


def race(app: Flask, workers: list[Callable[[], Any]]) -> list[Any]:
    """Every worker at once, each on its own connection; each commits (or not) itself, as the
    posting services' callers do. The workers first queue behind a lock on every account,
    so even postings that hold their locks for one round trip are seen waiting on each other."""
    return _race(app, workers, commit=False, gate="SELECT id FROM ledger_accounts FOR UPDATE")


def single(debit: int, credit: int, amount: int, **fields: Any) -> TransferSpec:
    return TransferSpec(
        id=uuid.uuid4(),
        code=fields.pop("code", "ADJUSTMENT"),
        amount=amount,
        debit_account_id=debit,
        credit_account_id=credit,
        **fields,
    )


def post_and_commit(*specs: TransferSpec) -> list[str]:
    results = post_transfers(list(specs), actor=None)
    db.session.commit()
    return [result.status.value for result in results]


def fund_totals(app: Flask) -> Account:
    def read() -> Any:
        account = chart.account_by_key(chart.FUND_AVAILABLE)
        return (account.debits_pending, account.debits_posted, account.credits_posted)

    return committed(app, read)


def test_racing_commitments_never_overdraw_the_fund(app, cleanup):
    def setup() -> tuple[int, list[int]]:
        fund = chart.account_by_key(chart.FUND_AVAILABLE)
        stripe = chart.account_by_key(chart.CASH_STRIPE)
        post_transfers([single(stripe.id, fund.id, 1_000, code="GIFT")], actor=None)
        grants = [new_account(limit="debits").id for _ in range(8)]
        return fund.id, grants

    fund_id, grants = committed(app, setup)
    pending, posted, credits = fund_totals(app)
    room = credits - posted - pending
    assert room >= 1_000

    def worker(grant: int) -> Callable[[], list[str]]:
        def attempts() -> list[str]:
            return [post_and_commit(single(fund_id, grant, 100))[0] for _ in range(room // 400 + 2)]

        return attempts

    results = race(app, [worker(grant) for grant in grants])
    statuses = [status for result in results for status in result]
    assert set(statuses) <= {"ok", "exceeds_credits"}
    assert statuses.count("ok") == room // 100
    pending, posted, credits = fund_totals(app)
    assert credits - posted - pending == room % 100
    assert committed(app, verify_ledger).ok


def test_racing_post_and_void_resolve_a_pending_transfer_exactly_once(app, cleanup):
    def setup() -> tuple[uuid.UUID, int]:
        source, grant, bank = new_account(), new_account(limit="debits"), new_account()
        pending = TransferSpec(
            id=uuid.uuid4(),
            code="DISBURSEMENT",
            kind="pending",
            amount=500,
            debit_account_id=grant.id,
            credit_account_id=bank.id,
        )
        post_transfers([single(source.id, grant.id, 1_000), pending], actor=None)
        return pending.id, grant.id

    pending_id, grant_id = committed(app, setup)

    def resolve(kind: str) -> Callable[[], str]:
        def attempt() -> str:
            spec = TransferSpec(
                id=uuid.uuid4(),
                code="DISBURSEMENT",
                kind=kind,
                amount=300 if kind == "post_pending" else None,
                pending_id=pending_id,
            )
            return post_and_commit(spec)[0]

        return attempt

    results = race(app, [resolve("post_pending" if i % 2 else "void_pending") for i in range(8)])
    assert results.count("ok") == 1, results
    assert set(results) == {"ok", "pending_already_resolved"}

    def check() -> tuple[int, Any]:
        resolutions = db.session.execute(
            sa.select(sa.func.count()).where(Transfer.pending_id == pending_id)
        ).scalar_one()
        return resolutions, db.session.get(Account, grant_id).debits_pending

    assert check_result(app, check) == (1, 0)
    assert committed(app, verify_ledger).ok


def check_result(app: Flask, read: Callable[[], Any]) -> Any:
    return committed(app, read)


def test_transfers_in_opposite_directions_do_not_deadlock(app, cleanup):
    a, b = committed(app, lambda: (new_account().id, new_account().id))
    rounds = 20

    def worker(slot: int) -> Callable[[], list[str]]:
        def run() -> list[str]:
            out = []
            for _ in range(rounds):
                if slot % 2:
                    out += post_and_commit(single(a, b, 3), single(b, a, 1))
                else:
                    out += post_and_commit(single(b, a, 2), single(a, b, 1))
            return out

        return run

    results = race(app, [worker(slot) for slot in range(6)])
    errors = [result for result in results if isinstance(result, Exception)]
    assert errors == []
    assert all(status == "ok" for result in results for status in result)

    def totals() -> tuple[int, int]:
        account = db.session.get(Account, a)
        return account.debits_posted, account.credits_posted

    # Per round, three workers debit a 3 and credit it 1, three debit it 1 and credit it 2.
    assert check_result(app, totals) == (3 * rounds * (3 + 1), 3 * rounds * (1 + 2))


def test_a_failure_in_the_middle_of_a_batch_leaves_nothing_behind(app, cleanup):
    a, b = committed(app, lambda: (new_account().id, new_account().id))
    ids = []

    def too_long_memo() -> None:
        batch = [single(a, b, 5), single(a, b, 6, memo="x" * 600), single(b, a, 7)]
        ids.extend(spec.id for spec in batch)
        post_and_commit(*batch)

    def crash_before_commit() -> None:
        batch = [single(a, b, 8), single(b, a, 9)]
        ids.extend(spec.id for spec in batch)
        post_transfers(batch, actor=None)
        raise RuntimeError("the worker died before committing")

    def after_them() -> list[str]:
        # Waits for the failed batches' locks, then posts normally.
        return post_and_commit(single(a, b, 10))

    results = race(app, [too_long_memo, crash_before_commit])
    assert isinstance(results[0], sa.exc.DataError)
    assert isinstance(results[1], RuntimeError)
    assert committed(app, after_them) == ["ok"]

    def leftovers() -> tuple[int, tuple[int, int]]:
        count = db.session.execute(
            sa.select(sa.func.count()).where(Transfer.id.in_(ids))
        ).scalar_one()
        account = db.session.get(Account, a)
        return count, (account.debits_posted, account.credits_posted)

    assert check_result(app, leftovers) == (0, (10, 0))
    assert committed(app, verify_ledger).ok


def test_limited_accounts_passing_money_back_and_forth_never_fail_spuriously(app, cleanup):
    # While one transaction waits for an account's lock, others credit it: the waiter must
    # decide on the totals it finally locks (PostgreSQL checks constraints on the version its
    # snapshot saw before following an update, which once made this fail with a CHECK error).
    def setup() -> list[int]:
        source = new_account()
        accounts = [new_account(limit="debits") for _ in range(4)]
        post_transfers([single(source.id, account.id, 3) for account in accounts], actor=None)
        return [account.id for account in accounts]

    accounts = committed(app, setup)

    def worker(slot: int) -> Callable[[], list[str]]:
        def run() -> list[str]:
            step = 1 if slot % 2 else 3  # half the workers go round one way, half the other
            return [
                post_and_commit(single(accounts[i % 4], accounts[(i + step) % 4], 1))[0]
                for i in range(slot, slot + 60)
            ]

        return run

    results = race(app, [worker(slot) for slot in range(8)])
    assert [r for r in results if isinstance(r, Exception)] == []
    assert {status for result in results for status in result} <= {"ok", "exceeds_credits"}
    assert committed(app, verify_ledger).ok
