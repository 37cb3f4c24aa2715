"""The IATI file the fund publishes passes IATI's Standard Ruleset."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.applications.models import Application
from app.grants.models import Grant
from app.platform.db import utcnow
from app.platform.extensions import db
from app.reporting.iati_rules import check_text, load_ruleset
from app.reporting.publication import ACTIVITIES, ORGANISATION, publish, published
from app.reporting.web.iati import publisher
from app.tasks import PUBLISH_IATI
from tests.factories import user_with
from tests.reporting_support import build_scenario
from tests.shared_data import shared_data_dir

etree = pytest.importorskip("lxml.etree", reason="lxml is needed to check the IATI export")
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
    assert (
        client.get("/reports/iati-organisation.xml")
        .headers["Location"]
        .endswith("/open-data/iati-organisation.xml")
    )
    response = client.get("/open-data/iati-organisation.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    body = response.get_data(as_text=True)
    assert "<organisation-identifier>XI-IATI-UNVTF</organisation-identifier>" in body
    assert "<total-budget>" in body


def test_the_published_files_are_served_as_stored_with_their_etag(app, client):
    build_scenario()
    assert publish(publisher()) == [ACTIVITIES, ORGANISATION]
    for name in (ACTIVITIES, ORGANISATION):
        response = client.get(f"/open-data/{name}.xml")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
        stored = published(name)
        assert response.get_data() == stored.content
        assert response.headers["ETag"] == f'"{stored.sha256}"'
        assert response.last_modified == stored.generated_at
        assert "public" in response.headers["Cache-Control"]
        again = client.get(f"/open-data/{name}.xml", headers={"If-None-Match": stored.sha256})
        assert again.status_code == 304
    # Nothing changed: the next tick makes nothing.
    assert publish(publisher()) == []


def test_before_the_first_publication_the_first_visitor_gets_it_published(app, client):
    assert published(ACTIVITIES) is None
    response = client.get("/open-data/iati-activities.xml")
    assert response.status_code == 200
    assert b"<iati-activities" in response.get_data()
    assert published(ACTIVITIES) is not None and published(ORGANISATION) is not None


def _grant_activity(body: bytes, reference: str):
    identifier = f"XI-IATI-UNVTF-{reference.replace('/', '-')}"
    [activity] = [
        a
        for a in etree.fromstring(body).findall("iati-activity")
        if a.findtext("iati-identifier") == identifier
    ]
    return activity


def test_a_grant_left_without_a_theme_is_shown_fixed_and_republished_at_the_next_tick(
    app, client, sign_in, ruleset, monkeypatch
):
    """The issue's done-when: the quality page shows the broken rule for a grant deliberately
    left without a theme; fixed from that page, the published file carries the sector after one
    tick of the job (the beat runs it every minute), with a newer last-updated."""
    monkeypatch.setitem(app.config, "IATI_RULESET_PATH", str(RULESET))
    grant = build_scenario().grant
    reference = grant.reference
    grant.application.target_groups = []  # deliberately left without a theme
    an_hour_ago = utcnow() - timedelta(hours=1)
    db.session.flush()
    db.session.execute(
        sa.update(Application)
        .where(Application.id == grant.application_id)
        .values(updated_at=an_hour_ago)
    )
    db.session.execute(sa.update(Grant).where(Grant.id == grant.id).values(updated_at=an_hour_ago))
    db.session.commit()
    tick = app.extensions["celery"].tasks[PUBLISH_IATI]
    assert tick.apply().get() == 2

    before = _grant_activity(client.get("/open-data/iati-activities.xml").get_data(), reference)
    assert before.findall("sector") == []
    etag = published(ACTIVITIES).sha256

    sign_in(user_with(Role.FUND_MANAGER))
    page = client.get("/reports/iati/quality").get_data(as_text=True)
    assert reference in page
    assert "none of sector, transaction/sector is present" in page
    assert "Groups the project reaches" in page  # the form to fix it, on the page

    response = client.post(
        f"/reports/iati/quality/grants/{grant.id}/groups",
        data={"groups": ["children"]},
    )
    assert response.status_code == 302
    page = client.get("/reports/iati/quality").get_data(as_text=True)
    assert "Every activity passes every rule" in page

    assert tick.apply().get() == 2  # one tick: the data changed, both files are made again
    visitor = app.test_client()
    response = visitor.get("/open-data/iati-activities.xml", headers={"If-None-Match": etag})
    assert response.status_code == 200  # not the file the harvester had
    after = _grant_activity(response.get_data(), reference)
    assert [(s.get("vocabulary"), s.get("code")) for s in after.findall("sector")] == [
        ("1", "16015"),
        ("99", "children"),
    ]
    assert after.get("last-updated-datetime") > before.get("last-updated-datetime")
    assert check_text(response.get_data(as_text=True), load_ruleset(RULESET)).failures == []


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


def test_only_the_fund_manager_chooses_a_grants_groups(app, client, sign_in, monkeypatch):
    monkeypatch.setitem(app.config, "IATI_RULESET_PATH", str(RULESET))
    grant = build_scenario().grant
    grant.application.target_groups = []
    db.session.commit()
    sign_in(user_with(Role.FINANCE))
    assert "Groups the project reaches" not in client.get("/reports/iati/quality").get_data(
        as_text=True
    )
    response = client.post(
        f"/reports/iati/quality/grants/{grant.id}/groups",
        data={"groups": ["children"]},
    )
    assert response.status_code == 403


def test_the_registry_page_is_public_and_says_what_to_register(app, client):
    build_scenario()
    page = client.get("/open-data/iati").get_data(as_text=True)
    assert "XI-IATI-UNVTF" in page
    assert "http://localhost/open-data/iati-activities.xml" in page
    assert "http://localhost/open-data/iati-organisation.xml" in page
    assert "xi-iati-unvtf-activities" in page and "xi-iati-unvtf-org" in page
    assert "cc-by" in page
    stored = published(ACTIVITIES)
    assert f'datetime="{stored.generated_at.isoformat()}"' in page
    assert "IATI Registry" in page
    assert client.get("/transparency").get_data(as_text=True).count("/open-data/iati") == 1


def test_the_registry_page_speaks_french(app, client):
    page = client.get("/open-data/iati", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="fr"' in page
