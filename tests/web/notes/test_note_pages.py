"""Internal notes on the pages: staff add and read them on the record's page; the NGO or donor
the record belongs to never sees one, on any page, export or API they can reach."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from app.accounts.models import Role
from app.donations import services as donations
from app.notes import services as notes
from app.platform.db import utcnow
from tests.applications_support import applicant_of
from tests.donations_support import finance_user, institutional_donor
from tests.factories import user_with
from tests.grants_support import USD, active_grant, fund

SECRET = "Zebra-secret-remark"


def _pages_of(app: Flask, ids: dict[str, int]) -> list[str]:
    """Every GET address of the app, with the given records' ids filled in (others: nonsense)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in (rule.methods or set()):
            continue
        values: dict[str, Any] = {}
        for name, converter in rule._converters.items():
            kind = type(converter).__name__.replace("Converter", "").lower()
            values[name] = ids.get(name, {"integer": 999999}.get(kind, "sample"))
        urls.append(rule.build(values, append_unknown=False)[1])
    return urls


def _walk(app: Flask, client: Any, ids: dict[str, int]) -> list[str]:
    seen = []
    for url in _pages_of(app, ids):
        if url.startswith("/auth/logout"):
            continue
        response = client.get(url)
        if response.status_code == 200:
            seen.append(url)
            assert SECRET not in response.get_data(as_text=True), url
    return seen


@pytest.fixture
def grant():
    fund(200_000 * USD)
    return active_grant()


def test_staff_add_a_note_on_the_application_page_and_a_colleague_is_told(client, sign_in, grant):
    application = grant.application
    manager = user_with(Role.FUND_MANAGER, full_name="Ann Manager")
    colleague = user_with(Role.FUND_MANAGER, full_name="Bob Colleague")
    sign_in(manager)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Internal notes" in page and "Bob Colleague" in page
    response = client.post(
        f"/notes/application/{application.id}",
        data={"note-body": f"<b>{SECRET}</b> @Bob Colleague"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/applications/{application.id}#internal-notes")
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert f"&lt;b&gt;{SECRET}&lt;/b&gt;" in page and "Ann Manager" in page
    sign_in(colleague)
    assert "mentioned you in an internal note" in client.get("/notifications/").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("subject", "endpoint"),
    [
        ("organisation", "/organisations/{}"),
        ("grant", "/grants/{}"),
    ],
)
def test_notes_show_on_organisation_and_grant_pages(client, sign_in, grant, subject, endpoint):
    record = grant.organisation if subject == "organisation" else grant
    notes.add_note(actor=user_with(Role.FUND_MANAGER), record=record, body=SECRET)
    for role in (Role.FUND_MANAGER, Role.AUDITOR):
        sign_in(user_with(role))
        assert SECRET in client.get(endpoint.format(record.id)).get_data(as_text=True)
    sign_in(user_with(Role.AUDITOR))
    # Auditors read the notes; they do not add any.
    assert "Add the note" not in client.get(endpoint.format(record.id)).get_data(as_text=True)
    assert client.post(f"/notes/{subject}/{record.id}", data={"note-body": "x"}).status_code == 403


def test_the_ngo_never_sees_a_note_on_any_page_export_or_api(app, client, sign_in, grant):
    staff = user_with(Role.FUND_MANAGER)
    for record in (grant, grant.application, grant.organisation):
        notes.add_note(actor=staff, record=record, body=f"{SECRET} on {type(record).__name__}")
    sign_in(applicant_of(grant.organisation))
    seen = _walk(
        app,
        client,
        {
            "grant_id": grant.id,
            "application_id": grant.application.id,
            "organisation_id": grant.organisation.id,
        },
    )
    # The walk did reach the NGO's own pages, where the notes would be.
    assert f"/applications/{grant.application.id}" in seen
    assert f"/grants/{grant.id}" in seen
    assert f"/organisations/{grant.organisation.id}" in seen


def test_the_donor_never_sees_a_note_on_their_pledge(app, client, sign_in):
    donor_user = user_with(Role.DONOR)
    donor = institutional_donor()
    donor.user_id = donor_user.id
    pledge = donations.make_pledge(
        actor=finance_user(), donor=donor, amount=5_00, currency="USD", year=utcnow().year
    )
    finance = finance_user()
    notes.add_note(actor=finance, record=pledge, body=SECRET)
    sign_in(finance)
    assert SECRET in client.get(f"/pledges/{pledge.id}").get_data(as_text=True)
    sign_in(donor_user)
    seen = _walk(app, client, {"pledge_id": pledge.id})
    assert f"/pledges/{pledge.id}" in seen


def test_a_note_to_a_record_the_writer_may_not_see_is_not_found(client, sign_in, grant):
    sign_in(user_with(Role.FINANCE))  # finance does not open organisations' files
    response = client.post(
        f"/notes/organisation/{grant.organisation.id}", data={"note-body": SECRET}
    )
    assert response.status_code == 404
    assert client.post("/notes/call/1", data={"note-body": SECRET}).status_code == 404
