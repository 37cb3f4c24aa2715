"""The IATI organisation file validates against its schema and passes the Standard Ruleset."""

from __future__ import annotations

import pytest

from app.reporting.iati_organisation import iati_organisations
from app.reporting.iati_rules import check_text, load_ruleset
from tests.domain.reporting.test_iati import PUBLISHER
from tests.reporting_support import build_scenario
from tests.shared_data import shared_data_dir

etree = pytest.importorskip("lxml.etree", reason="lxml is needed to check the IATI files")

RULESET = shared_data_dir() / "iati-rulesets" / "standard_py.json"
SCHEMA = shared_data_dir() / "iati-2.03" / "iati-organisations-schema.xsd"


@pytest.fixture(scope="module")
def checks():
    if not (RULESET.exists() and SCHEMA.exists()):
        pytest.skip(f"The IATI schema or ruleset is not under {shared_data_dir()}")
    return etree.XMLSchema(etree.parse(str(SCHEMA))), load_ruleset(RULESET)


def _checked(checks):
    schema, ruleset = checks
    text = "".join(iati_organisations(PUBLISHER))
    document = etree.fromstring(text.encode())
    assert schema.validate(document), schema.error_log
    report = check_text(text, ruleset)
    assert report.checks > 0
    assert [(f.rule, f.reason) for f in report.failures] == []
    return document


def test_an_empty_fund_publishes_a_valid_organisation_file(app, checks):
    document = _checked(checks)
    assert document.findtext("iati-organisation/organisation-identifier") == "XM-DAC-00000"


def test_the_organisation_file_carries_budgets_and_expenditure(app, checks):
    scenario = build_scenario()
    organisation = _checked(checks).find("iati-organisation")
    year = str(scenario.grant.awarded_at.year)
    assert [
        (b.find("period-start").get("iso-date")[:4], b.findtext("value"))
        for b in organisation.findall("total-budget")
    ] == [(year, "10000.00")]
    country = organisation.find("recipient-country-budget")
    assert country.find("recipient-country").get("code") == "NG"
    assert country.findtext("value") == "10000.00"
    tranche = scenario.tranche
    assert organisation.find("total-expenditure").findtext("value") == (
        f"{(tranche.amount + tranche.psc_amount) / 100:.2f}"
    )


def test_the_small_generated_fund_publishes_a_valid_organisation_file(app, checks):
    from devtools.seed.scale import SCALES, generate_fund

    generate_fund(SCALES["small"])
    organisation = _checked(checks).find("iati-organisation")
    assert len(organisation.findall("total-budget")) >= 2  # the generator spreads over years
    assert organisation.findall("recipient-country-budget")


def test_the_demo_publishes_a_valid_organisation_file(app, checks):
    from devtools.seed import load_demo

    load_demo()
    organisation = _checked(checks).find("iati-organisation")
    assert organisation.findall("total-budget")
    assert organisation.findall("total-expenditure")


def test_grants_in_every_state_publish_a_valid_organisation_file(app, checks):
    from tests.domain.reporting.test_iati_rules import grants_in_every_state

    grants_in_every_state()
    organisation = _checked(checks).find("iati-organisation")
    # Returned funds are taken off what was spent, never below what the ledger shows.
    assert organisation.findall("recipient-country-budget")
    assert all(float(e.findtext("value")) > 0 for e in organisation.findall("total-expenditure"))
