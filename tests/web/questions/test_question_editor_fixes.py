"""What a user tester found in a call's question editor (decision 0116), fixed: every mistake is
shown at once next to its field, and a saved question leads back to the list (redirect after
POST)."""

from __future__ import annotations

import io
import re

from app.questions import services as questions
from tests.applications_support import applicant_of, fund_manager
from tests.questions_support import application_to, call_with_questions, draft_call


def test_the_question_editor_shows_every_error_at_once(client, sign_in):
    manager = fund_manager()
    call = draft_call(manager)
    sign_in(manager)
    refused = client.post(
        f"/calls/{call.id}/questions/new",
        data={"kind": "number", "wording_en": "", "min_value": "50abc", "condition": ""},
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="min_value-error"' in page
    assert 'id="wording_en-error"' in page
    assert "Write the question in English" in page
    assert 'value="50abc"' in page  # nothing typed is lost
    assert questions.questions_of(call) == []


def test_a_saved_question_leads_back_to_the_list(client, sign_in):
    manager = fund_manager()
    call = draft_call(manager)
    sign_in(manager)
    added = client.post(
        f"/calls/{call.id}/questions/new",
        data={"kind": "text", "wording_en": "Who are you?", "condition": ""},
    )
    assert added.status_code == 303 or added.status_code == 302
    assert added.location.endswith(f"/calls/{call.id}/questions")
    listing = client.get(added.location).get_data(as_text=True)
    assert "Who are you?" in listing and "The question is added." in listing


def _version(page: str) -> str:
    match = re.search(r'name="version" type="hidden" value="(\d+)"', page)
    assert match
    return match.group(1)


def test_a_refused_file_is_said_with_another_answers_mistake(client, sign_in):
    call, (_text, choice, number, upload) = call_with_questions()
    application = application_to(call)
    sign_in(applicant_of(application.organisation))
    url = f"/applications/{application.id}/sections/questions"
    page = client.get(url).get_data(as_text=True)
    saved = client.post(url, data={"version": _version(page), f"q{choice.id}": "o1"})
    assert saved.status_code == 302
    page = client.get(url).get_data(as_text=True)
    refused = client.post(
        url,
        data={
            "version": _version(page),
            f"q{choice.id}": "o1",
            f"q{number.id}": "12abc",
            f"q{upload.id}": (io.BytesIO(b"MZ\x90\x00"), "virus.exe"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert f'id="q{number.id}-error"' in body
    assert "virus.exe was not uploaded" in body
    assert upload.id not in questions.answers_of(application)


def test_a_number_out_of_range_is_refused_with_the_bound_in_french_notation(client, sign_in):
    call, (_text, choice, number, _upload) = call_with_questions()  # number: 1 to 500.5
    application = application_to(call)
    sign_in(applicant_of(application.organisation))
    url = f"/applications/{application.id}/sections/questions"
    french = {"Accept-Language": "fr"}
    page = client.get(url, headers=french).get_data(as_text=True)
    client.post(url, headers=french, data={"version": _version(page), f"q{choice.id}": "o1"})
    page = client.get(url, headers=french).get_data(as_text=True)
    refused = client.post(
        url,
        headers=french,
        data={"version": _version(page), f"q{choice.id}": "o1", f"q{number.id}": "1 000,5"},
    )
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "500,5" in body and "500.5" not in body


def test_a_refused_file_and_an_out_of_range_number_are_both_said(client, sign_in):
    call, (text, choice, number, upload) = call_with_questions()
    application = application_to(call)
    sign_in(applicant_of(application.organisation))
    url = f"/applications/{application.id}/sections/questions"
    page = client.get(url).get_data(as_text=True)
    client.post(url, data={"version": _version(page), f"q{choice.id}": "o1"})
    page = client.get(url).get_data(as_text=True)
    refused = client.post(
        url,
        data={
            "version": _version(page),
            f"q{text.id}": "By the police",
            f"q{choice.id}": "o1",
            f"q{number.id}": "9999",
            f"q{upload.id}": (io.BytesIO(b"MZ\x90\x00"), "virus.exe"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "virus.exe was not uploaded" in body
    assert f'id="q{number.id}-error"' in body
    kept = questions.answers_of(application)
    assert text.id not in kept and upload.id not in kept  # nothing saved
