"""Read-only queries behind the ledger screens: the chart with its totals, statement pages,
a transfer's neighbours, the CSV export and the seal summary. Every query is bounded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from app.accounts.models import User
from app.ledger.models import Account, AccountType, Checkpoint, Transfer, TransferCode
from app.ledger.services import (
    Balance,
    StatementLine,
    account_statement,
    balances_after,
)
from app.platform.extensions import db

_TOTALS = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")


def _balance(totals: Any, debit_normal: bool) -> Balance:
    debits_pending, debits_posted, credits_pending, credits_posted = (int(v or 0) for v in totals)
    return Balance(debits_pending, debits_posted, credits_pending, credits_posted, debit_normal)


def _sum(balances: list[Balance], debit_normal: bool) -> Balance:
    """Balances add up column by column, so a group's posted/pending/available are exact."""
    return Balance(
        sum(b.debits_pending for b in balances),
        sum(b.debits_posted for b in balances),
        sum(b.credits_pending for b in balances),
        sum(b.credits_posted for b in balances),
        debit_normal,
    )


def balance_of(account: Account) -> Balance:
    """The account's current balance from the totals already loaded with it."""
    return Balance(
        account.debits_pending,
        account.debits_posted,
        account.credits_pending,
        account.credits_posted,
        account.type.debit_normal,
    )


# -- the chart of accounts ------------------------------------------------------------------


@dataclass
class OwnedGroup:
    """The per-donor or per-grant accounts of one chart code: their sum and the first few."""

    owner_type: str
    code: int
    count: int
    balance: Balance
    preview: list[Account] = field(default_factory=list)


@dataclass
class TypeSection:
    type: AccountType
    accounts: list[Account]
    groups: list[OwnedGroup]
    subtotal: Balance


@dataclass(frozen=True)
class Totals:
    """Every account added up: each transfer debits one account and credits another, so the
    debit and credit columns must agree."""

    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int

    @property
    def balanced(self) -> bool:
        return (
            self.debits_posted == self.credits_posted
            and self.debits_pending == self.credits_pending
        )


@dataclass
class Chart:
    sections: list[TypeSection]
    totals: Totals

    @property
    def debit_normal_posted(self) -> int:
        """Assets and expenses: what the fund holds or has spent."""
        return sum(s.subtotal.posted for s in self.sections if s.type.debit_normal)

    @property
    def credit_normal_posted(self) -> int:
        """Liabilities, net assets and revenue: where it came from and whom it is owed to."""
        return sum(s.subtotal.posted for s in self.sections if not s.type.debit_normal)


def chart_of_accounts(*, preview: int) -> Chart:
    """Fixed accounts one by one, per-owner accounts summed per code with ``preview`` shown."""
    a = Account.__table__.c
    fixed = list(
        db.session.execute(
            sa.select(Account)
            .where(Account.owner_type.is_(None))
            .order_by(Account.code, Account.key)
        ).scalars()
    )
    group_rows = db.session.execute(
        sa.select(
            a.owner_type,
            a.code,
            a.type,
            sa.func.count(),
            *(sa.func.sum(a[name]) for name in _TOTALS),
        )
        .where(a.owner_type.is_not(None))
        .group_by(a.owner_type, a.code, a.type)
        .order_by(a.code, a.owner_type)
    ).all()
    groups: dict[AccountType, list[OwnedGroup]] = {}
    for owner_type, code, type_, count, *totals in group_rows:
        account_type = AccountType(type_)
        group = OwnedGroup(
            owner_type=owner_type,
            code=int(code),
            count=int(count),
            balance=_balance(totals, account_type.debit_normal),
            preview=list(
                db.session.execute(
                    sa.select(Account)
                    .where(Account.owner_type == owner_type, Account.code == code)
                    .order_by(Account.owner_id, Account.id)
                    .limit(preview)
                ).scalars()
            ),
        )
        groups.setdefault(account_type, []).append(group)
    sections = []
    for account_type in AccountType:
        accounts = [account for account in fixed if account.type == account_type]
        type_groups = groups.get(account_type, [])
        if not accounts and not type_groups:
            continue
        balances = [balance_of(account) for account in accounts]
        balances += [group.balance for group in type_groups]
        sections.append(
            TypeSection(
                type=account_type,
                accounts=accounts,
                groups=type_groups,
                subtotal=_sum(balances, account_type.debit_normal),
            )
        )
    return Chart(sections=sections, totals=ledger_totals())


def ledger_totals() -> Totals:
    a = Account.__table__.c
    sums = db.session.execute(sa.select(*(sa.func.sum(a[name]) for name in _TOTALS))).one()
    debits_pending, debits_posted, credits_pending, credits_posted = (int(v or 0) for v in sums)
    return Totals(
        debits_posted=debits_posted,
        credits_posted=credits_posted,
        debits_pending=debits_pending,
        credits_pending=credits_pending,
    )


def owned_accounts(owner_type: str) -> sa.Select[Any]:
    """Every per-donor or per-grant account, for a paginated list."""
    return (
        sa.select(Account)
        .where(Account.owner_type == owner_type)
        .order_by(Account.code, Account.owner_id, Account.id)
    )


