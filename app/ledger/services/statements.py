"""An account's statement: its transfers page by page, with the running balance after each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.ledger.models import Account, Transfer
from app.ledger.services.balances import Balance, balance_before
from app.platform.extensions import db


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One transfer on an account's statement, and the account's balance after it."""

    transfer: Transfer
    is_debit: bool
    balance: Balance

    @property
    def amount(self) -> int:
        """Signed on the account's normal side: positive when it grows the balance."""
        grows = self.is_debit == self.balance.debit_normal
        return self.transfer.amount if grows else -self.transfer.amount

    @property
    def counterparty(self) -> Account:
        return self.transfer.credit_account if self.is_debit else self.transfer.debit_account


@dataclass(frozen=True, slots=True)
class StatementPage:
    """A page of a statement; pass ``next_cursor`` back as ``cursor`` for the next page."""

    lines: list[StatementLine]
    opening: Balance | None
    next_cursor: int | None


def account_statement(
    *,
    account: Account,
    cursor: int | None = None,
    limit: int = 50,
    since: datetime | None = None,
    until: datetime | None = None,
    newest_first: bool = False,
) -> StatementPage:
    """A page of the account's transfers with the running balance after each one.

    Keyset pagination on the transfer sequence (``cursor`` is the last sequence shown), so
    every page costs the same; ``since``/``until`` limit the transfers' creation time.
    ``opening`` is the balance before the earliest line of the page.
    """
    limit = max(1, min(limit, 500))
    t = Transfer
    order = t.sequence.desc() if newest_first else t.sequence.asc()
    sequences = _page_sequences(
        account=account,
        cursor=cursor,
        limit=limit,
        since=since,
        until=until,
        newest_first=newest_first,
    )
    query = (
        sa.select(t)
        .options(
            joinedload(t.debit_account),
            joinedload(t.credit_account),
            joinedload(t.pending),
        )
        .where(t.sequence.in_(sequences.scalar_subquery()))
    )
    transfers = list(db.session.execute(query.order_by(order)).scalars())
    has_more = len(transfers) > limit
    transfers = transfers[:limit]
    if not transfers:
        return StatementPage(lines=[], opening=None, next_cursor=None)
    opening, lines = _running_lines(account, transfers)
    if newest_first:
        lines.reverse()
    return StatementPage(
        lines=lines,
        opening=opening,
        next_cursor=transfers[-1].sequence if has_more else None,
    )


def _page_sequences(
    *,
    account: Account,
    cursor: int | None,
    limit: int,
    since: datetime | None,
    until: datetime | None,
    newest_first: bool,
) -> sa.Select[Any]:
    """The sequences of the page's transfers and of one more (which says a next page exists)."""
    t = Transfer
    order = t.sequence.desc() if newest_first else t.sequence.asc()

    def side(column: Any) -> sa.Select[Any]:
        # One ordered index range scan per side (ix_ledger_transfers_debit_account /
        # _credit_account), each stopping after the page: an OR of the two sides would make
        # PostgreSQL collect and sort every transfer of a busy account (the fund's: 1,000,000).
        query = sa.select(t.sequence).where(column == account.id)
        if since is not None:
            query = query.where(t.created_at >= since)
        if until is not None:
            query = query.where(t.created_at < until)
        if cursor is not None:
            query = query.where(t.sequence < cursor if newest_first else t.sequence > cursor)
        return query.order_by(order).limit(limit + 1)

    both = sa.union_all(
        side(t.debit_account_id).subquery().select(), side(t.credit_account_id).subquery().select()
    ).subquery("page")
    return (
        sa.select(both.c.sequence)
        .order_by(both.c.sequence.desc() if newest_first else both.c.sequence.asc())
        .limit(limit + 1)
    )


def _running_lines(
    account: Account, transfers: list[Transfer]
) -> tuple[Balance, list[StatementLine]]:
    """The balance before the earliest transfer, and the lines in posting order."""
    chronological = sorted(transfers, key=lambda transfer: transfer.sequence)
    balance = opening = balance_before(account, chronological[0].sequence)
    lines = []
    for transfer in chronological:
        balance = balance.after(transfer, account.id)
        lines.append(
            StatementLine(
                transfer=transfer,
                is_debit=transfer.debit_account_id == account.id,
                balance=balance,
            )
        )
    return opening, lines
