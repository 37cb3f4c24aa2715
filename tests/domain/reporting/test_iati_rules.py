"""The IATI Standard Ruleset checker: every rule an activity breaks, and why."""

from __future__ import annotations

import pytest

from app.reporting.iati_rules import check_text, load_ruleset
from tests.shared_data import shared_data_dir

etree = pytest.importorskip("lxml.etree", reason="lxml is needed to check the IATI export")

RULESET = shared_data_dir() / "iati-rulesets" / "standard_py.json"


@pytest.fixture(scope="module")
def ruleset():
    if not RULESET.exists():
        pytest.skip(f"The IATI Standard Ruleset is not at {RULESET}")
    return load_ruleset(RULESET)


BROKEN = b"""<iati-activities version="2.03">
 <iati-activity default-currency="USD">
  <iati-identifier>XM-DAC-1/GR-1</iati-identifier>
  <title><narrative>Shelter</narrative></title>
  <activity-date type="1" iso-date="2026-05-01"/>
  <activity-date type="3" iso-date="2026-01-01"/>
  <recipient-country code="NG" percentage="60"/>
  <sector vocabulary="99" code="children" percentage="50"/>
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


def test_an_unknown_rule_type_fails_instead_of_passing_unseen():
    report = check_text(BROKEN, {"//iati-activity": {"newer_rule": {"cases": [{}]}}})
    assert [f.reason for f in report.failures] == [
        "the rule type 'newer_rule' is not known to this checker"
    ]
