"""The XLSX exports hold numbers as numbers and dates as dates, so a spreadsheet sums and sorts
them: the ledger's amount sums to its minor units, every date column is a real date."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.accounts.models import Role
from app.platform.db import utcnow
from tests.factories import user_with
from tests.reporting_support import build_scenario


@pytest.fixture
def scenario(app):
    return build_scenario()


def _sheet(client, table: str):
    today = utcnow().date()
    response = client.get(
        f"/reports/exports?table={table}&format=xlsx&start={today - timedelta(days=1)}&end={today}",
        buffered=True,
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    return sheet, header


def test_the_ledger_xlsx_amount_is_a_number_that_sums(client, sign_in, scenario):
    sign_in(user_with(Role.FINANCE))
    sheet, header = _sheet(client, "transfers")
    amount, minor, created = (header.index(n) + 1 for n in ("amount", "amount_minor", "created_at"))
    rows = list(sheet.iter_rows(min_row=2))
    assert rows
    for row in rows:
        assert row[amount - 1].data_type == "n", row[amount - 1].value
        assert isinstance(row[created - 1].value, datetime)
        assert row[created - 1].number_format == "yyyy-mm-dd hh:mm:ss"
    usd = [r for r in rows if r[header.index("currency")].value == "USD"]
    total = sum(Decimal(str(r[amount - 1].value)) for r in usd)
    assert total == Decimal(sum(r[minor - 1].value for r in usd)) / 100
    # A formula over the column works too: the cells are numbers, not text.
    assert total > 0


def test_contribution_dates_are_dates_and_amounts_numbers(client, sign_in, scenario):
    sign_in(user_with(Role.FINANCE))
    sheet, header = _sheet(client, "contributions")
    rows = list(sheet.iter_rows(min_row=2))
    assert {r[0].value for r in rows} >= {"gift", "pledge", "bank_receipt"}
    for row in rows:
        # One format: every contribution's day as a date (the day the list shows).
        assert isinstance(row[header.index("date")].value, datetime)
        assert row[header.index("date")].number_format == "yyyy-mm-dd"
        assert row[header.index("amount")].data_type == "n"
        assert row[header.index("currency")].value
