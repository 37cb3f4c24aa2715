"""The bank-file pages: finance makes a payment file and downloads it, imports a statement (a bad
file is refused next to the upload field, 422, nothing written), confirms a proposed pledge;
other roles are refused."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from lxml import etree

from app.accounts.models import Role
from app.bankfiles import pain001
from app.bankfiles.models import BankStatement, PaymentBatch, StatementEntry
from app.donations.services import confirm_pledge, make_pledge
from app.grants.models import TrancheStatus
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.bankfiles_support import Line, approved_tranches, camt053, lines_for
from tests.donations_support import institutional_donor
from tests.factories import user_with
from tests.grants_support import USD, finance


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _upload(client, content: bytes, name: str = "statement.xml"):
    return client.post(
        "/bank-files/statements",
        data={"statement": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def tranches():
    return approved_tranches(2)


def test_finance_makes_a_payment_file_and_imports_its_statement(client, sign_in, tranches):
    officer = finance()
    sign_in(officer)
    page = client.get("/bank-files/").get_data(as_text=True)
    assert "Make the payment file" in page
    assert all(f'value="{t.id}"' in page for t in tranches)
    made = client.post(
        "/bank-files/batches",
        data={"currency": "USD", "tranche": [str(t.id) for t in tranches]},
    )
    assert made.status_code == 302
    batch = db.session.execute(sa.select(PaymentBatch)).scalar_one()
    assert made.location.endswith(f"/bank-files/batches/{batch.id}")
    assert "Download the file" in client.get(made.location).get_data(as_text=True)
    download = client.get(f"/bank-files/batches/{batch.id}/file")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert pain001.schema().validate(etree.fromstring(download.data))

    imported = _upload(client, camt053(lines_for(batch)))
    assert imported.status_code == 302
    db.session.expire_all()
    assert [t.status for t in tranches] == [TrancheStatus.PAID] * 2
    shown = client.get(imported.location).get_data(as_text=True)
    assert "Tranche recorded paid" in shown
    again = _upload(client, camt053(lines_for(batch)))
    assert again.status_code == 302
    assert "imported before: nothing changed" in client.get(again.location).get_data(as_text=True)
    assert _count(BankStatement) == 1


@pytest.mark.parametrize(
    "content",
    [b"", b"<Document><BkToCstmrStmt>", b"\x00\xff garbage", b"<a>" * 10],
    ids=["empty", "truncated", "binary", "not-a-statement"],
)
def test_a_bad_file_is_refused_next_to_the_field_with_nothing_written(
    client, sign_in, tranches, content
):
    sign_in(finance())
    answer = _upload(client, content)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'id="statement-error"' in html
    assert "Nothing was imported." in html or "Choose the bank statement file" in html
    assert _count(BankStatement) == 0 and _count(StatementEntry) == 0


def test_no_file_chosen_is_said_next_to_the_field(client, sign_in):
    sign_in(finance())
    answer = client.post("/bank-files/statements", data={})
    assert answer.status_code == 422
    assert "Choose the bank statement file to import." in answer.get_data(as_text=True)


def test_a_refused_file_says_why_and_makes_nothing(client, sign_in, tranches):
    sign_in(finance())
    answer = client.post(
        "/bank-files/batches",
        data={"currency": "GBP", "tranche": [str(tranches[0].id)]},
        follow_redirects=True,
    )
    assert "No fund bank account is set for GBP" in answer.get_data(as_text=True)
    assert _count(PaymentBatch) == 0
    bad_date = client.post(
        "/bank-files/batches",
        data={"currency": "USD", "tranche": [str(tranches[0].id)], "usd-execution_date": "soon"},
    )
    assert bad_date.status_code == 422
    assert 'id="usd-execution_date-error"' in bad_date.get_data(as_text=True)
    assert _count(PaymentBatch) == 0


def test_a_pay_date_in_the_past_is_refused_next_to_the_field(client, sign_in, tranches):
    sign_in(finance())
    yesterday = utcnow().date() - timedelta(days=1)
    answer = client.post(
        "/bank-files/batches",
        data={
            "currency": "USD",
            "tranche": [str(t.id) for t in tranches],
            "usd-execution_date": yesterday.isoformat(),
        },
    )
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    error = html.split('id="usd-execution_date-error"', 1)[1].split("</div>", 1)[0]
    assert "is in the past" in error and "Nothing was made." in error
    assert f'value="{yesterday.isoformat()}"' in html  # what was typed stays
    assert _count(PaymentBatch) == 0
    db.session.expire_all()
    assert [t.status for t in tranches] == [TrancheStatus.APPROVED] * 2
    today = client.post(
        "/bank-files/batches",
        data={
            "currency": "USD",
            "tranche": [str(t.id) for t in tranches],
            "usd-execution_date": utcnow().date().isoformat(),
        },
    )
    assert today.status_code == 302 and _count(PaymentBatch) == 1


def test_a_proposed_pledge_is_confirmed_on_the_statement_page(client, sign_in):
    officer = finance()
    donor = institutional_donor("Republic of Korea")
    pledge = make_pledge(actor=officer, donor=donor, amount=5_000 * USD, currency="USD", year=2026)
    confirm_pledge(actor=officer, pledge=pledge, on=date.today())
    db.session.commit()
    sign_in(officer)
    _upload(
        client,
        camt053(
            [
                Line(
                    amount=5_000 * USD,
                    credit=True,
                    reference="KR-77",
                    party="Republic of Korea",
                    remittance=f"Pledge {pledge.id}",
                )
            ]
        ),
    )
    entry = db.session.execute(sa.select(StatementEntry)).scalar_one()
    page = client.get(f"/bank-files/statements/{entry.statement_id}").get_data(as_text=True)
    assert "Pledge proposed" in page
    assert client.post(f"/bank-files/entries/{entry.id}/confirm").status_code == 302
    db.session.expire_all()
    assert entry.bank_receipt_id is not None
    assert pledge.outstanding_amount == 0


@pytest.mark.parametrize("role", [Role.FUND_MANAGER, Role.AUDITOR, Role.DONOR])
def test_other_roles_cannot_make_files_or_import(client, sign_in, role, tranches):
    sign_in(user_with(role))
    made = client.post("/bank-files/batches", data={"currency": "USD", "tranche": "1"})
    assert made.status_code == 403
    assert _upload(client, b"<x/>").status_code == 403
    expected = 200 if role in (Role.FUND_MANAGER, Role.AUDITOR) else 403
    assert client.get("/bank-files/").status_code == expected


def test_a_flagged_line_says_why_even_with_a_percent_sign(client, sign_in):
    sign_in(finance())
    _upload(client, camt053([Line(amount=12 * USD, reference="FEE-9")]))
    entry = db.session.execute(sa.select(StatementEntry)).scalar_one()
    page = client.get(f"/bank-files/statements/{entry.statement_id}").get_data(as_text=True)
    assert "To look into" in page and "without an EndToEndId" in page
    entry.note = "Refused: 100 % of the grant is already paid."
    db.session.commit()
    page = client.get(f"/bank-files/statements/{entry.statement_id}")
    assert page.status_code == 200
    assert "100 % of the grant" in page.get_data(as_text=True)


def test_finance_tries_the_import_with_the_sample_statement_of_a_file(
    client, sign_in, tranches, app
):
    sign_in(finance())
    made = client.post(
        "/bank-files/batches", data={"currency": "USD", "tranche": [str(t.id) for t in tranches]}
    )
    page = client.get(made.location).get_data(as_text=True)
    assert "Download a sample statement for this file" in page
    batch = db.session.execute(sa.select(PaymentBatch)).scalar_one()
    sample = client.get(f"/bank-files/batches/{batch.id}/sample-statement")
    assert sample.status_code == 200
    assert "attachment" in sample.headers["Content-Disposition"]
    imported = _upload(client, sample.data, "sample.xml")
    assert imported.status_code == 302
    db.session.expire_all()
    assert [t.status for t in tranches] == [TrancheStatus.PAID] * 2

    # Never in production: no link, and the address answers 404.
    app.config.update(TESTING=False, APP_ENV="production")
    try:
        assert "sample statement" not in client.get(made.location).get_data(as_text=True)
        assert client.get(f"/bank-files/batches/{batch.id}/sample-statement").status_code == 404
    finally:
        app.config.update(TESTING=True, APP_ENV="testing")


def test_two_currencies_ready_have_their_own_pay_date_fields(
    client, sign_in, tranches, monkeypatch
):
    """Tranches waiting in USD and EUR: two forms, each with its own date field and label, and
    a refused date is shown in the form of the currency that was refused only."""
    from app.bankfiles import services as bankfiles_services

    monkeypatch.setattr(
        bankfiles_services,
        "batchable_tranches",
        lambda: {"EUR": tranches[:1], "USD": tranches[1:]},
    )
    sign_in(finance())

    html = client.get("/bank-files/").get_data(as_text=True)
    ids = re.findall(r'\bid="([^"]+)"', html)

    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert 'for="eur-execution_date"' in html and 'for="usd-execution_date"' in html

    refused = client.post(
        "/bank-files/batches",
        data={"currency": "USD", "tranche": [str(tranches[1].id)], "usd-execution_date": "soon"},
    ).get_data(as_text=True)
    assert 'id="usd-execution_date-error"' in refused
    assert 'id="eur-execution_date-error"' not in refused
