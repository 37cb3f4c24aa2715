"""The first-steps banner: on every page of a first-time NGO, on none of anyone else's."""

from __future__ import annotations

from app.accounts.models import Role
from app.applications.models import DueDiligenceStatus
from app.platform.extensions import db
from tests.applications_support import applicant_of, fund_manager, ngo_organisation
from tests.factories import user_with

TITLE = "Your first application, step by step"


def test_a_new_ngo_member_sees_where_they_stand_on_every_page(sign_in):
    client = sign_in(user_with(Role.APPLICANT))
    db.session.commit()
    for path in ("/", "/notifications/"):
        page = client.get(path).get_data(as_text=True)
        assert TITLE in page, path
        assert 'aria-current="step"' in page
        assert "/organisations/register" in page
        # One line where it stands; the whole way is folded under it.
        assert "<summary>Step 1 of 5: Register your organisation</summary>" in page


def test_the_next_step_links_to_the_organisation_file(sign_in):
    organisation = ngo_organisation(status=DueDiligenceStatus.REGISTERED)
    client = sign_in(applicant_of(organisation))
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert f"/organisations/{organisation.id}" in page


def test_staff_see_no_banner(sign_in):
    client = sign_in(fund_manager())
    db.session.commit()
    assert TITLE not in client.get("/").get_data(as_text=True)
