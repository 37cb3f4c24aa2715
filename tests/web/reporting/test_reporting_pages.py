"""The reporting pages as people use them: who may see what, what they show, bad input."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from app.accounts.models import Role
from app.platform.db import utcnow
from tests.factories import user_with
from tests.grants_support import USD
from tests.reporting_support import build_scenario

STAFF = [Role.FUND_MANAGER, Role.FINANCE, Role.BOARD, Role.AUDITOR]
EXPORTERS = [Role.FUND_MANAGER, Role.FINANCE, Role.AUDITOR]


@pytest.fixture
def scenario(app):
    return build_scenario()


@pytest.mark.parametrize("role", STAFF)
def test_staff_see_the_dashboard_with_ledger_figures(client, sign_in, scenario, role):
    sign_in(user_with(role))
    response = client.get("/dashboard")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # Available: 60,000 + 330 gifts - 10.50 fees - 30 refund - 11,300 committed.
    assert "48,989.50" in page
    assert "40,000.00" in page  # pledged, not yet received
    assert '<svg class="chart-svg" role="img"' in page
    assert "Data table: Grants by region" in page


@pytest.mark.parametrize("role", [Role.DONOR, Role.APPLICANT, Role.REVIEWER])
def test_others_may_not_see_the_dashboard(client, sign_in, role):
    sign_in(user_with(role))
    assert client.get("/dashboard").status_code == 403
    assert client.get("/reports/statement").status_code == 403


def test_the_dashboard_is_in_the_menu_of_the_board(client, sign_in):
    sign_in(user_with(Role.BOARD))
    assert 'href="/dashboard"' in client.get("/").get_data(as_text=True)


def test_the_statement_reconciles(client, sign_in, scenario):
    sign_in(user_with(Role.AUDITOR))
    today = utcnow().date()
    response = client.get(f"/reports/statement?start={today - timedelta(days=3)}&end={today}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Reconciled: every closing balance agrees with the ledger" in page
    assert "Member State" in page or "Member state" in page
    assert "USD\xa060,330.00" in page  # contributions received
    assert "Difference:" not in page


@pytest.mark.parametrize(
    "query",
    [
        "start=yesterday&end=today",
        "start=2026-02-30&end=2026-03-01",
        "start=2026-05-01&end=2026-04-01",
        "start=9999-12-31&end=9999-12-31",
        "start=&end=",
    ],
)
def test_bad_dates_are_form_errors(client, sign_in, query):
    sign_in(user_with(Role.FINANCE))
    response = client.get(f"/reports/statement?{query}")
    assert response.status_code == 400
    assert "is-invalid" in response.get_data(as_text=True)


def test_the_annual_report_names_public_donors_only(client, sign_in, scenario):
    sign_in(user_with(Role.BOARD))
    response = client.get(f"/reports/annual/{utcnow().year}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Norway" in page and "Ada Giver" in page
    assert "Sam Taylor" not in page
    assert "Nigeria" in page
    assert "Women and girls" in page
    assert client.get("/reports/annual/1800").status_code == 404
    assert client.get("/reports/annual").status_code == 200


def test_the_public_page_hides_small_counts(client, scenario):
    response = client.get("/transparency")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "&lt;5" in page
    assert "Norway" in page and "Ada Giver" in page
    assert "Sam Taylor" not in page
    assert "Nigeria" in page


def test_the_grants_by_country_scroll_in_a_named_region_on_a_phone(client, scenario):
    """In French the column "Groupes que les projets atteignent" makes the table wider than a
    phone: it scrolls in its own box, which the keyboard reaches and a screen reader names, so
    the page itself never scrolls sideways."""
    page = client.get("/transparency", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    section = page.split('id="countries-title"')[1].split("</section>")[0]
    assert "Groupes que les projets atteignent" in section and "Nigeria" in section
    region = '<div class="table-responsive" tabindex="0" role="region" aria-label="{}">'
    assert region.format("Subventions par pays") in section
    assert section.count("<table") == 1 and section.index("<table") > section.index(
        region.format("Subventions par pays")
    )


def test_the_public_page_names_its_largest_donors_and_links_to_every_one(
    client, scenario, monkeypatch
):
    # Beyond the page's number, the rest are added up with the unnamed ones; the recognition
    # page, which names every donor by year, is linked.
    monkeypatch.setattr("app.reporting.web.routes.TRANSPARENCY_DONORS_SHOWN", 1)
    table = client.get("/transparency").get_data(as_text=True).split('id="donors-title"')[1]
    table = table.split("</section>")[0]
    assert "Norway" in table and "Ada Giver" not in table
    assert "Other donors" in table and "USD\u00a0300.00" in table
    assert "USD\u00a060,300.00" in table  # the total is still everything received
    assert 'href="/donors"' in table and "Every donor named, year by year" in table
    assert "Ada Giver" in client.get("/donors").get_data(as_text=True)


def test_the_donors_page_counts_unmatched_bank_transfers_as_the_transparency_page_does(
    client, scenario
):
    from app.donations import services as donations
    from tests.donations_support import finance_user

    donations.record_bank_receipt(
        actor=finance_user(),
        value_date=utcnow().date(),
        amount=5_000 * USD,
        currency="USD",
        bank_reference="UNKNOWN-1",
    )
    donors = client.get("/donors").get_data(as_text=True)
    assert "Bank transfers not yet matched to a donor: USD\u00a05,000.00" in donors
    assert "USD\u00a065,300.00 received" in donors  # 60,000 + 300 + 5,000, as below
    transparency = client.get("/api/v1/transparency").get_json()
    assert transparency["totals"]["received"]["amount_minor"] == 65_300 * USD


def test_the_json_api_gives_the_same_figures_with_small_counts_hidden(client, scenario):
    response = client.get("/api/v1/transparency")
    assert response.status_code == 200
    data = response.get_json()
    assert data["totals"]["received"] == {"amount_minor": 60_000 * USD + 300_00, "currency": "USD"}
    assert data["totals"]["people_assisted"] == 15
    assert data["people_assisted"]["by_sex_and_age"]["female.child"] == "<5"
    assert data["people_assisted"]["by_sex_and_age"]["female.adult"] == "<5"
    assert [d["name"] for d in data["donors"]] == ["Norway", "Ada Giver"]
    assert data["grants_by_country"][0]["country"] == "NG"
    assert data["grants_by_country"][0]["themes"] == ["children", "women_and_girls"]


def test_home_page_links_to_the_transparency_page(client):
    assert 'href="/transparency"' in client.get("/").get_data(as_text=True)


def test_the_transparency_totals_say_they_cover_every_year(client):
    # Read beside /donors' one year, the totals looked like this year's (fresh-eyes finding).
    page = client.get("/transparency", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    totals = page.split('id="totals-title"')[1].split("</section>")[0]
    donors = page.split('id="donors-title"')[1].split("</table>")[0]
    for part in (totals, donors):
        assert "Totaux depuis la création du Fonds." in part


def _period() -> str:
    today = utcnow().date()
    return f"start={today - timedelta(days=1)}&end={today}"


def test_contributions_export_as_csv(client, sign_in, scenario):
    sign_in(user_with(Role.FINANCE))
    response = client.get(
        f"/reports/exports?table=contributions&format=csv&{_period()}", buffered=True
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    by_type = {(row["type"], row["donor"]): row for row in rows}
    assert by_type[("pledge", "Norway")]["amount"] == "100000.00"
    assert by_type[("bank_receipt", "Norway")]["functional_amount_minor"] == str(60_000 * USD)
    assert by_type[("gift", "Ada Giver")]["fee_minor"] == "780"
    assert len(rows) == 4


def test_grants_export_as_xlsx(client, sign_in, scenario):
    sign_in(user_with(Role.AUDITOR))
    response = client.get(f"/reports/exports?table=grants&format=xlsx&{_period()}", buffered=True)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    record = dict(zip(header, rows[0], strict=True))
    assert record["reference"] == scenario.grant.reference
    assert record["amount_minor"] == 10_000 * USD
    assert record["paid_minor"] == scenario.tranche.amount
    assert record["countries"] == "NG"


def test_disbursements_and_applications_export(client, sign_in, scenario):
    sign_in(user_with(Role.FUND_MANAGER))
    response = client.get(
        f"/reports/exports?table=disbursements&format=csv&{_period()}", buffered=True
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(row["status"], row["amount_minor"]) for row in rows] == [
        ("paid", str(scenario.tranche.amount))
    ]
    response = client.get(
        f"/reports/exports?table=applications&format=xlsx&{_period()}", buffered=True
    )
    assert response.status_code == 200


def test_ledger_transfers_reuse_the_ledger_export(client, sign_in, scenario):
    sign_in(user_with(Role.FINANCE))
    response = client.get(f"/reports/exports?table=transfers&format=csv&{_period()}", buffered=True)
    assert response.status_code == 302
    assert "/ledger/export" in response.headers["Location"]
    response = client.get(
        f"/reports/exports?table=transfers&format=xlsx&{_period()}", buffered=True
    )
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[0] == "sequence"
    assert {row[3] for row in rows} >= {"GIFT", "FEE", "COMMITMENT", "DISBURSEMENT", "PSC"}


def test_exports_refuse_bad_input_and_the_board(client, sign_in):
    sign_in(user_with(Role.FINANCE))
    response = client.get("/reports/exports?table=nothing&format=csv&start=x&end=y", buffered=True)
    assert response.status_code == 400
    sign_in(user_with(Role.BOARD))
    assert client.get("/reports/exports").status_code == 403
    assert client.get("/reports/iati.xml", buffered=True).status_code == 403


def test_the_iati_file_downloads(client, sign_in, scenario):
    sign_in(user_with(Role.FUND_MANAGER))
    response = client.get("/reports/iati.xml", buffered=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert scenario.grant.reference in body


def test_the_iati_command_writes_the_file(app, runner, scenario, tmp_path):
    target = tmp_path / "iati.xml"
    result = runner.invoke(args=["reports", "iati", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert scenario.grant.reference in target.read_text()


def test_the_iati_command_says_why_it_cannot_write_and_leaves_nothing(app, runner, tmp_path):
    target = tmp_path / "missing-folder" / "iati.xml"
    result = runner.invoke(args=["reports", "iati", "--output", str(target)])
    assert result.exit_code == 1
    assert "Cannot write" in result.output and "No such file or directory" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_failed_iati_run_leaves_the_last_published_file_as_it_was(
    app, runner, tmp_path, monkeypatch
):
    target = tmp_path / "iati.xml"
    target.write_text("last good file")

    def broken(_publisher):
        yield "<iati-activities>"
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("app.reporting.iati.iati_activities", broken)
    result = runner.invoke(args=["reports", "iati", "--output", str(target)])
    assert result.exit_code == 1
    assert "No space left on device" in result.output
    assert target.read_text() == "last good file"
    assert [p.name for p in tmp_path.iterdir()] == ["iati.xml"]
