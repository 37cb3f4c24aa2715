"""The IATI file the fund publishes passes IATI's Standard Ruleset."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.reporting.iati_rules import check_text, load_ruleset
from tests.factories import user_with
from tests.reporting_support import build_scenario
from tests.shared_data import shared_data_dir

pytest.importorskip("lxml.etree", reason="lxml is needed to check the IATI export")
RULESET = shared_data_dir() / "iati-rulesets" / "standard_py.json"


@pytest.fixture
def ruleset():
    if not RULESET.exists():
        pytest.skip(f"The IATI Standard Ruleset is not at {RULESET}")
    return load_ruleset(RULESET)


def test_the_downloaded_file_passes_every_rule_and_names_its_vocabulary(
    app, client, sign_in, ruleset
):
    build_scenario()
    sign_in(user_with(Role.FUND_MANAGER))
    body = client.get("/reports/iati.xml", buffered=True).get_data(as_text=True)
    assert check_text(body, ruleset).failures == []
    assert 'vocabulary="99" code="women_and_girls"' in body
    assert 'vocabulary-uri="http://localhost/transparency"' in body
