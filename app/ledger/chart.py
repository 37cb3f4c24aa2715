"""The chart of accounts: the fund's fixed accounts and the per-donor / per-grant ones.

The fixed accounts are created by the ledger migration; donor receivables and grant accounts
are created on demand, race-free, by ``get_or_create_account``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.ledger.models import Account, AccountType
from app.platform.errors import N_, NotFound
from app.platform.extensions import db
from app.platform.settings import settings

CASH_STRIPE = "cash:stripe"
CASH_BANK = "cash:bank"
FUND_AVAILABLE = "fund:available"
FUND_PLEDGED = "fund:pledged"
PSC_INCOME = "psc:income"


@dataclass(frozen=True, slots=True)
class AccountTemplate:
    code: int
    type: AccountType
    debits_must_not_exceed_credits: bool = False
    credits_must_not_exceed_debits: bool = False


# What each kind of account is; the migration holds a frozen copy of the fixed ones.
FIXED_ACCOUNTS: dict[str, tuple[str, AccountTemplate]] = {
    CASH_STRIPE: ("Cash held at the card processor", AccountTemplate(1110, AccountType.ASSET)),
    CASH_BANK: ("Bank account", AccountTemplate(1120, AccountType.ASSET)),
    FUND_AVAILABLE: (
        "Fund balance available for grants",
        AccountTemplate(3100, AccountType.NET_ASSETS, debits_must_not_exceed_credits=True),
    ),
    FUND_PLEDGED: (
        "Pledged contributions not yet received",
        AccountTemplate(3200, AccountType.NET_ASSETS, debits_must_not_exceed_credits=True),
    ),
    PSC_INCOME: ("Programme support cost income", AccountTemplate(4100, AccountType.REVENUE)),
}
# A donor can never pay more against a pledge than it pledged; a grant never pays out more
# than was committed to it.
RECEIVABLE = AccountTemplate(1200, AccountType.ASSET, credits_must_not_exceed_debits=True)
GRANT = AccountTemplate(2100, AccountType.LIABILITY, debits_must_not_exceed_credits=True)


def receivable_key(donor_id: int) -> str:
    return f"receivable:{donor_id}"


def grant_key(grant_id: int) -> str:
    return f"grant:{grant_id}"


def find_account(key: str) -> Account | None:
    """The account with this key, or None."""
    return db.session.execute(sa.select(Account).where(Account.key == key)).scalar_one_or_none()


def account_by_key(key: str) -> Account:
    """The account with this key; NotFound if there is none."""
    account = find_account(key)
    if account is None:
        raise NotFound(N_("There is no ledger account %(key)s."), key=key)
    return account


def get_or_create_account(
    *,
    key: str,
    name: str,
    template: AccountTemplate,
    owner_type: str | None = None,
    owner_id: int | None = None,
) -> Account:
    """The account with ``key``, created with ``template`` if missing.

    Safe when two requests create the same account at once: the insert is ``ON CONFLICT DO
    NOTHING`` and both then read the one row that won.
    """
    existing = find_account(key)
    if existing is not None:
        return existing
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Account)
        .values(
            key=key,
            code=template.code,
            name=name[:200],
            type=template.type,
            owner_type=owner_type,
            owner_id=owner_id,
            currency=settings().fund.currency,
            debits_pending=0,
            debits_posted=0,
            credits_pending=0,
            credits_posted=0,
            debits_must_not_exceed_credits=template.debits_must_not_exceed_credits,
            credits_must_not_exceed_debits=template.credits_must_not_exceed_debits,
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )
    db.session.execute(statement)
    return account_by_key(key)


def receivable_account(*, donor_id: int, name: str) -> Account:
    """The donor's pledges-receivable account ``receivable:<donor id>``, created on demand."""
    return get_or_create_account(
        key=receivable_key(donor_id),
        name=f"Pledges receivable: {name}",
        template=RECEIVABLE,
        owner_type="donor",
        owner_id=donor_id,
    )


def grant_account(*, grant_id: int, name: str) -> Account:
    """The grant's commitment account ``grant:<grant id>``, created on demand."""
    return get_or_create_account(
        key=grant_key(grant_id),
        name=f"Grant payable: {name}",
        template=GRANT,
        owner_type="grant",
        owner_id=grant_id,
    )
