"""The chart of accounts page and the per-owner account lists: every account with its totals,
per-donor and per-grant accounts summed per code, and the whole ledger added up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from app.ledger.models import Account, AccountType
from app.ledger.services.balances import Balance
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
    fixed = list(
        db.session.execute(
            sa.select(Account)
            .where(Account.owner_type.is_(None))
            .order_by(Account.code, Account.key)
        ).scalars()
    )
    groups = _owned_groups(preview=preview)
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


def _owned_groups(*, preview: int) -> dict[AccountType, list[OwnedGroup]]:
    """The per-owner accounts summed per owner type and code, with the first ``preview``."""
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
    return groups


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
