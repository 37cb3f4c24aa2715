"""Posting test transfers through the ledger service, and reading the screens' tables."""

from __future__ import annotations

import itertools
import uuid
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from app.ledger.chart import (
    CASH_BANK,
    CASH_STRIPE,
    FUND_AVAILABLE,
    account_by_key,
    grant_account,
    receivable_account,
)
from app.ledger.models import Account, TransferCode, TransferKind
from app.ledger.rules import TransferSpec
from app.ledger.services.balances import account_balance
from app.ledger.services.posting import TransferResult, post_transfers, require_accepted

# Owner ids no other test data uses, so each test's grant and donor accounts start empty.
_owner_ids = itertools.count(880_001)


def usd(minor: int) -> str:
    """How an English page shows a USD amount (as table_rows reads it), worked out
    independently of the app."""
    sign = "-" if minor < 0 else ""
    return f"{sign}USD {Decimal(abs(minor)).scaleb(-2):,.2f}"


def account(key: str) -> Account:
    return account_by_key(key)


def new_grant(name: str = "Safe Haven shelter") -> Account:
    return grant_account(grant_id=next(_owner_ids), name=name)


def new_donor(name: str = "Government of Norway") -> Account:
    return receivable_account(donor_id=next(_owner_ids), name=name)


def posted(key: str) -> int:
    """The account's posted balance now (fixed accounts may hold money from earlier tests)."""
    return account_balance(account=account(key)).posted


def post(
    *specs: TransferSpec, actor: Any = None, batch_id: uuid.UUID | None = None
) -> list[TransferResult]:
    return require_accepted(post_transfers(list(specs), actor=actor, batch_id=batch_id))


def transfer(
    code: TransferCode,
    amount: int | None,
    debit: Account | None = None,
    credit: Account | None = None,
    **fields: Any,
) -> TransferSpec:
    return TransferSpec(
        id=uuid.uuid4(),
        code=code,
        amount=amount,
        debit_account_id=debit.id if debit else None,
        credit_account_id=credit.id if credit else None,
        **fields,
    )


def gift(amount: int, *, actor: Any = None, **fields: Any) -> TransferResult:
    spec = transfer(
        TransferCode.GIFT, amount, account(CASH_STRIPE), account(FUND_AVAILABLE), **fields
    )
    return post(spec, actor=actor)[0]


def commit(grant: Account, amount: int, *, actor: Any = None, **fields: Any) -> TransferResult:
    spec = transfer(TransferCode.COMMITMENT, amount, account(FUND_AVAILABLE), grant, **fields)
    return post(spec, actor=actor)[0]


def send_tranche(grant: Account, amount: int, *, actor: Any = None) -> TransferResult:
    spec = transfer(
        TransferCode.DISBURSEMENT, amount, grant, account(CASH_BANK), kind=TransferKind.PENDING
    )
    return post(spec, actor=actor)[0]


def resolve(pending: TransferResult, kind: TransferKind, *, actor: Any = None) -> TransferResult:
    spec = transfer(TransferCode.DISBURSEMENT, None, kind=kind, pending_id=pending.id)
    return post(spec, actor=actor)[0]


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str) -> list[list[str]]:
    """Every table row of the page as its cells' text."""
    parser = _Tables()
    parser.feed(html)
    return parser.rows


def row_with(html: str, text: str) -> list[str]:
    """The first table row one of whose cells contains ``text``."""
    for row in table_rows(html):
        if any(text in cell for cell in row):
            return row
    raise AssertionError(f"no table row mentions {text!r}")


def row_starting(html: str, text: str) -> list[str]:
    """The first table row whose first cell is ``text``."""
    for row in table_rows(html):
        if row and row[0] == text:
            return row
    raise AssertionError(f"no table row starts with {text!r}")
