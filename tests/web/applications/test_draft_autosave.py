"""Drafts saved while the NGO types (drafts.js posts the section with ``X-Autosave: 1``): the
same checks and service as the Save button, answered in JSON; rows added in the page are saved
like the rows the server drew."""

from __future__ import annotations

import re

from app.accounts.models import MembershipRole, Role
from app.applications.models import ApplicationStatus
from app.platform.extensions import db
from tests.applications_support import applicant_of, started_application
from tests.factories import MembershipFactory, user_with

AUTOSAVE = {"X-Autosave": "1", "Accept": "application/json"}


def version_in(response) -> str:
    match = re.search(
        r'name="version" type="hidden" value="(\d+)"', response.get_data(as_text=True)
    )
    assert match, "the form carries no version"
    return match.group(1)


def test_a_section_is_saved_as_the_applicant_types_and_the_form_keeps_the_new_version(
    client, sign_in
):
    application = started_application()
    sign_in(applicant_of(application.organisation))
    url = f"/applications/{application.id}/sections/summary"
    version = version_in(client.get(url))

    first = client.post(
        url, headers=AUTOSAVE, data={"version": version, "title": "Safe house", "summary": "x"}
    )
    assert first.status_code == 200
    assert first.json["saved"] is True
    assert first.json["message"].startswith("Draft saved automatically at ")
    db.session.refresh(application)
    assert application.title == "Safe house"
    assert first.json["version"] == str(application.version_id) != version

    # The next autosave (or the Save button) carries the version the answer gave.
    second = client.post(
        url,
        headers=AUTOSAVE,
        data={"version": first.json["version"], "title": "Safe house Lagos", "summary": "x"},
    )
    assert second.json["saved"] is True
    db.session.refresh(application)
    assert application.title == "Safe house Lagos"


def test_a_draft_with_a_mistake_is_not_saved_automatically_and_says_so(client, sign_in):
    application = started_application()
    sign_in(applicant_of(application.organisation))
    url = f"/applications/{application.id}/sections/summary"
    version = version_in(client.get(url))

    answer = client.post(
        url,
        headers=AUTOSAVE,
        data={"version": version, "title": "Kept?", "summary": "x", "duration_months": "7,5"},
    )
    assert answer.status_code == 200  # an outcome drafts.js reports, not an error
    assert answer.json == {
        "saved": False,
        "message": "Not saved automatically: some answers need correcting. Save to see which.",
        "stop": False,
    }
    db.session.refresh(application)
    assert application.title != "Kept?"


def test_a_colleagues_save_stops_autosave_instead_of_overwriting(app, client, sign_in):
    application = started_application()
    colleague = user_with(Role.APPLICANT, full_name="Bola Colleague")
    MembershipFactory(
        organisation=application.organisation, user=colleague, role=MembershipRole.MEMBER
    )
    url = f"/applications/{application.id}/sections/summary"
    sign_in(applicant_of(application.organisation))
    mine = version_in(client.get(url))

    from tests.conftest import login

    other = app.test_client()
    login(other, colleague)
    theirs = version_in(other.get(url))
    assert (
        other.post(url, data={"version": theirs, "title": "Theirs", "summary": "t"}).status_code
        == 302
    )

    answer = client.post(url, headers=AUTOSAVE, data={"version": mine, "title": "Mine"})
    assert answer.json["saved"] is False and answer.json["stop"] is True
    assert "Bola Colleague saved this application after you opened it" in answer.json["message"]
    db.session.refresh(application)
    assert application.title == "Theirs"


def test_a_submitted_application_is_not_changed_by_a_late_autosave(client, sign_in):
    application = started_application()
    sign_in(applicant_of(application.organisation))
    url = f"/applications/{application.id}/sections/summary"
    version = version_in(client.get(url))
    application.status = ApplicationStatus.SUBMITTED
    db.session.flush()

    answer = client.post(url, headers=AUTOSAVE, data={"version": version, "title": "Late"})
    assert answer.json == {
        "saved": False,
        "message": "This application can no longer be changed.",
        "stop": True,
    }
    db.session.refresh(application)
    assert application.title != "Late"


def test_budget_lines_added_in_the_page_are_all_saved(client, sign_in):
    application = started_application()
    sign_in(applicant_of(application.organisation))
    url = f"/applications/{application.id}/sections/budget"
    page = client.get(url)
    body = page.get_data(as_text=True)
    # The button is drawn hidden and shown by drafts.js; without it, saving gives more rows.
    assert 'data-add-row="budget-lines"' in body and 'id="budget-rows-hint"' in body
    assert 'src="/static/js/drafts.js?v=' in body

    lines = {}
    for index in range(5):  # three rows drawn by the server, two added in the page
        lines |= {
            f"lines-{index}-category": "personnel",
            f"lines-{index}-description": f"Item {index + 1}",
            f"lines-{index}-quantity": "2",
            f"lines-{index}-unit_cost": "10.50",
        }
    answer = client.post(url, headers=AUTOSAVE, data={"version": version_in(page), **lines})
    assert answer.json["saved"] is True, answer.json
    db.session.refresh(application)
    assert [line.description for line in application.budget_lines] == [
        f"Item {n}" for n in range(1, 6)
    ]
    assert application.requested_amount == 5 * 2 * 10_50
