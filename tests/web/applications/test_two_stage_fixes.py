"""What a user tester found on two-stage calls (decision 0115), fixed: the concept-note form shows
every error at once next to its field, keeping what was typed."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.applications.models import Application
from app.calls.models import Call
from app.platform.extensions import db
from tests.applications_support import applicant_of, fund_manager, ngo_organisation
from tests.two_stage_support import started, two_stage_call
from tests.web.calls.test_call_pages import call_form


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).replace("&#39;", "'")
    return re.sub(r"\s+", " ", body.replace("\u202f", " ").replace("\xa0", " "))


def test_the_concept_note_form_reports_every_error_at_once_next_to_its_field(client, sign_in):
    application = started(two_stage_call())
    sign_in(applicant_of(application.organisation))
    response = client.post(
        f"/applications/{application.id}/concept-note",
        data={
            "title": "Shelter kept as typed",
            "summary": "",
            "countries": ["NG"],
            "indicative_amount": "99999999",
            "send": "y",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    shown = text(response)
    assert "The indicative amount is more than this call" in shown
    assert "Summarise the idea of the project." in shown
    assert "Choose at least one form of exploitation addressed." in shown
    for field in ("summary", "forms_of_exploitation", "indicative_amount"):
        assert f'id="{field}-error"' in page, field
    assert 'value="Shelter kept as typed"' in page
    db.session.refresh(application)
    assert application.concept_note is None  # nothing saved
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 1


def test_a_concept_deadline_after_the_full_proposal_deadline_is_said_next_to_the_field(
    client, sign_in
):
    sign_in(fund_manager())
    response = client.post(
        "/calls/new", data=call_form(two_stage="y", concept_closes_at="2030-04-10T12:00")
    )
    page = response.get_data(as_text=True)
    assert 'id="concept_closes_at-error"' in page
    assert 'href="#concept_closes_at"' in page  # the error summary links to the field
    assert re.search(
        r'id="concept_closes_at"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="concept_closes_at"',
        page,
    )
    assert db.session.execute(sa.select(Call)).first() is None


def test_publishing_a_call_without_a_description_leads_to_its_editor_with_the_reason(
    client, sign_in
):
    from tests.questions_support import draft_call

    manager = fund_manager()
    call = draft_call(manager, description={})
    sign_in(manager)
    response = client.post(f"/calls/{call.id}/publish")
    assert response.status_code == 302
    assert response.location.endswith(f"/calls/{call.id}/edit")
    editor = client.get(response.location)
    assert editor.status_code == 200
    assert text(editor).count("Describe the call.") >= 1
    assert "Go to the home page" not in text(editor)
    db.session.refresh(call)
    assert call.status.value == "draft"


def test_a_waiting_or_declined_concept_note_names_the_application_and_its_stage(client, sign_in):
    from app.applications.services.concepts import decline_concept_note
    from tests.two_stage_support import sent_concept

    call = two_stage_call()
    waiting = sent_concept(call)
    declined = sent_concept(call, ngo_organisation(name="Second NGO", registration_number="RC-2"))
    decline_concept_note(actor=fund_manager(), application=declined, reason="Out of scope.")
    for application, status in (
        (waiting, "Concept note waiting for the fund's answer"),
        (declined, "Concept note not retained"),
    ):
        sign_in(applicant_of(application.organisation))
        shown = text(client.get(f"/applications/{application.id}"))
        assert "Safe shelter in Lagos" in shown and "Untitled application" not in shown
        assert status in shown
        listed = text(client.get("/applications/"))
        assert "Safe shelter in Lagos" in listed and status in listed
        assert "Draft" not in listed
        on_call = text(client.get(f"/calls/{call.id}"))
        assert f"Your organisation has an application to this call: {status}." in on_call


def test_checking_an_uninvited_full_proposal_says_it_waits_for_the_invitation(client, sign_in):
    from tests.two_stage_support import sent_concept

    application = sent_concept(two_stage_call())
    sign_in(applicant_of(application.organisation))
    shown = text(client.get(f"/applications/{application.id}/submit", follow_redirects=True))
    assert "Your concept note is waiting for the fund's answer" in shown
    assert "can no longer be changed" not in shown
    refused = text(
        client.post(
            f"/applications/{application.id}/submit",
            data={"declaration": "y"},
            follow_redirects=True,
        )
    )
    assert "your organisation is not yet invited" in refused


def test_the_stage_text_and_the_nearer_deadline_fit_the_state(client, sign_in):
    from app.applications.models import ApplicationStatus
    from app.applications.services.concepts import invite_full_proposal
    from tests.two_stage_support import sent_concept

    call = two_stage_call()  # concept notes due in 5 days, full proposals in 20
    application = sent_concept(call)
    invite_full_proposal(actor=fund_manager(), application=application)
    sign_in(applicant_of(application.organisation))
    invited = text(client.get(f"/applications/{application.id}"))
    assert "The fund invites a full proposal. Complete every section" in invited
    application.status = ApplicationStatus.SUBMITTED  # as if sent (the page is what is tested)
    db.session.flush()
    sent = text(client.get(f"/applications/{application.id}"))
    assert "Complete every section" not in sent
    assert "Stage 1 is complete: the fund invited a full proposal" in sent
    public = text(client.get(f"/calls/{call.id}"))
    assert "concept notes close in 4 days" in public or "concept notes close in 5 days" in public


def test_declining_without_a_reason_is_said_next_to_the_reason(client, sign_in):
    from app.applications.models import ConceptStatus
    from tests.two_stage_support import sent_concept

    application = sent_concept(two_stage_call())
    sign_in(fund_manager())
    refused = client.post(f"/applications/{application.id}/concept-note/decline", data={})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="reason-error"' in page
    assert "Say why the concept note is declined." in text(refused)
    db.session.refresh(application)
    assert application.concept_note.status == ConceptStatus.SUBMITTED


def test_the_fund_manager_finds_concept_notes_in_the_menu(client, sign_in):
    sign_in(fund_manager())
    home = client.get("/").get_data(as_text=True)
    assert 'href="/applications/concept-notes"' in home