def owned_total(owner_type: str) -> Balance | None:
    a = Account.__table__.c
    row = db.session.execute(
        sa.select(a.type, *(sa.func.sum(a[name]) for name in _TOTALS))
        .where(a.owner_type == owner_type)
        .group_by(a.type)
    ).all()
    if len(row) != 1:  # none, or (never in the chart) accounts of several types
        return None
    type_, *totals = row[0]
    return _balance(totals, AccountType(type_).debit_normal)


# -- statements -----------------------------------------------------------------------------


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


# -- one transfer ---------------------------------------------------------------------------

BATCH_LIMIT = 100


@dataclass
class TransferContext:
    batch: list[Transfer]  # the batch's other transfers, up to BATCH_LIMIT
    batch_size: int
    resolved_by: Transfer | None  # for a pending transfer: the transfer that posted or voided it
    actor: User | None
    sealed_in: Checkpoint | None


def transfer_context(transfer: Transfer) -> TransferContext:
    batch: list[Transfer] = []
    batch_size = 1
    if transfer.batch_id is not None:
        batch_size = db.session.execute(
            sa.select(sa.func.count())
            .select_from(Transfer)
            .where(Transfer.batch_id == transfer.batch_id)
        ).scalar_one()
        batch = list(
            db.session.execute(
                sa.select(Transfer)
                .options(joinedload(Transfer.debit_account), joinedload(Transfer.credit_account))
                .where(Transfer.batch_id == transfer.batch_id, Transfer.id != transfer.id)
                .order_by(Transfer.sequence)
                .limit(BATCH_LIMIT)
            ).scalars()
        )
    resolved_by = db.session.execute(
        sa.select(Transfer).where(Transfer.pending_id == transfer.id)
    ).scalar_one_or_none()
    actor = db.session.get(User, transfer.actor_id) if transfer.actor_id is not None else None
    sealed_in = db.session.execute(
        sa.select(Checkpoint)
        .where(
            Checkpoint.first_sequence <= transfer.sequence,
            Checkpoint.last_sequence >= transfer.sequence,
        )
        .limit(1)
    ).scalar_one_or_none()
    return TransferContext(
        batch=batch,
        batch_size=batch_size,
        resolved_by=resolved_by,
        actor=actor,
        sealed_in=sealed_in,
    )


# -- CSV export -----------------------------------------------------------------------------

EXPORT_CHUNK = 1000


def transfers_for_export(
    *,
    since: datetime,
    until: datetime,
    code: TransferCode | None = None,
    account: Account | None = None,
) -> Iterator[Any]:
    """Transfers created in [since, until), in sequence order, read in chunks (keyset)."""
    t = Transfer.__table__.c
    debit = aliased(Account, name="debit")
    credit = aliased(Account, name="credit")
    users = User.__table__.c
    query = (
        sa.select(
            t.sequence,
            t.id,
            t.created_at,
            t.code,
            t.kind,
            debit.key.label("debit_key"),
            credit.key.label("credit_key"),
            t.amount,
            debit.currency.label("currency"),
            t.pending_id,
            t.batch_id,
            t.document_type,
            t.document_id,
            t.actor_id,
            users.email.label("actor_email"),
            t.memo,
        )
        .select_from(Transfer.__table__)
        .join(debit, debit.id == t.debit_account_id)
        .join(credit, credit.id == t.credit_account_id)
        .outerjoin(User.__table__, users.id == t.actor_id)
        .where(t.created_at >= since, t.created_at < until)
        .order_by(t.sequence)
        .limit(EXPORT_CHUNK)
    )
    if code is not None:
        query = query.where(t.code == code)
    if account is not None:
        query = query.where(
            sa.or_(t.debit_account_id == account.id, t.credit_account_id == account.id)
        )
    after = None
    while True:
        chunk = query if after is None else query.where(t.sequence > after)
        rows = db.session.execute(chunk).all()
        yield from rows
        if len(rows) < EXPORT_CHUNK:
            return
        after = rows[-1].sequence


# -- seals ----------------------------------------------------------------------------------


@dataclass
class SealSummary:
    latest: Checkpoint | None
    sealed_by: User | None
    checkpoints: int
    sealed_transfers: int
    unsealed_transfers: int
    last_transfer: Transfer | None


def seal_summary() -> SealSummary:
    """The latest checkpoint and what has been posted since; cheap (no hash is recomputed)."""
    latest = db.session.execute(
        sa.select(Checkpoint).order_by(Checkpoint.last_sequence.desc()).limit(1)
    ).scalar_one_or_none()
    checkpoints, sealed = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Checkpoint.transfer_count), 0))
    ).one()
    after = latest.last_sequence if latest is not None else 0
    unsealed = db.session.execute(
        sa.select(sa.func.count()).select_from(Transfer).where(Transfer.sequence > after)
    ).scalar_one()
    last_transfer = db.session.execute(
        sa.select(Transfer).order_by(Transfer.sequence.desc()).limit(1)
    ).scalar_one_or_none()
    sealed_by = None
    if latest is not None and latest.sealed_by_id is not None:
        sealed_by = db.session.get(User, latest.sealed_by_id)
    return SealSummary(
        latest=latest,
        sealed_by=sealed_by,
        checkpoints=int(checkpoints),
        sealed_transfers=int(sealed),
        unsealed_transfers=int(unsealed),
        last_transfer=last_transfer,
    )
