"""Real concurrent connections on PostgreSQL: double clicks, two tabs and simultaneous officers
never create a second transfer, never pay more than the grant, never commit money twice.

These tests commit for real; the ``cleanup`` fixture deletes every row they added (with the
append-only triggers off inside its own transaction) and restores the seeded ledger accounts'
totals and the grant number sequences, so the rest of the run sees what it saw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.accounts.models import User
from app.applications.models import Application
from app.grants import services as grants
from app.grants.models import Grant, GrantStatus, ReportKind, Tranche, TrancheStatus
from app.ledger import chart
from app.ledger.models import Transfer, TransferKind
from app.ledger.verify import verify_ledger
from app.organisations.services.bank_accounts import current_bank_account
from app.platform.errors import Conflict, InvalidTransition
from app.platform.extensions import db
from tests.grants_support import (
    USD,
    activate,
    approved_application,
    award,
    complete_report,
    finance,
    fund,
    grant_balance,
    manager,
    officers,
    pay,
    report_of,
    spend_everything,
)
from tests.real_commits import committed, committed_rows_removed, race

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]


@pytest.fixture
def cleanup(app: Flask) -> Iterator[None]:
    with committed_rows_removed(app):
        yield


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    assert user is not None
    return user


def _tranche(tranche_id: int) -> Tranche:
    tranche = db.session.get(Tranche, tranche_id)
    assert tranche is not None
    return tranche


def _transfers(tranche_id: int, kind: TransferKind) -> int:
    return db.session.execute(
        sa.select(sa.func.count()).where(
            Transfer.document_type == "tranche",
            Transfer.document_id == str(tranche_id),
            Transfer.kind == kind,
        )
    ).scalar_one()


def _active_grant_ids() -> dict[str, Any]:
    fund(50_000 * USD)
    fm = manager()
    grant = activate(award(approved_application(amount=10_000 * USD), fm), fm)
    people = officers()
    return {
        "grant": grant.id,
        "tranche": grant.tranches[0].id,
        "maker": people.maker.id,
        "checker": people.checker.id,
        "fm": fm.id,
    }


def test_many_simultaneous_sends_of_one_tranche_make_one_transfer(app, cleanup):
    ids = committed(app, _active_grant_ids)

    def approve() -> list[int]:
        tranche = _tranche(ids["tranche"])
        grants.request_disbursement(actor=_user(ids["maker"]), tranche=tranche)
        grants.approve_disbursement(actor=_user(ids["checker"]), tranche=tranche)
        return [finance().id for _ in range(6)]

    senders = committed(app, approve)

    def send(user_id: int) -> Callable[[], str]:
        def attempt() -> str:
            grants.send_disbursement(actor=_user(user_id), tranche=_tranche(ids["tranche"]))
            return "sent"

        return attempt

    # Six officers, and the same officer's double click.
    results = race(app, [send(user_id) for user_id in [*senders, senders[0]]])
    assert results.count("sent") == 1, results
    assert all(isinstance(r, InvalidTransition) for r in results if r != "sent")

    def check() -> tuple[Any, int]:
        return _tranche(ids["tranche"]).status, _transfers(ids["tranche"], TransferKind.PENDING)

    assert committed(app, check) == (TrancheStatus.SENT, 1)
    assert committed(app, verify_ledger).ok


def test_many_simultaneous_approvals_make_one_approval(app, cleanup):
    ids = committed(app, _active_grant_ids)

    def request() -> list[int]:
        grants.request_disbursement(actor=_user(ids["maker"]), tranche=_tranche(ids["tranche"]))
        return [finance().id for _ in range(6)]

    checkers = committed(app, request)

    def approve(user_id: int) -> Callable[[], int]:
        def attempt() -> int:
            grants.approve_disbursement(actor=_user(user_id), tranche=_tranche(ids["tranche"]))
            return user_id

        return attempt

    # The maker tries too, at the same moment: refused whatever the timing.
    results = race(app, [approve(user_id) for user_id in [*checkers, ids["maker"]]])
    approvals = [r for r in results if isinstance(r, int)]
    assert len(approvals) == 1, results
    assert approvals[0] != ids["maker"]
    assert committed(app, lambda: _tranche(ids["tranche"]).approved_by_id) == approvals[0]


def test_simultaneous_bank_confirmations_post_once_and_charge_the_support_cost_once(app, cleanup):
    ids = committed(app, _active_grant_ids)

    def send() -> None:
        tranche = _tranche(ids["tranche"])
        grants.request_disbursement(actor=_user(ids["maker"]), tranche=tranche)
        grants.approve_disbursement(actor=_user(ids["checker"]), tranche=tranche)
        grants.send_disbursement(actor=_user(ids["maker"]), tranche=tranche)

    committed(app, send)

    def confirm(slot: int) -> Callable[[], str]:
        def attempt() -> str:
            grants.confirm_disbursement(
                actor=_user(ids["checker"]),
                tranche=_tranche(ids["tranche"]),
                bank_reference=f"FT-{slot}",
            )
            return "paid"

        return attempt

    results = race(app, [confirm(slot) for slot in range(6)])
    assert results.count("paid") == 1, results

    def check() -> tuple[int, int, int]:
        grant = db.session.get(Grant, ids["grant"])
        assert grant is not None
        return (
            _transfers(ids["tranche"], TransferKind.POST_PENDING),
            _transfers(ids["tranche"], TransferKind.SINGLE),
            grant_balance(grant).posted,
        )

    assert committed(app, check) == (1, 1, 11_300 * USD - 6_000 * USD - 780 * USD)
    assert committed(app, verify_ledger).ok


def test_payments_can_never_exceed_the_grant_even_racing_two_tranches(app, cleanup):
    ids = committed(app, _active_grant_ids)

    def approve_both_behind_the_rules() -> list[int]:
        grant = db.session.get(Grant, ids["grant"])
        assert grant is not None
        first, second = grant.tranches
        account = current_bank_account(grant.organisation_id)
        assert account is not None
        # A bug or a hand-edit approved both tranches at 80 % of the grant each.
        for tranche in (first, second):
            db.session.execute(
                sa.update(Tranche)
                .where(Tranche.id == tranche.id)
                .values(
                    amount=8_000 * USD,
                    status=TrancheStatus.APPROVED,
                    requested_by_id=ids["maker"],
                    approved_by_id=ids["checker"],
                    approved_account_id=account.id,
                )
            )
        return [first.id, second.id]

    tranche_ids = committed(app, approve_both_behind_the_rules)

    def send(tranche_id: int) -> Callable[[], str]:
        def attempt() -> str:
            grants.send_disbursement(actor=_user(ids["maker"]), tranche=_tranche(tranche_id))
            return "sent"

        return attempt

    results = race(app, [send(tranche_ids[0]), send(tranche_ids[1])] * 3)
    assert results.count("sent") == 1, results
    assert any(isinstance(r, Conflict) and "more than the grant" in r.message for r in results)

    def outflows() -> int:
        grant = db.session.get(Grant, ids["grant"])
        assert grant is not None
        balance = grant_balance(grant)
        return -balance.pending

    assert committed(app, outflows) == 8_000 * USD


def test_one_application_becomes_one_grant_however_many_clicks(app, cleanup):
    def setup() -> tuple[int, list[int]]:
        fund(50_000 * USD)
        return approved_application(amount=5_000 * USD).id, [manager().id for _ in range(5)]

    application_id, managers = committed(app, setup)

    def award_it(user_id: int) -> Callable[[], int]:
        def attempt() -> int:
            application = db.session.get(Application, application_id)
            assert application is not None
            return grants.award_grant(actor=_user(user_id), application=application).id

        return attempt

    results = race(app, [award_it(user_id) for user_id in managers])
    awarded = [r for r in results if isinstance(r, int)]
    assert len(awarded) == 1, results
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, int))

    def check() -> int:
        return db.session.execute(
            sa.select(sa.func.count()).where(Grant.application_id == application_id)
        ).scalar_one()

    assert committed(app, check) == 1


def test_racing_awards_never_commit_money_the_fund_does_not_have(app, cleanup):
    def setup() -> list[int]:
        room = grants.fund_available()
        # Room for exactly three grants of 5,000 + 13 %.
        fund(3 * 5_650 * USD - room + 100)
        return [approved_application(amount=5_000 * USD).id for _ in range(6)]

    applications = committed(app, setup)
    fm_id = committed(app, lambda: manager().id)

    def award_it(application_id: int) -> Callable[[], int]:
        def attempt() -> int:
            application = db.session.get(Application, application_id)
            assert application is not None
            return grants.award_grant(actor=_user(fm_id), application=application).id

        return attempt

    results = race(app, [award_it(a) for a in applications])
    awarded = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(awarded) == 3, results
    assert len(refused) == 3 and all("cannot cover" in r.message for r in refused)
    assert committed(app, grants.fund_available) == 100

    def numbers() -> list[str]:
        return sorted(
            db.session.execute(sa.select(Grant.reference).where(Grant.id.in_(awarded))).scalars()
        )

    references = committed(app, numbers)
    assert len(set(references)) == 3
    assert committed(app, verify_ledger).ok


def test_a_full_lifecycle_with_real_commits_leaves_the_ledger_consistent(app, cleanup):
    ids = committed(app, _active_grant_ids)

    def step(work: Callable[[Grant], Any]) -> None:
        def run() -> None:
            grant = db.session.get(Grant, ids["grant"])
            assert grant is not None
            work(grant)

        committed(app, run)

    people = lambda: officers()  # noqa: E731 - fresh officers per step, as in real life
    step(lambda g: pay(g.tranches[0], people()))
    step(lambda g: complete_report(report_of(g, ReportKind.PROGRESS)))
    step(lambda g: pay(g.tranches[1], people()))
    step(lambda g: complete_report(report_of(g, ReportKind.FINAL)))
    step(
        lambda g: complete_report(
            report_of(g, ReportKind.FINANCIAL), spent=spend_everything(g, 9_000 * USD)
        )
    )
    step(lambda g: grants.start_closure(actor=_user(ids["fm"]), grant=g))
    step(
        lambda g: grants.record_grantee_refund(
            actor=finance(),
            grant=g,
            amount=1_000 * USD,
            bank_reference="RF-77",
            received_on=g.end_date,
        )
    )
    step(lambda g: grants.close_grant(actor=_user(ids["fm"]), grant=g))

    def check() -> tuple[Any, int, int, bool]:
        grant = db.session.get(Grant, ids["grant"])
        assert grant is not None
        balance = grant_balance(grant)
        return grant.status, balance.posted, balance.pending, verify_ledger().ok

    assert committed(app, check) == (GrantStatus.CLOSED, 0, 0, True)
    assert committed(app, lambda: chart.account_by_key(chart.grant_key(ids["grant"])).id) > 0
