"""Real concurrent connections on PostgreSQL: one bank receipt applied by two finance officers
at once (or a double click) is never applied beyond the money it brought."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app.accounts.models import User
from app.donations import services
from app.donations.models import BankReceipt, Pledge
from app.ledger.verify import verify_ledger
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from tests.donations_support import finance_user, institutional_donor
from tests.real_commits import committed, committed_rows_removed, race

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]

TODAY = utcnow().date()


@pytest.fixture
def cleanup(app: Flask) -> Iterator[None]:
    with committed_rows_removed(app):
        yield


def _receipt_and_two_pledges() -> tuple[int, int, int, int]:
    officer = finance_user()
    donor = institutional_donor("Republic of Q")
    pledges = []
    for _ in range(2):
        pledge = services.make_pledge(
            actor=officer, donor=donor, amount=90_000_00, currency="USD", year=TODAY.year
        )
        services.confirm_pledge(actor=officer, pledge=pledge, on=TODAY)
        pledges.append(pledge.id)
    receipt, _numbered = services.record_bank_receipt(
        actor=officer,
        value_date=TODAY,
        amount=100_000_00,
        currency="USD",
        bank_reference=f"MT103-RACE-{pledges[0]}",
        donor=donor,
    )
    return receipt.id, pledges[0], pledges[1], officer.id


def _applying(receipt_id: int, pledge_id: int, officer_id: int, amount: int):
    """Work for one racer: the officer applies ``amount`` of the receipt to the pledge."""

    def work() -> int:
        return services.allocate_bank_receipt(
            actor=db.session.get(User, officer_id),
            bank_receipt=db.session.get(BankReceipt, receipt_id),
            pledge=db.session.get(Pledge, pledge_id),
            amount=amount,
        ).id

    return work


def test_one_receipt_is_never_applied_beyond_its_amount(app, cleanup):
    receipt_id, first, second, officer_id = committed(app, _receipt_and_two_pledges)

    results = race(
        app,
        [
            _applying(receipt_id, first, officer_id, 90_000_00),
            _applying(receipt_id, second, officer_id, 90_000_00),
        ],
    )
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1, results
    assert "more than what remains unapplied" in refused[0].message

    def applied() -> int:
        return db.session.get(BankReceipt, receipt_id).allocated_amount

    assert committed(app, applied) == 90_000_00
    assert committed(app, verify_ledger).ok


def test_a_write_off_and_a_payment_at_once_leave_the_pledge_and_ledger_agreeing(app, cleanup):
    receipt_id, pledge_id, _other, officer_id = committed(app, _receipt_and_two_pledges)

    def write_off():
        return services.write_off_pledge(
            actor=db.session.get(User, officer_id),
            pledge=db.session.get(Pledge, pledge_id),
            reason="the donor will not pay the rest",
        ).id

    results = race(app, [_applying(receipt_id, pledge_id, officer_id, 50_000_00), write_off])
    assert not any(isinstance(r, Exception) and not isinstance(r, DomainError) for r in results)

    def state() -> tuple[int, int, int]:
        pledge = db.session.get(Pledge, pledge_id)
        return pledge.paid_amount, pledge.closed_functional_amount or 0, pledge.functional_amount

    paid, written_off, functional = committed(app, state)
    # Either paid 50,000 then 40,000 written off, or all 90,000 written off and nothing paid.
    assert (paid, written_off) in {(50_000_00, functional - 50_000_00), (0, functional)}
    assert committed(app, verify_ledger).ok
