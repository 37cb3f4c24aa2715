"""Real concurrent connections on PostgreSQL: a change of bank details confirmed at the moment a
tranche is approved. Both lock the organisation's row, so the approval sees the change (and is
refused) or the change comes after the approval; never an approval reading the old state while
the new account is being confirmed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from app.accounts.models import User
from app.grants import services as grants
from app.grants.models import Tranche, TrancheStatus
from app.organisations.models import BankAccount
from app.organisations.services import bank_accounts as bank
from app.organisations.services import destinations as payees
from app.platform.errors import Conflict
from app.platform.extensions import db
from tests.bank_support import german_details, proposer_of
from tests.grants_support import USD, activate, approved_application, award, fund, manager, officers
from tests.real_commits import committed, committed_rows_removed, race

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]


@pytest.fixture
def cleanup(app: Flask) -> Iterator[None]:
    with committed_rows_removed(app):
        yield


def _get(model: Any, ident: int) -> Any:
    found = db.session.get(model, ident)
    assert found is not None
    return found


def _requested_tranche_and_pending_change() -> dict[str, int]:
    fund(50_000 * USD)
    fm = manager()
    grant = activate(award(approved_application(amount=10_000 * USD), fm), fm)
    people = officers()
    tranche = grant.tranches[0]
    grants.request_disbursement(actor=people.maker, tranche=tranche)
    change = bank.propose_bank_account(
        actor=proposer_of(grant.organisation),
        organisation=grant.organisation,
        details=german_details(),
    )
    return {
        "tranche": tranche.id,
        "checker": people.checker.id,
        "change": change.id,
        "fm": manager().id,
    }


def test_a_change_confirmed_while_a_tranche_is_approved_holds_the_approval(app, cleanup):
    ids = committed(app, _requested_tranche_and_pending_change)

    def confirm() -> str:
        bank.confirm_bank_account(
            actor=_get(User, ids["fm"]), account=_get(BankAccount, ids["change"])
        )
        return "confirmed"

    def approve() -> str:
        grants.approve_disbursement(
            actor=_get(User, ids["checker"]), tranche=_get(Tranche, ids["tranche"])
        )
        return "approved"

    # One of each: the only lock they share is the organisation's row, which race() sees one
    # of them wait on.
    workers: list[Callable[[], str]] = [confirm, approve]
    results = race(app, workers)
    assert results[0] == "confirmed", results
    # Whichever ran first, the approval saw a change waiting or the new account in its hold.
    assert isinstance(results[1], Conflict), results

    def check() -> tuple[Any, bool]:
        destination = payees.destination(_get(Tranche, ids["tranche"]).grant.organisation_id)
        return _get(Tranche, ids["tranche"]).status, destination.held_until is not None

    assert committed(app, check) == (TrancheStatus.REQUESTED, True)
