"""Names people type are shown back escaped: markup in an organisation's name, a person's name,
a project title or a donor's name never becomes part of the page (stored XSS), for the NGO, the
fund or the public."""

from __future__ import annotations

from markupsafe import escape

from app.accounts.models import Role
from app.applications import services as applications
from app.applications.models import DueDiligenceStatus
from app.donations.memory_gateway import MemoryGateway
from tests.applications_support import fund_manager, ngo_organisation, started_application
from tests.donations_support import start_and_confirm
from tests.factories import user_with
from tests.reporting_support import succeed

ORGANISATION = "<script>alert('org')</script> Haven"
PERSON = '<img src=x onerror="alert(1)"> Amina'
TITLE = "<svg onload=alert(2)> Shelter"
DONOR = "<iframe src=//evil.example></iframe> Giver"


def _hostile_application():
    applicant = user_with(Role.APPLICANT, full_name=PERSON)
    organisation = ngo_organisation(
        applicant, name=ORGANISATION, status=DueDiligenceStatus.REGISTERED
    )
    application = started_application(organisation=organisation)
    applications.save_section(
        actor=applicant,
        application=application,
        data=applications.SummaryData(TITLE, "<b>bold</b> plan", "en", 6),
        expected_version=None,
    )
    return applicant, organisation, application


def _assert_escaped(response, *hostile: str) -> None:
    assert response.status_code == 200, response.request.path
    page = response.get_data(as_text=True)
    for value in hostile:
        assert value not in page, response.request.path  # never as markup
        assert str(escape(value)) in page, response.request.path  # shown, as text


def test_the_ngo_sees_its_own_markup_as_text(client, sign_in):
    applicant, organisation, application = _hostile_application()
    sign_in(applicant)
    _assert_escaped(client.get(f"/organisations/{organisation.id}"), ORGANISATION)
    _assert_escaped(client.get(f"/applications/{application.id}"), TITLE, ORGANISATION)
    _assert_escaped(client.get("/applications/"), TITLE)
    _assert_escaped(client.get(f"/applications/{application.id}/print"), TITLE, ORGANISATION)
    _assert_escaped(client.get("/account/"), PERSON)


def test_the_fund_sees_an_ngos_markup_as_text(client, sign_in):
    applicant, organisation, application = _hostile_application()
    sign_in(fund_manager())
    _assert_escaped(client.get("/organisations/"), ORGANISATION)
    _assert_escaped(client.get(f"/organisations/{organisation.id}"), ORGANISATION, PERSON)
    _assert_escaped(
        client.get(f"/applications/all?call_id={application.call_id}"), TITLE, ORGANISATION
    )
    _assert_escaped(client.get(f"/applications/{application.id}"), TITLE, ORGANISATION)
    client.post("/logout")
    sign_in(user_with(Role.ADMIN))
    _assert_escaped(client.get("/admin/users"), PERSON)
    _assert_escaped(client.get(f"/admin/users/{applicant.id}"), PERSON)


def test_the_public_sees_a_donors_markup_as_text(client):
    gateway = MemoryGateway()
    succeed(gateway, start_and_confirm(gateway, amount=50_00, name=DONOR, public=True))
    _assert_escaped(client.get("/donors"), DONOR)
    _assert_escaped(client.get("/transparency"), DONOR)
