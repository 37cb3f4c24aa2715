"""The chart of accounts page and the per-owner account lists: the fund's fixed accounts one by
one, the per-donor and per-grant accounts summed per code (listed, a page at a time, on their own
page), and the whole ledger added up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.ledger.models import Account, AccountType
from app.ledger.services.balances import Balance
from app.platform.extensions import db
from app.platform.keyset import Key
from app.platform.listing import contains_pattern

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


@dataclass(frozen=True)
class OwnedGroup:
    """The per-donor or per-grant accounts of one chart code: how many, and their sum."""

    owner_type: str
    code: int
    count: int
    balance: Balance


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


def chart_of_accounts() -> Chart:
    """Fixed accounts one by one, per-owner accounts summed per code.

    Two statements whatever the number of donors and grants, and as many rows: the page never
    lists the per-owner accounts (their own pages do, a page at a time). The ledger's totals are
    the same rows added up: every account is either fixed or in one group."""
    fixed = list(
        db.session.execute(
            sa.select(Account)
            .where(Account.owner_type.is_(None))
            .order_by(Account.code, Account.key)
        ).scalars()
    )
    groups = _owned_groups()
    sections = []
    every: list[Balance] = []
    for account_type in AccountType:
        accounts = [account for account in fixed if account.type == account_type]
        type_groups = groups.get(account_type, [])
        if not accounts and not type_groups:
            continue
        balances = [balance_of(account) for account in accounts]
        balances += [group.balance for group in type_groups]
        every += balances
        sections.append(
            TypeSection(
                type=account_type,
                accounts=accounts,
                groups=type_groups,
                subtotal=_sum(balances, account_type.debit_normal),
            )
        )
    return Chart(sections=sections, totals=_totals(every))


def _owned_groups() -> dict[AccountType, list[OwnedGroup]]:
    """The per-owner accounts counted and summed per owner type and code."""
    a = Account.__table__.c
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
        )
        groups.setdefault(account_type, []).append(group)
    return groups


def _totals(balances: list[Balance]) -> Totals:
    return Totals(
        debits_posted=sum(b.debits_posted for b in balances),
        credits_posted=sum(b.credits_posted for b in balances),
        debits_pending=sum(b.debits_pending for b in balances),
        credits_pending=sum(b.credits_pending for b in balances),
    )


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


# The per-owner lists' order: by code, then owner (the donor or grant id), then account id.
OWNED_ORDER = (
    Key(lambda: Account.code, int),
    Key(lambda: Account.owner_id, int),
    Key(lambda: Account.id, int),
)


def _owned(owner_type: str, words: str) -> list[Any]:
    conditions: list[Any] = [Account.owner_type == owner_type]
    if words:
        pattern = contains_pattern(words)
        conditions.append(
            sa.or_(
                Account.name.ilike(pattern, escape="\\"), Account.key.ilike(pattern, escape="\\")
            )
        )
    return conditions


def owned_accounts(owner_type: str, *, words: str = "") -> sa.Select[Any]:
    """The per-donor or per-grant accounts whose name or key holds ``words``, for a keyset
    list in ``OWNED_ORDER``."""
    return sa.select(Account).where(*_owned(owner_type, words))


@dataclass(frozen=True)
class OwnedTotal:
    """How many per-owner accounts (of the group, or matching the words) and their sum; no
    balance when they are of several types (never in the chart) or there are none."""

    count: int
    balance: Balance | None


def owned_total(owner_type: str, *, words: str = "") -> OwnedTotal:
    a = Account.__table__.c
    rows = db.session.execute(
        sa.select(a.type, sa.func.count(), *(sa.func.sum(a[name]) for name in _TOTALS))
        .where(*_owned(owner_type, words))
        .group_by(a.type)
    ).all()
    count = sum(int(row[1]) for row in rows)
    if len(rows) != 1:
        return OwnedTotal(count=count, balance=None)
    type_, _count, *totals = rows[0]
    return OwnedTotal(count=count, balance=_balance(totals, AccountType(type_).debit_normal))
