"""One bank transfer is recorded once, however its reference is typed.

``PROBE-RCPT-x`` and ``PROBE RCPT x`` name one transfer: references are compared on their
letters and digits only. A receipt of the same amount from the same donor a few days from another
is questioned, and recorded once the finance officer confirms it is a different transfer.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.donations import services
from app.donations.models import BankReceipt
from app.platform.db import utcnow
from app.platform.errors import Conflict
from app.platform.extensions import db
from tests.donations_support import finance_user, institutional_donor

TODAY = utcnow().date()


def _record(officer, reference, *, amount=500_00, donor=None, day=TODAY, **extra):
    receipt, _numbered = services.record_bank_receipt(
        actor=officer,
        value_date=day,
        amount=amount,
        currency="USD",
        bank_reference=reference,
        donor=donor,
        **extra,
    )
    return receipt


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(BankReceipt)) or 0


@pytest.mark.parametrize(
    "again",
    ["PROBE RCPT 7", "probe-rcpt-7", "PROBE.RCPT/7", " Probe_Rcpt:7 ", "PROBE\u2013RCPT\u20137"],
)
def test_one_reference_written_another_way_is_the_same_transfer(again):
    officer = finance_user()
    _record(officer, "PROBE-RCPT-7")
    count = _count()
    # Before the fix: accepted, the same money recorded (and receipted) twice.
    with pytest.raises(Conflict) as refused:
        _record(officer, again, amount=123_00)
    assert "PROBE-RCPT-7" in refused.value.message  # says which receipt it is
    assert _count() == count


def test_the_same_amount_from_the_same_donor_days_apart_is_questioned():
    officer = finance_user()
    donor = institutional_donor("Republic of D")
    first = _record(officer, "MT103-A", donor=donor, day=TODAY - timedelta(days=2))
    with pytest.raises(Conflict) as questioned:
        _record(officer, "MT103-B", donor=donor)
    assert "different transfer" in questioned.value.message
    assert first.bank_reference in questioned.value.message
    # The officer checked the statement: two transfers indeed.
    second = _record(officer, "MT103-B", donor=donor, confirmed_different=True)
    assert second.id != first.id
    # Not questioned: another amount, another donor, or weeks apart.
    _record(officer, "MT103-C", donor=donor, amount=501_00)
    _record(officer, "MT103-D", donor=institutional_donor("Republic of E"))
    _record(officer, "MT103-E", donor=donor, day=TODAY - timedelta(days=20))


def test_an_unknown_donor_is_recognised_by_the_payer_name():
    officer = finance_user()
    _record(officer, "SWIFT-1", payer_name="Ministry of Finance of F")
    with pytest.raises(Conflict):
        _record(officer, "SWIFT-2", payer_name="ministry of finance of f")


def test_the_form_warns_and_the_officer_can_confirm(client, sign_in):
    officer = finance_user()
    donor = institutional_donor("Republic of G")
    _record(officer, "WIRE-0001", donor=donor, day=TODAY - timedelta(days=1))
    sign_in(officer)
    data = {
        "value_date": TODAY.isoformat(),
        "amount": "500",
        "currency": "USD",
        "bank_reference": "WIRE-0002",
        "donor_id": str(donor.id),
    }
    warned = client.post("/donations/bank-receipts/new", data=data)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 200
    assert "WIRE-0001" in page and 'name="different_transfer"' in page
    confirmed = client.post(
        "/donations/bank-receipts/new", data={**data, "different_transfer": "y"}
    )
    assert confirmed.status_code == 302
    assert (
        db.session.scalar(
            select(func.count()).select_from(BankReceipt).where(BankReceipt.donor_id == donor.id)
        )
        == 2
    )
