"""Countries are ticked, not picked from a native multi-select: one checkbox per country,
grouped by region in the reader's language, posting the same field as before."""

from __future__ import annotations

import re

from app.platform.extensions import db
from tests.applications_support import applicant_of, started_application


def _version(page: str) -> str:
    match = re.search(r'name="version" type="hidden" value="(\d+)"', page)
    assert match
    return match.group(1)


def test_several_countries_are_ticked_and_kept(client, sign_in):
    application = started_application()
    sign_in(applicant_of(application.organisation))
    url = f"/applications/{application.id}/sections/locations"
    page = client.get(url).get_data(as_text=True)
    assert "<select multiple" not in page and 'name="countries" multiple' not in page
    assert "Hold Ctrl" not in page
    assert 'type="checkbox" name="countries" value="NG" id="countries-NG"' in page
    assert '<legend class="h6 fw-semibold">Africa</legend>' in page
    assert 'src="/static/js/country-filter.js' in page

    response = client.post(
        url,
        data={"version": _version(page), "countries": ["NG", "NU", "FR"], "locations": "Lagos"},
    )
    assert response.status_code == 302
    db.session.refresh(application)
    assert sorted(application.countries) == ["FR", "NG", "NU"]

    again = client.get(url).get_data(as_text=True)
    for code in ("NG", "NU", "FR"):
        assert f'value="{code}" id="countries-{code}" checked' in again
    assert 'value="NE" id="countries-NE" checked' not in again


def test_regions_are_named_in_the_readers_language(client, sign_in):
    application = started_application()
    sign_in(applicant_of(application.organisation))
    page = client.get(
        f"/applications/{application.id}/sections/locations", headers={"Accept-Language": "fr"}
    ).get_data(as_text=True)
    assert '<legend class="h6 fw-semibold">Afrique</legend>' in page
    assert ">Niger</label>" in page
