"""The IATI file the fund publishes passes IATI's Standard Ruleset."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.grants.models import Grant
from app.platform.extensions import db
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


def test_the_organisation_file_is_public(app, client):
    build_scenario()
    response = client.get("/reports/iati-organisation.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    body = response.get_data(as_text=True)
    assert "<organisation-identifier>XI-IATI-UNVTF</organisation-identifier>" in body
    assert "<total-budget>" in body


def test_the_quality_page_shows_the_rule_a_grant_without_a_theme_breaks(
    app, client, sign_in, ruleset, monkeypatch
):
    monkeypatch.setitem(app.config, "IATI_RULESET_PATH", str(RULESET))
    grant = build_scenario().grant
    grant.application.target_groups = []
    sign_in(user_with(Role.FUND_MANAGER))
    page = client.get("/reports/iati/quality").get_data(as_text=True)
    assert grant.reference in page
    assert "none of sector, transaction/sector is present" in page
    assert "Choose the groups the project reaches in the application" in page

    db.session.get(Grant, grant.id).application.target_groups = ["children"]
    db.session.flush()
    page = client.get("/reports/iati/quality").get_data(as_text=True)
    assert "Every activity passes every rule" in page


def test_the_quality_page_says_when_the_ruleset_is_not_installed(app, client, sign_in, monkeypatch):
    monkeypatch.setitem(app.config, "IATI_RULESET_PATH", "")
    sign_in(user_with(Role.FUND_MANAGER))
    page = client.get("/reports/iati/quality").get_data(as_text=True)
    assert "The IATI Standard Ruleset is not installed" in page


def test_only_those_who_export_data_see_the_quality_page(app, client, sign_in):
    sign_in(user_with(Role.BOARD))
    assert client.get("/reports/iati/quality").status_code == 403
