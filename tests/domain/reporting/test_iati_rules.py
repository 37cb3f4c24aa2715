"""The IATI file passes every rule of the IATI Standard Ruleset, not only the schema."""

from __future__ import annotations

import pytest

from app.grants import services as grants
from app.grants.models import Grant, GrantStatus, ReportKind
from app.platform.categories import Theme
from app.reporting.iati import iati_activities
from app.reporting.iati_rules import check_text, load_ruleset
from tests.domain.reporting.test_iati import PUBLISHER
from tests.grants_support import (
    USD,
    active_grant,
    approved_application,
    award,
    complete_report,
    finance,
    fund,
    manager,
    officers,
    pay,
    report_of,
    spend_everything,
)
from tests.shared_data import shared_data_dir

etree = pytest.importorskip("lxml.etree", reason="lxml is needed to check the IATI export")

RULESET = shared_data_dir() / "iati-rulesets" / "standard_py.json"
SCHEMA = shared_data_dir() / "iati-2.03" / "iati-activities-schema.xsd"


@pytest.fixture(scope="module")
def ruleset():
    if not RULESET.exists():
        pytest.skip(f"The IATI Standard Ruleset is not at {RULESET}")
    return load_ruleset(RULESET)


@pytest.fixture(scope="module")
def schema():
    if not SCHEMA.exists():
        pytest.skip(f"The IATI 2.03 schema is not at {SCHEMA}")
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def _broken(report) -> list[str]:
    return [f"{f.owner}: {f.rule} ({f.context}): {f.reason}" for f in report.failures]


def _checked(schema, ruleset):
    text = "".join(iati_activities(PUBLISHER))
    document = etree.fromstring(text.encode())
    assert schema.validate(document), schema.error_log
    report = check_text(text, ruleset)
    assert report.checks > 0
    assert _broken(report) == []
    return document


BROKEN = b"""<iati-activities version="2.03">
 <iati-activity default-currency="USD">
  <iati-identifier>XM-DAC-1/GR-1</iati-identifier>
  <title><narrative>Shelter</narrative></title>
  <activity-date type="1" iso-date="2026-05-01"/>
  <activity-date type="3" iso-date="2026-01-01"/>
  <recipient-country code="NG" percentage="60"/>
  <sector vocabulary="99" code="children" percentage="50"/>
  <policy-marker vocabulary="1" code="1"/>
  <transaction><recipient-country code="NG"/>
   <transaction-date iso-date="2026-01-01"/><value value-date="2026-01-01">1</value></transaction>
 </iati-activity>
</iati-activities>"""


def test_the_checker_says_which_rules_an_activity_breaks_and_why(ruleset):
    report = check_text(BROKEN, ruleset)
    assert {f.owner for f in report.failures} == {"XM-DAC-1/GR-1"}
    broken = {(f.rule, f.reason) for f in report.failures}
    reasons = " | ".join(reason for _rule, reason in broken)
    assert (
        "regex_matches",
        "iati-identifier ('XM-DAC-1/GR-1') does not match [^\\/\\&\\|\\?]+",
    ) in broken
    assert "@xml:lang is missing and 1 .//narrative lack @xml:lang" in reasons
    assert "recipient-country/@percentage, recipient-region/@percentage add up to 60" in reasons
    assert "sector[@vocabulary = '99']/@percentage add up to 50, not 100" in reasons
    assert "transaction/recipient-country must not be given with recipient-country" in reasons
    assert "is after activity-date[@type='3']/@iso-date" in reasons
    assert "must hold when count(sector" in reasons  # a fund's own sector needs its name
    # Nothing in the DAC vocabulary adds up to nothing, not to 100.
    assert "sector[@vocabulary = '1' or not(@vocabulary)]/@percentage add up to 0" in reasons
    # The DAC policy marker needs its significance; the condition for the fund's own does not
    # hold, so that case is not applied.
    assert [f.reason for f in report.failures if f.context == "//policy-marker"] == [
        "none of @significance is present"
    ]


def test_an_unknown_rule_type_fails_instead_of_passing_unseen():
    report = check_text(BROKEN, {"//iati-activity": {"newer_rule": {"cases": [{}]}}})
    assert [f.reason for f in report.failures] == [
        "the rule type 'newer_rule' is not known to this checker"
    ]


