"""Ledger test helpers: fresh accounts per test and a terse way to post transfers."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from app.domain.ledger import chart
from app.domain.ledger.models import Account, AccountType, TransferCode, TransferKind
from app.domain.ledger.services import TransferResult, TransferSpec, post_transfers

_numbers = itertools.count(1)


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
