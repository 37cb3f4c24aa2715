"""One bank transfer is recorded once, however its reference is typed.

``PROBE-RCPT-x`` and ``PROBE RCPT x`` name one transfer: references are compared on their
letters and digits only. A receipt of the same amount from the same donor a few days from another
is questioned, and recorded once the finance officer confirms it is a different transfer. The
migration re-keys the receipts already stored, and duplicates among them do not stop it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from app import create_app
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


# --- the migration ----------------------------------------------------------------------------


@pytest.fixture
def scratch_app(app: Flask, dialect: str, tmp_path) -> Iterator[Flask]:
    """An app on an empty database of the same kind as the test run's."""
    if dialect == "postgresql":
        base = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        name = f"{base.database}_refkey_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'refkey.db'}"
    scratch = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})
    try:
        yield scratch
    finally:
        with scratch.app_context():
            db.engine.dispose()
        if dialect == "postgresql":
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()


OLD_RECEIPTS = ["PROBE-RCPT-1", "PROBE RCPT 1", "probe.rcpt.1", "OTHER 2"]


def _keys() -> list[tuple[str, str]]:
    return [
        (row.bank_reference, row.reference_key)
        for row in db.session.execute(
            sa.text("SELECT bank_reference, reference_key FROM bank_receipts ORDER BY id")
        )
    ]


@pytest.mark.real_commits
def test_the_migration_rekeys_stored_receipts_despite_duplicates(scratch_app):
    with scratch_app.app_context():
        upgrade(revision="c1d6a00013")
        now = utcnow()
        for reference in OLD_RECEIPTS:
            db.session.execute(
                sa.text(
                    "INSERT INTO bank_receipts (value_date, amount, currency, bank_reference,"
                    " reference_key, functional_amount, fx_rate, created_at, updated_at)"
                    " VALUES (:day, 100, 'USD', :ref, :key, 100, 1, :now, :now)"
                ),
                {
                    "day": TODAY,
                    "ref": reference,
                    "key": "".join(reference.split()).upper(),  # the old rule
                    "now": now,
                },
            )
        db.session.commit()
        before = _keys()
        db.session.commit()  # SQLite: the migration writes on a connection of its own
        upgrade(revision="c2e7b00014")
        keys = [key for _reference, key in _keys()]
        # The first keeps the key; the later copies are kept, and set apart, not refused.
        assert keys[0] == "PROBERCPT1" and keys[3] == "OTHER2"
        assert keys[1].startswith("PROBERCPT1~") and keys[2].startswith("PROBERCPT1~")
        assert len(set(keys)) == 4
        db.session.commit()
        downgrade(revision="c1d6a00013")
        assert _keys() == before
        db.session.commit()
        upgrade()  # and up again, to the end
