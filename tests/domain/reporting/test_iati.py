"""The IATI 2.03 export validates against the official schema and carries the transactions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.grants import services as grants
from app.grants.models import ReportKind
from app.reporting.iati import iati_activities
from app.reporting.iati_xml import IatiPublisher
from tests.grants_support import (
    USD,
    active_grant,
    complete_report,
    days_ago,
    finance,
    fund,
    manager,
    officers,
    pay,
    report_of,
    spend_everything,
)
from tests.reporting_support import build_scenario
from tests.shared_data import shared_data_dir

SCHEMA_DIR = shared_data_dir() / "iati-2.03"
PUBLISHER = IatiPublisher(
    organisation_ref="XM-DAC-00000",
    organisation_name="UNODC",
    fund_name="UN Voluntary Trust Fund for Victims of Trafficking in Persons",
    currency="USD",
)

etree = pytest.importorskip("lxml.etree", reason="lxml is needed to validate the IATI export")


@pytest.fixture(scope="module")
def schema():
    path = SCHEMA_DIR / "iati-activities-schema.xsd"
    if not path.exists():
        pytest.skip(f"The IATI 2.03 schema is not at {SCHEMA_DIR.resolve()}")
    return etree.XMLSchema(etree.parse(str(path)))


def _document(publisher: IatiPublisher = PUBLISHER):
    text = "".join(iati_activities(publisher))
    return etree.fromstring(text.encode())


def test_the_export_validates_against_the_iati_schema(app, schema):
    scenario = build_scenario()
    document = _document()
    assert schema.validate(document), schema.error_log

    activities = document.findall("iati-activity")
    assert [a.findtext("iati-identifier") for a in activities] == [
        "XM-DAC-00000-FUND",
        f"XM-DAC-00000-{scenario.grant.reference.replace('/', '-')}",
    ]
    fund, grant = activities
    incoming = [
        (t.find("transaction-type").get("code"), t.findtext("value"))
        for t in fund.findall("transaction")
    ]
    # The pledge (13), its confirmation (11), the bank receipt and the month's card gifts (1).
    assert ("13", "100000.00") in incoming
    assert ("11", "100000.00") in incoming
    assert ("1", "60000.00") in incoming
    assert ("1", "330.00") in incoming
    outgoing = [
        (t.find("transaction-type").get("code"), t.findtext("value"))
        for t in grant.findall("transaction")
    ]
    tranche = scenario.tranche
    assert outgoing == [
        ("2", "10000.00"),
        ("3", f"{tranche.amount / 100:.2f}"),
        ("4", f"{tranche.psc_amount / 100:.2f}"),
    ]
    assert grant.find("activity-status").get("code") == "2"
    assert grant.find("recipient-country").get("code") == "NG"


def test_an_empty_fund_still_validates(app, schema):
    assert schema.validate(_document()), schema.error_log


def test_anonymous_donors_are_not_named(app):
    build_scenario()
    text = "".join(iati_activities(PUBLISHER))
    assert "Sam Taylor" not in text
    assert "Ada Giver" not in text  # card gifts are added up per month
    assert "Norway" in text


def test_money_coming_back_is_published_as_negative_transactions(app, schema):
    """Paid 6,000 of a 10,000 grant, spent 5,000: the grantee returns 1,000 (with 130 of
    support cost given back) and 4,000 never paid is released at closure."""
    fund(100_000 * USD)
    grant = active_grant(amount=10_000 * USD)
    pay(grant.tranches[0], officers())
    complete_report(report_of(grant, ReportKind.PROGRESS))
    complete_report(report_of(grant, ReportKind.FINAL))
    complete_report(
        report_of(grant, ReportKind.FINANCIAL), spent=spend_everything(grant, 5_000 * USD)
    )
    grants.start_closure(actor=manager(), grant=grant)
    grants.record_grantee_refund(
        actor=finance(),
        grant=grant,
        amount=1_000 * USD,
        bank_reference="RF-SECRET-1",
        received_on=days_ago(0),
    )
    grants.close_grant(actor=manager(), grant=grant)

    document = _document()
    assert schema.validate(document), schema.error_log
    activity = document.findall("iati-activity")[-1]
    transactions = [
        (t.find("transaction-type").get("code"), t.findtext("value"))
        for t in activity.findall("transaction")
    ]
    assert transactions == [
        ("2", "10000.00"),
        ("3", "6000.00"),
        ("4", "780.00"),
        ("3", "-1000.00"),
        ("4", "-130.00"),
        ("2", "-4000.00"),
    ]
    # What the published grant cost the fund is what the ledger took from it: 5,000 + 650.
    spent = sum(Decimal(value) for code, value in transactions if code in {"3", "4"})
    assert spent == Decimal("5650.00")
    assert "RF-SECRET-1" not in "".join(iati_activities(PUBLISHER))
