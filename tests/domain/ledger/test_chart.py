"""The chart of accounts: the fixed accounts from the migration, and accounts made on demand."""

from __future__ import annotations

import pytest

from app.ledger import chart
from app.ledger.models import Account, AccountType
from app.platform.errors import NotFound
from app.platform.extensions import db


def test_migration_creates_the_fixed_chart():
    for key, (name, template) in chart.FIXED_ACCOUNTS.items():
        account = chart.account_by_key(key)
        assert (account.code, account.type, account.currency) == (
            template.code,
            template.type,
            "USD",
        )
        assert account.debits_must_not_exceed_credits == template.debits_must_not_exceed_credits
        assert account.name == name
    assert chart.account_by_key(chart.FUND_AVAILABLE).debits_must_not_exceed_credits


def test_donor_and_grant_accounts_are_created_once_on_demand():
    receivable = chart.receivable_account(donor_id=41, name="Ministry of Justice")
    again = chart.receivable_account(donor_id=41, name="Ministry of Justice")
    assert receivable.id == again.id
    assert (receivable.key, receivable.owner_type, receivable.owner_id) == (
        "receivable:41",
        "donor",
        41,
    )
    assert receivable.credits_must_not_exceed_debits
    grant = chart.grant_account(grant_id=14, name="Shelter project")
    assert (grant.key, grant.type, grant.debits_must_not_exceed_credits) == (
        "grant:14",
        AccountType.LIABILITY,
        True,
    )
    assert db.session.query(Account).filter_by(key="grant:14").count() == 1


def test_unknown_key_is_not_found():
    assert chart.find_account("grant:none") is None
    with pytest.raises(NotFound, match="grant:none"):
        chart.account_by_key("grant:none")
