"""A control character in stored text (a donor's name, a bank reference) must not make an XLSX
export of the period a 500 (openpyxl's IllegalCharacterError): the export writes any stored
text; the forms clean control characters out before they are stored.
"""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from app.accounts.models import Role
from app.donations import services
from app.donations.models import BankReceipt, Donor, DonorKind
from app.platform.db import utcnow
from app.platform.extensions import db
from app.reporting.web.export import write_xlsx
from tests.donations_support import finance_user
from tests.factories import user_with

TODAY = utcnow().date()
# Every C0 control character openpyxl refuses, plus DEL and a C1 control.
NASTY = "".join(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127, 133))
# PostgreSQL stores no NUL at all (and a NUL in a form is refused as a bad request already).
STORABLE = NASTY.replace("\x00", "")


def _period() -> str:
    return f"start={TODAY - timedelta(days=1)}&end={TODAY + timedelta(days=1)}"


def test_any_stored_text_can_be_written_to_an_xlsx_file():
    target = io.BytesIO()
    write_xlsx(target, f"sheet{NASTY}", ["name", f"head{NASTY}"], [[f"A{NASTY}B", "x\ty\nz"]])
    sheet = load_workbook(io.BytesIO(target.getvalue()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0].startswith("A") and rows[1][0].endswith("B")
    assert rows[1][1] == "x\ty\nz"  # tab and line feed are legal in a cell: kept


def test_the_contributions_export_survives_control_characters_in_stored_text(client, sign_in):
    officer = finance_user()
    # As stored before the forms cleaned their input (or by another way in: an import, SQL).
    donor = Donor(kind=DonorKind.MEMBER_STATE, name=f"Republic{STORABLE} of X", country="XX")
    db.session.add(donor)
    db.session.flush()
    services.record_bank_receipt(
        actor=officer,
        value_date=TODAY,
        amount=1_000_00,
        currency="USD",
        bank_reference=f"REF\x07\x1b-{donor.id}",
        donor=donor,
        payer_name=f"Payer\x0b{donor.id}",
    )
    sign_in(user_with(Role.FINANCE))
    response = client.get(
        f"/reports/exports?table=contributions&format=xlsx&{_period()}", buffered=True
    )
    # Before the fix: 500 (IllegalCharacterError) for every period that holds the receipt.
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    values = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert any(v.startswith("Republic") and v.endswith(" of X") for v in values)
    assert any(v.startswith("REF") for v in values)


def test_the_bank_receipt_form_cleans_control_characters(client, sign_in):
    sign_in(finance_user())
    response = client.post(
        "/donations/bank-receipts/new",
        data={
            "value_date": TODAY.isoformat(),
            "amount": "100",
            "currency": "USD",
            "bank_reference": "MT103\x01-CTRL\x1b-1",
            "payer_name": "Ministry\x07 of\nFinance",
            "note": "line one\nline two\x0c",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    receipt = db.session.execute(
        select(BankReceipt).where(BankReceipt.bank_reference.like("MT103%"))
    ).scalar_one()
    # Before the fix the control characters were stored as typed.
    assert receipt.bank_reference == "MT103-CTRL-1"
    assert receipt.payer_name == "Ministry of Finance"
    assert receipt.note == "line one\nline two"  # a note keeps its lines


def test_the_pledge_form_cleans_a_new_donor_name(client, sign_in):
    sign_in(finance_user())
    response = client.post(
        "/donations/pledges/new",
        data={
            "on_behalf_of": "new",
            "organisation_name": "Principality\x01 of\x1fR",
            "organisation_kind": "member_state",
            "amount": "1000",
            "currency": "USD",
            "year": str(TODAY.year),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    names = set(db.session.execute(select(Donor.name)).scalars())
    assert "Principality ofR" in names
