"""An application in the browser: from the call page to a submitted, read-only, printable
application; the deadline; two colleagues at once; the information request; withdrawal; and
other NGOs guessing ids."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import MembershipRole, Role
from app.applications import services as applications
from app.applications.models import Application, ApplicationStatus
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.storage import get_storage
from tests.applications_support import (
    PDF,
    applicant_of,
    complete,
    fund_manager,
    ngo_organisation,
    open_call,
    started_application,
)
from tests.factories import MembershipFactory, user_with

DECLARED = {"declaration": "y"}


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).replace("&#39;", "'")
    body = body.replace("\u202f", " ").replace("\xa0", " ")
    return re.sub(r"\s+", " ", body)


def version_in(response) -> str:
    match = re.search(
        r'name="version" type="hidden" value="(\d+)"', response.get_data(as_text=True)
    )
    assert match, "the form carries no version"
    return match.group(1)


def fill_every_section(client, application_id: int) -> None:
    base = f"/applications/{application_id}/sections"

    def post(section: str, data: dict) -> None:
        page = client.get(f"{base}/{section}")
        response = client.post(f"{base}/{section}", data={"version": version_in(page), **data})
        assert response.status_code == 302, text(response)

    post(
        "summary",
        {
            "title": "Shelter for survivors",
            "summary": "We run a shelter.",
            "language": "fr",
            "duration_months": "6",
        },
    )
    post("locations", {"countries": ["NG"], "locations": "Lagos"})
    post(
        "focus",
        {
            "situations": ["armed_conflict"],
            "forms_of_exploitation": ["forced_labour"],
            "assistance_types": ["shelter", "legal_aid"],
        },
    )
    post(
        "beneficiaries",
        {
            "target_groups": ["women_and_girls"],
            "target_groups_notes": "Referred by labour inspectors.",
            "people_female_adult": "30",
            "people_female_child": "12",
            "people_male_adult": "5",
        },
    )
    post(
        "workplan",
        {
            "activities-0-description": "Open the shelter",
            "activities-0-start_month": "1",
            "activities-0-end_month": "6",
            "activities-1-description": "",
        },
    )
    post(
        "budget",
        {
            "lines-0-category": "direct_assistance",
            "lines-0-description": "Shelter nights",
            "lines-0-quantity": "100",
            "lines-0-unit_cost": "45.50",
            "lines-1-category": "personnel",
            "lines-1-description": "Case worker (months)",
            "lines-1-quantity": "6",
            "lines-1-unit_cost": "800",
            "lines-2-category": "other",
            "lines-2-description": "",
        },
    )


def attach(client, application_id: int, kind: str, data: bytes = PDF, name: str = "annex.pdf"):
    return client.post(
        f"/applications/{application_id}/attachments",
        data={"kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_an_ngo_goes_from_the_call_page_to_a_submitted_read_only_application(client, sign_in):
    call = open_call(required_documents={"proposal": 1, "budget": 1})
    organisation = ngo_organisation()
    sign_in(applicant_of(organisation))
    call_page = text(client.get(f"/calls/{call.id}"))
    assert "Start an application" in call_page
    response = client.post(
        f"/applications/start/{call.id}", data={"organisation_id": organisation.id}
    )
    application = db.session.execute(select(Application)).scalar_one()
    assert response.location.endswith(f"/applications/{application.id}/sections/summary")

    overview = text(client.get(f"/applications/{application.id}"))
    assert "Complete 0 %" in overview
    assert "Complete every section first." in overview

    fill_every_section(client, application.id)
    attach(client, application.id, "proposal", name="Annex A.pdf")
    page = text(attach(client, application.id, "budget", name="Annex B.pdf"))
    assert "Annex B.pdf attached as Budget (Annex B)." in page

    db.session.refresh(application)
    assert application.requested_amount == 9_350_00  # 100 x 45.50 + 6 x 800
    assert application.psc_amount == 1_215_50  # 13 %
    overview = text(client.get(f"/applications/{application.id}"))
    assert "Complete 100 %" in overview
    assert "USD 9,350.00" in overview and "USD 1,215.50" in overview and "USD 10,565.50" in overview

    response = client.post(
        f"/applications/{application.id}/submit", data=DECLARED, follow_redirects=True
    )
    assert "Your application is submitted." in text(response)
    db.session.refresh(application)
    assert application.status == ApplicationStatus.SUBMITTED

    # Read-only from now on: no form, and the section pages send back to the overview.
    overview = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "/submit" not in overview and "Submitted" in overview
    response = client.get(f"/applications/{application.id}/sections/summary")
    assert response.status_code == 302
    assert response.location.endswith(f"/applications/{application.id}")
    response = client.post(
        f"/applications/{application.id}/sections/summary",
        data={"version": str(application.version_id), "title": "Changed"},
    )
    db.session.refresh(application)
    assert application.title == "Shelter for survivors"

    printable = client.get(f"/applications/{application.id}/print")
    assert printable.status_code == 200
    printed = text(printable)
    assert "Shelter for survivors" in printed and "Programme support cost (13%)" in printed
    assert "<nav" not in printable.get_data(as_text=True)  # no menus on paper


def test_the_budget_page_offers_live_totals_without_inline_script(client, sign_in):
    application = started_application()
    sign_in(applicant_of(application.organisation))
    page = client.get(f"/applications/{application.id}/sections/budget").get_data(as_text=True)
    assert 'src="/static/js/applications.js?v=' in page
    assert 'data-psc-rate="0.13"' in page and 'data-max-amount="2000000"' in page
    assert "<script>" not in page


def test_a_late_submission_is_refused_with_the_deadline_named(client, sign_in, storage):
    application = started_application()
    complete(application, applicant_of(application.organisation), storage)
    application.call.closes_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    sign_in(applicant_of(application.organisation))
    response = client.post(
        f"/applications/{application.id}/submit", data=DECLARED, follow_redirects=True
    )
    assert (
        f"The deadline for this call was {application.call.closes_at:%Y-%m-%d %H:%M:%S} UTC. "
        "Applications cannot be submitted after the deadline." in text(response)
    )
    db.session.refresh(application)
    assert application.status == ApplicationStatus.DRAFT


def test_an_unverified_organisation_is_told_why_it_cannot_submit(client, sign_in, storage):
    from app.applications.models import DueDiligenceStatus

    organisation = ngo_organisation(status=DueDiligenceStatus.DOCUMENTS_SUBMITTED)
    application = started_application(organisation=organisation)
    complete(application, applicant_of(organisation), storage)
    sign_in(applicant_of(organisation))
    overview = text(client.get(f"/applications/{application.id}"))
    assert "Your organisation must be verified by the fund before you can submit." in overview
    # Said on the check page too, before the declaration is ticked (fresh eyes).
    check = text(client.get(f"/applications/{application.id}/submit"))
    assert "Your organisation must be verified by the fund before you can submit." in check
    response = client.post(
        f"/applications/{application.id}/submit", data=DECLARED, follow_redirects=True
    )
    assert "Only verified organisations can submit." in text(response)


def test_the_second_of_two_colleagues_saving_is_refused_not_overwritten(app, client, sign_in):
    application = started_application()
    owner = applicant_of(application.organisation)
    colleague = user_with(Role.APPLICANT, full_name="Bola Colleague")
    MembershipFactory(
        organisation=application.organisation, user=colleague, role=MembershipRole.MEMBER
    )
    url = f"/applications/{application.id}/sections/summary"

    sign_in(owner)
    owners_form = version_in(client.get(url))
    other = app.test_client()
    from tests.conftest import login

    login(other, colleague)
    colleagues_form = version_in(other.get(url))

    saved = other.post(
        url, data={"version": colleagues_form, "title": "Colleague's title", "summary": "theirs"}
    )
    assert saved.status_code == 302
    refused = client.post(
        url, data={"version": owners_form, "title": "Owner's title", "summary": "mine"}
    )
    assert refused.status_code == 409
    page = text(refused)
    assert "Your changes were not saved" in page
    assert "Bola Colleague saved this application after you opened it" in page
    # What they typed is still on screen, to copy into the latest version.
    assert 'value="Owner&#39;s title"' in refused.get_data(as_text=True)
    db.session.refresh(application)
    assert application.title == "Colleague's title"


def test_the_information_request_round_trip_in_the_browser(client, sign_in, storage):
    application = started_application()
    applicant = applicant_of(application.organisation)
    complete(application, applicant, storage)
    applications.submit_application(actor=applicant, application=application)
    manager = fund_manager()

    sign_in(manager)
    client.post(
        f"/applications/{application.id}/request-information",
        data={"body": "Is the shelter licensed by the authorities?"},
    )
    db.session.refresh(application)
    assert application.status == ApplicationStatus.INFO_REQUESTED
    client.post("/logout")

    sign_in(applicant)
    page = text(client.get(f"/applications/{application.id}"))
    assert "The fund has asked for more information." in page
    assert "Is the shelter licensed by the authorities?" in page
    refused = client.post(
        f"/applications/{application.id}/submit", data=DECLARED, follow_redirects=True
    )
    assert "Answer the fund's request for information before you resubmit." in text(refused)
    client.post(f"/applications/{application.id}/reply", data={"body": "Yes: licence 42."})
    response = client.post(
        f"/applications/{application.id}/submit", data=DECLARED, follow_redirects=True
    )
    assert "Your application is submitted again." in text(response)
    db.session.refresh(application)
    assert application.status == ApplicationStatus.SUBMITTED
    thread = text(client.get(f"/applications/{application.id}"))
    assert "Yes: licence 42." in thread


def test_an_ngo_withdraws_its_submitted_application(client, sign_in, storage):
    application = started_application()
    applicant = applicant_of(application.organisation)
    complete(application, applicant, storage)
    applications.submit_application(actor=applicant, application=application)
    sign_in(applicant)
    response = client.post(
        f"/applications/{application.id}/withdraw",
        data={"reason": "Funded by another donor"},
        follow_redirects=True,
    )
    assert "Your application is withdrawn." in text(response)
    db.session.refresh(application)
    assert application.status == ApplicationStatus.WITHDRAWN
    assert "Withdraw the application" not in text(client.get(f"/applications/{application.id}"))


def test_attachments_are_checked_like_every_upload(client, sign_in):
    application = started_application()
    sign_in(applicant_of(application.organisation))
    refused = attach(client, application.id, "proposal", b"<html>hi</html>", "proposal.pdf")
    assert refused.status_code == 422
    # Said next to the file field, on the page the file was chosen on.
    error = refused.get_data(as_text=True).split('id="file-error"', 1)[1].split("</div>", 1)[0]
    assert "proposal.pdf was not uploaded: This file is not one we accept" in error
    wrong_kind = attach(client, application.id, "registration_certificate")
    assert wrong_kind.status_code == 422  # not a kind an application takes: the form refuses it
    assert 'id="kind-error"' in wrong_kind.get_data(as_text=True)
    db.session.expire_all()
    assert application.documents == []


def test_an_ngo_guessing_another_ngos_ids_gets_not_found(client, sign_in, storage):
    victim = started_application()
    complete(victim, applicant_of(victim.organisation), storage)
    document = victim.documents[0]
    intruder = ngo_organisation(name="Intruder", registration_number="X-1")
    sign_in(applicant_of(intruder))
    for url in (
        f"/applications/{victim.id}",
        f"/applications/{victim.id}/print",
        f"/applications/{victim.id}/sections/summary",
        f"/applications/{victim.id}/sections/attachments",
        f"/applications/documents/{document.id}",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/applications/{victim.id}/sections/summary",
        f"/applications/{victim.id}/attachments",
        f"/applications/{victim.id}/attachments/{document.id}/remove",
        f"/applications/{victim.id}/submit",
        f"/applications/{victim.id}/withdraw",
        f"/applications/{victim.id}/reply",
    ):
        assert client.post(url, data={"title": "hacked"}).status_code == 404, url
    db.session.refresh(victim)
    assert victim.title == "Shelter for survivors"
    assert victim.status == ApplicationStatus.DRAFT
    assert get_storage().path_of(document.storage_key) is not None


def test_the_fund_lists_every_application_and_an_ngo_only_its_own(client, sign_in):
    mine = started_application()
    theirs = started_application(
        call=mine.call, organisation=ngo_organisation(name="Other NGO", registration_number="Z")
    )
    applications.save_section(
        actor=applicant_of(theirs.organisation),
        application=theirs,
        data=applications.SummaryData("Their secret project", "x", "en", 3),
        expected_version=None,
    )
    sign_in(applicant_of(mine.organisation))
    assert "Their secret project" not in text(client.get("/applications/"))
    assert client.get("/applications/all").status_code == 403
    client.post("/logout")
    sign_in(fund_manager())
    listing = text(client.get(f"/applications/all?call_id={mine.call_id}"))
    assert "Their secret project" in listing and "Other NGO" in listing


@pytest.mark.parametrize("role", [Role.DONOR, Role.REVIEWER, Role.FINANCE, Role.ADMIN])
def test_other_staff_and_donors_cannot_read_applications(client, sign_in, role):
    application = started_application()
    sign_in(user_with(role))
    assert client.get(f"/applications/{application.id}").status_code == 404


def test_the_applicant_checks_the_answers_and_ticks_the_declaration_before_sending(
    client, sign_in, storage
):
    application = started_application()
    complete(application, applicant_of(application.organisation), storage)
    sign_in(applicant_of(application.organisation))
    overview = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert f'href="/applications/{application.id}/submit"' in overview

    check = client.get(f"/applications/{application.id}/submit")
    page = check.get_data(as_text=True)
    assert check.status_code == 200
    assert "Check your answers before you submit" in page
    for name in ("summary", "locations", "budget", "attachments"):
        assert f'href="/applications/{application.id}/sections/{name}">Change<' in page
    assert re.search(r'<input[^>]*id="declaration"[^>]*type="checkbox"', page)

    refused = client.post(f"/applications/{application.id}/submit", data={})
    assert refused.status_code == 422
    words = text(refused)
    assert "There is a problem" in words
    assert words.count("Confirm the declaration to submit the application.") == 2
    db.session.refresh(application)
    assert application.status == ApplicationStatus.DRAFT

    sent = client.post(f"/applications/{application.id}/submit", data=DECLARED)
    assert sent.status_code == 302
    db.session.refresh(application)
    assert application.status == ApplicationStatus.SUBMITTED
    # Once sent, the check page sends back to the application.
    assert client.get(f"/applications/{application.id}/submit").status_code == 302