def test_the_demo_file_passes_every_rule(app, schema, ruleset):
    from devtools.seed import load_demo

    load_demo()
    document = _checked(schema, ruleset)
    grant = document.findall("iati-activity")[1]
    assert grant.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert {s.get("vocabulary") for s in grant.findall("sector")} == {"1", "99"}
    assert [t.get("code") for t in grant.findall("tag")] == ["5.2", "8.7", "16.2"]
    # The call each grant answers, as its objectives, in every language the fund wrote it in.
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    objectives = [
        [n.get(lang) for n in a.findall("description[@type='2']/narrative")]
        for a in document.findall("iati-activity")[1:]
    ]
    assert [None, "es", "fr"] in objectives
    # The gender equality marker where a grant reaches women and girls, and only there.
    for activity in document.findall("iati-activity")[1:]:
        reaches_women = activity.find("sector[@code='women_and_girls']") is not None
        markers = [
            (m.get("code"), m.get("significance")) for m in activity.findall("policy-marker")
        ]
        assert markers == ([("1", "1")] if reaches_women else [])


def _themed(grant: Grant) -> Grant:
    grant.application.target_groups = [Theme.WOMEN_AND_GIRLS, Theme.CHILDREN, Theme.LGBTQI]
    grant.application.countries = ["NG", "GH", "BJ"]
    return grant


def grants_in_every_state() -> list[Grant]:
    """A grant in each state of GrantStatus, paid, reported, refunded and closed as it goes."""
    fund(200_000 * USD)
    awarded = _themed(award(approved_application()))
    sent = _themed(award(approved_application()))
    grants.send_agreement(actor=manager(), grant=sent)
    active = _themed(active_grant())
    pay(active.tranches[0], officers())
    suspended = _themed(active_grant())
    grants.suspend_grant(actor=manager(), grant=suspended, reason="Monitoring visit pending.")
    closed = _themed(active_grant(amount=10_000 * USD))
    pay(closed.tranches[0], officers())
    complete_report(report_of(closed, ReportKind.PROGRESS))
    complete_report(report_of(closed, ReportKind.FINAL))
    complete_report(
        report_of(closed, ReportKind.FINANCIAL), spent=spend_everything(closed, 5_000 * USD)
    )
    grants.start_closure(actor=manager(), grant=closed)
    closing = _themed(active_grant(amount=10_000 * USD))
    pay(closing.tranches[0], officers())
    complete_report(report_of(closing, ReportKind.PROGRESS))
    complete_report(report_of(closing, ReportKind.FINAL))
    complete_report(
        report_of(closing, ReportKind.FINANCIAL), spent=spend_everything(closing, 6_000 * USD)
    )
    grants.start_closure(actor=manager(), grant=closing)
    grants.record_grantee_refund(
        actor=finance(),
        grant=closed,
        amount=1_000 * USD,
        bank_reference="RF-1",
        received_on=closed.tranches[0].confirmed_at.date(),
    )
    grants.close_grant(actor=manager(), grant=closed)
    every = [awarded, sent, active, suspended, closing, closed]
    assert {g.status for g in every} == set(GrantStatus)
    return every


def test_a_grant_in_every_state_passes_every_rule(app, schema, ruleset):
    grants_in_every_state()
    document = _checked(schema, ruleset)
    crs = [
        (s.get("code"), s.get("percentage"))
        for s in document.findall("iati-activity")[-1].findall("sector[@vocabulary='1']")
    ]
    assert crs == [("15180", "33.33"), ("16015", "33.34"), ("15160", "33.33")]
    marker = document.findall("iati-activity")[-1].find("policy-marker")
    assert (marker.get("vocabulary"), marker.get("code"), marker.get("significance")) == (
        "1",
        "1",
        "1",
    )


def test_the_small_generated_fund_passes_every_rule(app, schema, ruleset):
    from devtools.seed.scale import SCALES, generate_fund

    generate_fund(SCALES["small"])
    document = _checked(schema, ruleset)
    assert len(document.findall("iati-activity")) > 2


def test_the_fund_activity_is_described_in_every_language_given(app, schema, ruleset):
    from dataclasses import replace

    publisher = replace(
        PUBLISHER,
        fund_description_translations=(("en", "ignored"), ("fr", "Contributions au Fonds.")),
    )
    text = "".join(iati_activities(publisher))
    document = etree.fromstring(text.encode())
    assert schema.validate(document), schema.error_log
    assert _broken(check_text(text, ruleset)) == []
    narratives = document.findall("iati-activity")[0].findall("description/narrative")
    assert [(n.get("{http://www.w3.org/XML/1998/namespace}lang"), n.text) for n in narratives] == [
        (None, "Contributions to the fund from governments, organisations and individuals."),
        ("fr", "Contributions au Fonds."),
    ]
