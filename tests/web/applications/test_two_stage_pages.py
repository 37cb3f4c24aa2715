"""Two-stage calls in the browser (decision 0115): the fund manager sets the concept deadline in
the call editor; a French-speaking NGO writes and sends its concept note; the fund screens the
call's concept notes, invites one from the application's page and declines others at once; the
NGO is e-mailed in French and reads the answer on its application's page; and the page refuses
a full proposal the fund did not invite."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa

from app.accounts.models import Role
from app.applications.models import Application, ApplicationStatus, ConceptStatus
from app.calls.models import Call
from app.outbox.models import OutboxMessage
from app.platform.extensions import db
from tests.applications_support import applicant_of, fund_manager, ngo_organisation
from tests.factories import user_with
from tests.two_stage_support import complete_anyway, sent_concept, started, two_stage_call
from tests.web.auth.helpers import audit_actions
from tests.web.calls.test_call_pages import call_form

DECLARED = {"declaration": "y"}


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).replace("&#39;", "'")
    body = body.replace("\u202f", " ").replace("\xa0", " ")
    return re.sub(r"\s+", " ", body)


def test_the_call_editor_sets_two_stages_with_a_concept_deadline(client, sign_in):
    sign_in(fund_manager())
    response = client.post(
        "/calls/new", data=call_form(two_stage="y", concept_closes_at="2030-03-10T12:00")
    )
    assert response.status_code == 302, text(response)
    call = db.session.execute(sa.select(Call).where(Call.reference == "SGP1-2030")).scalar_one()
    # Read in the call's zone (Vienna, winter: UTC+1).
    assert call.concept_closes_at == datetime(2030, 3, 10, 11, 0, tzinfo=UTC)
    page = client.get(f"/calls/{call.id}/edit").get_data(as_text=True)
    assert 'value="2030-03-10T12:00"' in page
    shown = text(client.get(f"/calls/{call.id}"))
    assert "Concept notes due by: 10 Mar 2030" in shown or "Concept notes due by:" in shown
    assert "Full proposals, on the fund's invitation, by:" in shown
    listed = client.get(f"/applications/all?call_id={call.id}").get_data(as_text=True)
    assert f"/applications/concept-notes?call_id={call.id}" in listed


def test_two_stages_without_a_concept_deadline_is_refused_next_to_the_field(client, sign_in):
    sign_in(fund_manager())
    response = client.post("/calls/new", data=call_form(two_stage="y"))
    assert response.status_code == 200
    assert "Give the concept-note deadline of a two-stage call." in text(response)
    response = client.post(
        "/calls/new", data=call_form(two_stage="y", concept_closes_at="2030-04-10T12:00")
    )
    assert "The concept-note deadline must fall after the call opens" in text(response)
    assert db.session.execute(sa.select(Call)).first() is None
    # Unticked, the date is ignored: a single-stage call as before.
    client.post("/calls/new", data=call_form(concept_closes_at="2030-03-10T12:00"))
    call = db.session.execute(sa.select(Call)).scalar_one()
    assert call.concept_closes_at is None


def test_a_french_ngo_sends_a_concept_note_and_reads_the_funds_answer(client, sign_in):
    call = two_stage_call()
    owner = user_with(Role.APPLICANT, locale="fr", email="amina@example.org")
    organisation = ngo_organisation(owner)
    sign_in(owner)
    response = client.post(
        f"/applications/start/{call.id}", data={"organisation_id": organisation.id}
    )
    application = db.session.execute(sa.select(Application)).scalar_one()
    assert response.location.endswith(f"/applications/{application.id}/concept-note")
    page = client.get(f"/applications/{application.id}/concept-note")
    assert page.status_code == 200 and 'lang="fr"' in page.get_data(as_text=True)

    note = {
        "title": "Refuge à Lagos",
        "summary": "Des femmes sorties du travail forcé ont besoin d'un abri et d'aide juridique.",
        "countries": ["NG"],
        "forms_of_exploitation": ["forced_labour"],
        "indicative_amount": "15000",
    }
    too_long = client.post(
        f"/applications/{application.id}/concept-note",
        data={**note, "summary": "mot " * 501, "save": "y"},
    )
    assert too_long.status_code == 422
    assert "501" in text(too_long)
    saved = client.post(f"/applications/{application.id}/concept-note", data={**note, "save": "y"})
    assert saved.status_code == 302
    # Before the invitation the full proposal cannot be sent from the page.
    refused = client.post(
        f"/applications/{application.id}/submit", data=DECLARED, follow_redirects=True
    )
    assert "Cet appel comporte deux" in text(refused)  # two stages: not invited yet
    sent = client.post(f"/applications/{application.id}/concept-note", data={**note, "send": "y"})
    assert sent.status_code == 302
    db.session.refresh(application)
    assert application.concept_note.status == ConceptStatus.SUBMITTED
    assert application.concept_note.indicative_amount == 15_000_00
    # Sent: the page no longer offers the form.
    again = client.get(f"/applications/{application.id}/concept-note")
    assert again.status_code == 302

    # The fund screens the call's concept notes and invites this one.
    manager = fund_manager()
    sign_in(manager)
    listed = text(client.get(f"/applications/concept-notes?call_id={call.id}"))
    assert "Refuge à Lagos" in listed and "1 concept note matches" in listed
    shown = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert f"/applications/{application.id}/concept-note/invite" in shown
    client.post(f"/applications/{application.id}/concept-note/invite")
    db.session.refresh(application)
    assert application.concept_note.status == ConceptStatus.INVITED
    assert "concept_note.invited" in audit_actions(subject_id=application.id)

    # The NGO is told by e-mail, in French (the case itself stays out of the e-mail).
    mail = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == "amina@example.org")
    ).scalar_one()
    assert "connectez-vous" in mail.body and application.reference in mail.body
    assert "Lagos" not in mail.body

    sign_in(owner)
    page = text(client.get(f"/applications/{application.id}"))
    assert "Refuge à Lagos" in page
    assert f"/applications/{application.id}/sections/summary" in client.get(
        f"/applications/{application.id}"
    ).get_data(as_text=True)


def test_the_fund_declines_several_at_once_and_each_ngo_reads_why(client, sign_in):
    call = two_stage_call()
    first = sent_concept(call)
    second = sent_concept(call, ngo_organisation(name="Second NGO", registration_number="RC-2"))
    draft = started(call, ngo_organisation(name="Drafting NGO", registration_number="RC-3"))
    sign_in(fund_manager())
    listed = client.get(f"/applications/concept-notes?call_id={call.id}").get_data(as_text=True)
    assert "/applications/bulk/concept-notes" in listed
    # A draft is not the fund's to see (its id may equal the call's, in the call filter).
    assert f'name="ids" value="{draft.id}"' not in listed
    assert f'name="ids" value="{first.id}"' in listed
    reason = "The call funds shelters only."
    ids = [str(first.id), str(second.id), str(draft.id)]
    preview = client.post(
        "/applications/bulk/concept-notes",
        data={"ids": ids, "outcome": "decline", "reason": reason, "preview": "1"},
    )
    assert preview.status_code == 200
    db.session.refresh(first)
    assert first.concept_note.status == ConceptStatus.SUBMITTED  # the preview wrote nothing
    done = client.post(
        "/applications/bulk/concept-notes/confirm",
        data={"ids": ids, "outcome": "decline", "reason": reason},
    )
    assert done.status_code == 200
    for application in (first, second):
        db.session.refresh(application)
        assert application.concept_note.status == ConceptStatus.DECLINED
        assert application.concept_note.decline_reason == reason
    assert "This application has no concept note yet." in text(done)

    sign_in(applicant_of(first.organisation))
    page = text(client.get(f"/applications/{first.id}"))
    assert reason in page
    assert "no full proposal can be sent" in page


def test_declining_without_a_reason_is_refused(client, sign_in):
    application = sent_concept(two_stage_call())
    sign_in(fund_manager())
    answer = client.post(
        f"/applications/{application.id}/concept-note/decline",
        data={"reason": ""},
        follow_redirects=True,
    )
    assert "Say why the concept note is declined." in text(answer)
    db.session.refresh(application)
    assert application.concept_note.status == ConceptStatus.SUBMITTED


def test_the_page_refuses_an_uninvited_full_proposal(client, sign_in, storage):
    application = sent_concept(two_stage_call())
    complete_anyway(application, storage)
    sign_in(applicant_of(application.organisation))
    response = client.post(
        f"/applications/{application.id}/submit", data=DECLARED, follow_redirects=True
    )
    assert "has invited it, on its concept note" in text(response)
    db.session.refresh(application)
    assert application.status == ApplicationStatus.DRAFT


def test_only_the_fund_screens_concept_notes(client, sign_in):
    application = sent_concept(two_stage_call())
    for role in (Role.APPLICANT, Role.REVIEWER, Role.FINANCE, Role.AUDITOR):
        sign_in(user_with(role))
        assert client.get("/applications/concept-notes").status_code == 403
        assert client.post(f"/applications/{application.id}/concept-note/invite").status_code == 403
    db.session.refresh(application)
    assert application.concept_note.status == ConceptStatus.SUBMITTED
