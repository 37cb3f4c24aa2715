"""Real concurrent connections on PostgreSQL: a change of bank details confirmed at the moment a
tranche is approved. Both lock the organisation's row, so the approval sees the change (and is
refused) or the change comes after the approval; never an approval reading the old state while
the new account is being confirmed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.accounts.models import User
from app.grants import services as grants
from app.grants.models import Tranche, TrancheStatus
from app.organisations.models import BankAccount
from app.organisations.services import bank_accounts as bank
from app.organisations.services import destinations as payees
from app.platform.errors import Conflict
from tests.bank_support import cleanup, german_details, get, tranche_under_way
from tests.real_commits import committed, race

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]
__all__ = ["cleanup"]  # the fixture


def _requested_tranche_and_pending_change() -> dict[str, int]:
    ids = tranche_under_way()
    organisation = get(Tranche, ids["tranche"]).grant.organisation
    change = bank.propose_bank_account(
        actor=get(User, ids["proposer"]), organisation=organisation, details=german_details()
    )
    return {**ids, "change": change.id}


def test_a_change_confirmed_while_a_tranche_is_approved_holds_the_approval(app, cleanup):
    ids = committed(app, _requested_tranche_and_pending_change)

    def confirm() -> str:
        bank.confirm_bank_account(
            actor=get(User, ids["fm"]), account=get(BankAccount, ids["change"])
        )
        return "confirmed"

    def approve() -> str:
        grants.approve_disbursement(
            actor=get(User, ids["checker"]), tranche=get(Tranche, ids["tranche"])
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
        destination = payees.destination(get(Tranche, ids["tranche"]).grant.organisation_id)
        return get(Tranche, ids["tranche"]).status, destination.held_until is not None

    assert committed(app, check) == (TrancheStatus.REQUESTED, True)
