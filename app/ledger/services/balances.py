"""Account balances: now, as they stood at a moment, before a transfer, after given transfers."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.ledger.models import Account, Transfer, TransferKind
from app.platform.extensions import db


@dataclass(frozen=True, slots=True)
class Balance:
    """An account's totals at a moment, and its balances on the account's normal side.

    ``posted`` is the balance of completed transfers; ``pending`` the net of transfers still
    pending; ``available`` is posted less pending outflows (what could still be spent).
    """

    debits_pending: int
    debits_posted: int
    credits_pending: int
    credits_posted: int
    debit_normal: bool

    @property
    def posted(self) -> int:
        net = self.debits_posted - self.credits_posted
        return net if self.debit_normal else -net

    @property
    def pending(self) -> int:
        net = self.debits_pending - self.credits_pending
        return net if self.debit_normal else -net

    @property
    def available(self) -> int:
        if self.debit_normal:
            return self.debits_posted - self.credits_posted - self.credits_pending
        return self.credits_posted - self.debits_posted - self.debits_pending

    def after(self, transfer: Transfer, account_id: int) -> Balance:
        """This balance moved by one transfer of the account."""
        pending_amount = transfer.pending.amount if transfer.pending is not None else 0
        pending, posted = _effect(transfer.kind, transfer.amount, pending_amount)
        if transfer.debit_account_id == account_id:
            return Balance(
                self.debits_pending + pending,
                self.debits_posted + posted,
                self.credits_pending,
                self.credits_posted,
                self.debit_normal,
            )
        return Balance(
            self.debits_pending,
            self.debits_posted,
            self.credits_pending + pending,
            self.credits_posted + posted,
            self.debit_normal,
        )


def _effect(kind: TransferKind, amount: int, pending_amount: int) -> tuple[int, int]:
    if kind == TransferKind.SINGLE:
        return 0, amount
    if kind == TransferKind.PENDING:
        return amount, 0
    if kind == TransferKind.POST_PENDING:
        return -pending_amount, amount
    return -pending_amount, 0


def _totals_query(account_id: int) -> tuple[sa.Select[Any], Any]:
    t = aliased(Transfer, name="t")
    p = aliased(Transfer, name="p")
    posted = sa.case(
        (t.kind.in_([TransferKind.SINGLE, TransferKind.POST_PENDING]), t.amount), else_=0
    )
    pending = sa.case(
        (t.kind == TransferKind.PENDING, t.amount),
        (t.kind.in_([TransferKind.POST_PENDING, TransferKind.VOID_PENDING]), -p.amount),
        else_=0,
    )
    is_debit = t.debit_account_id == account_id

    def total(side: sa.ColumnElement[bool], amount: sa.ColumnElement[Any]) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((side, amount), else_=0)), 0)

    query = (
        sa.select(
            total(is_debit, pending),
            total(is_debit, posted),
            total(~is_debit, pending),
            total(~is_debit, posted),
        )
        .select_from(t)
        .outerjoin(p, p.id == t.pending_id)
        .where(sa.or_(t.debit_account_id == account_id, t.credit_account_id == account_id))
    )
    return query, t


def account_balance(*, account: Account, at: datetime | None = None) -> Balance:
    """The account's balance now, or as it stood at ``at`` (transfers created up to then)."""
    if at is None:
        db.session.refresh(account)
        return Balance(
            account.debits_pending,
            account.debits_posted,
            account.credits_pending,
            account.credits_posted,
            account.type.debit_normal,
        )
    query, t = _totals_query(account.id)
    row = db.session.execute(query.where(t.created_at <= at)).one()
    return _balance(row, account)


def _balance(row: Any, account: Account) -> Balance:
    debits_pending, debits_posted, credits_pending, credits_posted = (int(v) for v in row)
    return Balance(
        debits_pending, debits_posted, credits_pending, credits_posted, account.type.debit_normal
    )


def balance_before(account: Account, sequence: int) -> Balance:
    """The account's totals before transfer ``sequence``.

    Summed from whichever end is nearer: the transfers before ``sequence``, or the account's
    current totals less the transfers from ``sequence`` on (one statement, one snapshot). The
    newest pages of a busy account then cost what a page costs, not its whole history.
    """
    query, t = _totals_query(account.id)
    last = db.session.execute(sa.select(sa.func.max(Transfer.sequence))).scalar() or 0
    if last - sequence >= sequence:
        row = db.session.execute(query.where(t.sequence < sequence)).one()
        return _balance(row, account)
    after = query.where(t.sequence >= sequence).subquery("after")
    a = Account.__table__.c
    d_pending, d_posted, c_pending, c_posted = (after.c[i] for i in range(4))
    row = db.session.execute(
        sa.select(
            a.debits_pending - d_pending,
            a.debits_posted - d_posted,
            a.credits_pending - c_pending,
            a.credits_posted - c_posted,
        )
        .select_from(Account.__table__)
        .join(after, sa.true())
        .where(a.id == account.id)
    ).one()
    return _balance(row, account)


def balances_after(*, account: Account, sequences: Collection[int]) -> dict[int, Balance]:
    """The account's balance just after each of these transfers of it, in one query.

    For statements that show only some of an account's transfers (one code, say): the running
    balance must still count the transfers left out. The running sums mirror ``_totals_query``.
    """
    if not sequences:
        return {}
    t = aliased(Transfer, name="t")
    p = aliased(Transfer, name="p")
    posted = sa.case(
        (t.kind.in_([TransferKind.SINGLE, TransferKind.POST_PENDING]), t.amount), else_=0
    )
    pending = sa.case(
        (t.kind == TransferKind.PENDING, t.amount),
        (t.kind.in_([TransferKind.POST_PENDING, TransferKind.VOID_PENDING]), -p.amount),
        else_=0,
    )
    is_debit = t.debit_account_id == account.id

    def running(side: sa.ColumnElement[bool], amount: sa.ColumnElement[Any]) -> Any:
        return sa.func.sum(sa.case((side, amount), else_=0)).over(
            order_by=t.sequence, rows=(None, 0)
        )

    history = (
        sa.select(
            t.sequence.label("sequence"),
            running(is_debit, pending).label("dp"),
            running(is_debit, posted).label("dpo"),
            running(~is_debit, pending).label("cp"),
            running(~is_debit, posted).label("cpo"),
        )
        .select_from(t)
        .outerjoin(p, p.id == t.pending_id)
        .where(
            sa.or_(t.debit_account_id == account.id, t.credit_account_id == account.id),
            t.sequence <= max(sequences),
        )
        .subquery("history")
    )
    rows = db.session.execute(
        sa.select(history).where(history.c.sequence.in_(list(sequences)))
    ).all()
    return {int(row.sequence): _balance(row[1:], account) for row in rows}
