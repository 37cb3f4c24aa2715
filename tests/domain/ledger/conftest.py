"""Ledger test helpers: fresh accounts per test and a terse way to post transfers."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.ledger import chart
from app.ledger.models import Account, AccountType, DailyMovement, TransferCode, TransferKind
from app.ledger.rules import TransferSpec
from app.ledger.services.posting import TransferResult, post_transfers
from app.platform.extensions import db

_numbers = itertools.count(1)
DAILY = DailyMovement.__table__


def new_account(
    *, limit: str | None = None, type_: AccountType = AccountType.ASSET, name: str = "Test"
) -> Account:
    """A fresh account; ``limit`` is "debits" (debits must not exceed credits) or "credits"."""
    number = next(_numbers)
    template = chart.AccountTemplate(
        9900,
        type_,
        debits_must_not_exceed_credits=limit == "debits",
        credits_must_not_exceed_debits=limit == "credits",
    )
    return chart.get_or_create_account(
        key=f"test:{uuid.uuid4().hex[:12]}:{number}", name=f"{name} {number}", template=template
    )


def spec(
    debit: Account | None,
    credit: Account | None,
    amount: int | None,
    *,
    code: TransferCode = TransferCode.ADJUSTMENT,
    kind: TransferKind = TransferKind.SINGLE,
    pending: uuid.UUID | None = None,
    id: uuid.UUID | None = None,
    **fields: Any,
) -> TransferSpec:
    return TransferSpec(
        id=id or uuid.uuid4(),
        code=code,
        amount=amount,
        debit_account_id=debit.id if debit else None,
        credit_account_id=credit.id if credit else None,
        kind=kind,
        pending_id=pending,
        **fields,
    )


def post(*specs: TransferSpec, actor: Any = None) -> list[TransferResult]:
    return post_transfers(list(specs), actor=actor)


def statuses(results: list[TransferResult]) -> list[str]:
    return [result.status.value for result in results]


@dataclass
class Books:
    """A small set of fresh accounts: a funded fund, a grant, cash and a donor receivable."""

    cash: Account
    fund: Account
    grant: Account
    receivable: Account
    other: Account


@pytest.fixture
def books() -> Books:
    cash = new_account(name="Cash")
    fund = new_account(limit="debits", type_=AccountType.NET_ASSETS, name="Fund")
    grant = new_account(limit="debits", type_=AccountType.LIABILITY, name="Grant")
    receivable = new_account(limit="credits", name="Receivable")
    other = new_account(name="Other")
    return Books(cash, fund, grant, receivable, other)


@pytest.fixture
def cleanup(app: Flask) -> Iterator[None]:
    with db.engine.connect() as conn:
        marks = conn.execute(
            sa.text(
                "SELECT (SELECT coalesce(max(sequence), 0) FROM ledger_transfers),"
                " (SELECT coalesce(max(id), 0) FROM audit_events),"
                " (SELECT coalesce(max(id), 0) FROM ledger_accounts)"
            )
        ).one()
        seeded = conn.execute(
            sa.text(
                "SELECT id, debits_pending, debits_posted, credits_pending, credits_posted"
                " FROM ledger_accounts"
            )
        ).all()
        # Kept by a trigger as transfers are inserted; deleting transfers does not take back.
        daily = conn.execute(sa.select(DAILY)).mappings().all()
    yield
    db.session.remove()
    with db.engine.begin() as conn:
        for table, trigger in (
            ("ledger_transfers", "ledger_transfers_append_only"),
            ("audit_events", "audit_events_append_only"),
        ):
            conn.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}"))
        conn.execute(
            sa.text("DELETE FROM ledger_transfers WHERE sequence > :s AND pending_id IS NOT NULL"),
            {"s": marks[0]},
        )
        conn.execute(sa.text("DELETE FROM ledger_transfers WHERE sequence > :s"), {"s": marks[0]})
        conn.execute(sa.text("DELETE FROM audit_events WHERE id > :a"), {"a": marks[1]})
        conn.execute(sa.text("DELETE FROM ledger_accounts WHERE id > :a"), {"a": marks[2]})
        conn.execute(sa.delete(DAILY))
        if daily:
            conn.execute(sa.insert(DAILY), [dict(row) for row in daily])
        conn.execute(
            sa.text(
                "UPDATE ledger_accounts SET debits_pending = :dp, debits_posted = :dpo,"
                " credits_pending = :cp, credits_posted = :cpo WHERE id = :id"
            ),
            [dict(zip(("id", "dp", "dpo", "cp", "cpo"), row, strict=True)) for row in seeded],
        )
        for table, trigger in (
            ("ledger_transfers", "ledger_transfers_append_only"),
            ("audit_events", "audit_events_append_only"),
        ):
            conn.execute(sa.text(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}"))
