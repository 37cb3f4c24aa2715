"""Numbers far beyond any real one, typed into every whole-number field an outsider can reach:
a sentence next to the field and nothing saved, never a database overflow (a 500)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.applications.models import OrganisationProfile
from app.donations.models import Pledge
from app.platform.extensions import db
from tests.applications_support import applicant_of, started_application
from tests.factories import user_with

HUGE = "9" * 400


def _version(page: str) -> str:
    return re.search(r'name="version" type="hidden" value="(\d+)"', page)[1]


@pytest.mark.parametrize(
    ("section", "fields"),
    [
        ("summary", {"title": "Shelter", "duration_months": HUGE}),
        (
            "budget",
            {
                "lines-0-category": "other",
                "lines-0-description": "Rent",
                "lines-0-quantity": HUGE,
                "lines-0-unit_cost": "100",
                "lines-1-category": "other",
                "lines-2-category": "other",
            },
        ),
        ("workplan", {"activities-0-description": "Outreach", "activities-0-start_month": HUGE}),
        ("beneficiaries", {"people_female_adult": HUGE}),
    ],
)
def test_an_application_section_refuses_a_400_digit_number(client, sign_in, section, fields):
    application = started_application()
    sign_in(applicant_of(application.organisation))
    url = f"/applications/{application.id}/sections/{section}"
    version = _version(client.get(url).get_data(as_text=True))
    before = application.version_id
    response = client.post(url, data={"version": version, **fields})
    assert response.status_code == 200  # the form again, with the sentence
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    db.session.refresh(application)
    assert application.version_id == before


def _year_assisting_since(organisation_id: int) -> int | None:
    return db.session.execute(
        select(OrganisationProfile.assistance_since_year).where(
            OrganisationProfile.organisation_id == organisation_id
        )
    ).scalar_one_or_none()


def test_the_organisation_profile_refuses_a_400_digit_year(client, sign_in):
    application = started_application()
    organisation = application.organisation
    sign_in(applicant_of(organisation))
    before = _year_assisting_since(organisation.id)
    response = client.post(
        f"/organisations/{organisation.id}/edit",
        data={"name": organisation.name, "assistance_since_year": HUGE},
    )
    assert response.status_code == 200  # the form again, with the sentence
    assert 'id="assistance_since_year-error"' in response.get_data(as_text=True)
    assert _year_assisting_since(organisation.id) == before


def test_a_pledge_refuses_a_400_digit_year(client, sign_in):
    sign_in(user_with(Role.DONOR))
    response = client.post(
        "/pledges/new",
        data={"on_behalf_of": "self", "amount": "100", "currency": "USD", "year": HUGE},
    )
    assert response.status_code == 200
    assert 'id="year-error"' in response.get_data(as_text=True)
    assert db.session.execute(select(func.count()).select_from(Pledge)).scalar_one() == 0
