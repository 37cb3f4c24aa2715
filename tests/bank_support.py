"""Bank details for tests: valid accounts, an organisation whose account payments may use, and
the setup shared by the PostgreSQL races of a payment step against a change."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from schwifty import IBAN

from app.accounts.models import Organisation, Role, User
from app.grants import services as grants
from app.organisations.models import BankAccount
from app.organisations.services import bank_accounts as bank
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.factories import user_with
from tests.real_commits import committed_rows_removed

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


# --- shared by the PostgreSQL races of a payment step against a change (bank, sanctions) -----


@pytest.fixture
def cleanup(app: Flask) -> Iterator[None]:
    """Rows the race committed are removed afterwards (tests/real_commits.py)."""
    with committed_rows_removed(app):
        yield


def get(model: Any, ident: int) -> Any:
    """The row, read in the worker's own session."""
    found = db.session.get(model, ident)
    assert found is not None
    return found


def tranche_under_way(*, approved: bool = False) -> dict[str, int]:
    """A funded, active grant whose first tranche is requested (``approved``: and approved),
    to be committed by ``committed()``; the ids the workers need."""
    from tests.grants_support import (  # grants_support builds on this module
        USD,
        activate,
        approved_application,
        award,
        fund,
        manager,
        officers,
    )

    fund(50_000 * USD)
    fm = manager()
    grant = activate(award(approved_application(amount=10_000 * USD), fm), fm)
    people = officers()
    tranche = grant.tranches[0]
    grants.request_disbursement(actor=people.maker, tranche=tranche)
    if approved:
        grants.approve_disbursement(actor=people.checker, tranche=tranche)
    return {
        "tranche": tranche.id,
        "organisation": grant.organisation_id,
        "proposer": proposer_of(grant.organisation).id,
        "maker": people.maker.id,
        "checker": people.checker.id,
        "fm": manager().id,
    }
