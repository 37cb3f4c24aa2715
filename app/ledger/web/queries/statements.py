"""The statement page: a page of an account's transfers, newest first, optionally of one
transfer code, with the cursors of the pages either side."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.ledger.models import Account, Transfer, TransferCode
from app.ledger.services.balances import Balance, balances_after
from app.ledger.services.statements import StatementLine, account_statement
from app.platform.extensions import db


@dataclass
class StatementView:
    """A page of a statement, newest first, with the cursors of the pages either side."""

    lines: list[StatementLine]
    opening: Balance | None
    older: int | None  # show lines with sequence < older
    newer: int | None  # show lines with sequence > newer


def statement_view(
    *,
    account: Account,
    limit: int,
    before: int | None = None,
    after: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    code: TransferCode | None = None,
) -> StatementView:
    """A page of the account's statement, newest first.

    ``before`` pages towards older lines, ``after`` back towards newer ones (keyset on the
    transfer sequence, so every page costs the same).
    """
    going_back = after is not None and before is None
    cursor = after if going_back else before
    if code is None:
        page = account_statement(
            account=account,
            cursor=cursor,
            limit=limit,
            since=since,
            until=until,
            newest_first=not going_back,
        )
        lines, opening, more = page.lines, page.opening, page.next_cursor is not None
    else:
        lines, more = _statement_for_code(
            account=account,
            code=code,
            cursor=cursor,
            limit=limit,
            since=since,
            until=until,
            newest_first=not going_back,
        )
        opening = None
    if going_back:
        lines = list(reversed(lines))
    if not lines:
        return StatementView(lines=[], opening=None, older=None, newer=None)
    newest, oldest = lines[0].transfer.sequence, lines[-1].transfer.sequence
    if going_back:
        # We came from an older page, so older lines exist; newer ones if this page is full.
        return StatementView(lines, opening, older=oldest, newer=newest if more else None)
    return StatementView(
        lines, opening, older=oldest if more else None, newer=newest if cursor else None
    )


def _statement_for_code(
    *,
    account: Account,
    code: TransferCode,
    cursor: int | None,
    limit: int,
    since: datetime | None,
    until: datetime | None,
    newest_first: bool,
) -> tuple[list[StatementLine], bool]:
    """Like ``account_statement`` for one transfer code; balances still count every transfer."""
    t = Transfer
    query = (
        sa.select(t)
        .options(joinedload(t.debit_account), joinedload(t.credit_account), joinedload(t.pending))
        .where(
            sa.or_(t.debit_account_id == account.id, t.credit_account_id == account.id),
            t.code == code,
        )
    )
    if since is not None:
        query = query.where(t.created_at >= since)
    if until is not None:
        query = query.where(t.created_at < until)
    if cursor is not None:
        query = query.where(t.sequence < cursor if newest_first else t.sequence > cursor)
    order = t.sequence.desc() if newest_first else t.sequence.asc()
    transfers = list(db.session.execute(query.order_by(order).limit(limit + 1)).scalars())
    more = len(transfers) > limit
    transfers = transfers[:limit]
    balances = balances_after(account=account, sequences=[x.sequence for x in transfers])
    lines = [
        StatementLine(
            transfer=transfer,
            is_debit=transfer.debit_account_id == account.id,
            balance=balances[transfer.sequence],
        )
        for transfer in transfers
    ]
    return lines, more
