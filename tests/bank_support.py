"""Bank details for tests: valid accounts, and an organisation whose account payments may use."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from schwifty import IBAN

from app.accounts.models import Organisation, Role, User
from app.organisations.models import BankAccount
from app.organisations.services import bank_accounts as bank
from app.platform.db import utcnow
from tests.factories import user_with

_accounts = itertools.count(1)


def german_details(number: int | None = None, **changes: str) -> bank.BankDetails:
    """Valid details of a German account (a different one each call unless ``number``)."""
    iban = IBAN.generate("DE", bank_code="37040044", account_code=str(number or next(_accounts)))
    fields = {
        "holder_name": "Safe Haven",
        "iban": iban.formatted,
        "account_number": "",
        "bic": "COBADEFFXXX",
        "bank_name": "Commerzbank",
        "country": "DE",
    }
    fields.update(changes)
    return bank.BankDetails(**fields)


def proposer_of(organisation: Organisation) -> User:
    return organisation.memberships[0].user


def confirmed_account(
    organisation: Organisation,
    *,
    details: bank.BankDetails | None = None,
    confirmed_at: datetime | None = None,
    checker: User | None = None,
) -> BankAccount:
    """An account the organisation proposed and the fund confirmed, by default long enough
    ago that payments may go to it."""
    when = confirmed_at or utcnow() - timedelta(days=60)
    account = bank.propose_bank_account(
        actor=proposer_of(organisation),
        organisation=organisation,
        details=details or german_details(holder_name=organisation.name),
        now=when,
    )
    return bank.confirm_bank_account(
        actor=checker or user_with(Role.FUND_MANAGER), account=account, now=when
    )
