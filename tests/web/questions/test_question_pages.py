"""The pages of a call's questions: the fund manager sets them; a French NGO answers them in
its application (a number in French notation, a file); staff read the answers on the
application's page, its print view, the export and the API."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from jsonschema import Draft202012Validator

from app.accounts.models import Role
from app.calls import services as calls
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.storage import get_storage
from app.questions import services as questions
from app.questions.models import QuestionKind
from app.tokens import services as tokens
from app.tokens.models import TokenScope
from app.web.api import openapi_document
from tests.applications_support import PDF, applicant_of, fund_manager, ngo_organisation
from tests.factories import user_with
from tests.questions_support import application_to, call_with_questions, draft_call

FRENCH = {"Accept-Language": "fr"}


def _version(page: str) -> str:
    match = re.search(r'name="version" type="hidden" value="(\d+)"', page)
    assert match, "the form carries no version"
    return match.group(1)


def test_the_fund_manager_adds_orders_and_removes_questions(client, sign_in):
    manager = fund_manager()
    call = draft_call(manager)
    sign_in(manager)
    assert "Questions for applicants" in client.get(f"/calls/{call.id}").get_data(as_text=True)
    page = client.get(f"/calls/{call.id}/questions").get_data(as_text=True)
    assert "No question yet" in page
    added = client.post(
        f"/calls/{call.id}/questions/new",
        data={
            "kind": "choice",
            "required": "y",
            "wording_en": "Do you run a shelter?",
            "wording_fr": "Gérez-vous un foyer ?",
            "options_en": "Yes\nNo",
            "options_fr": "Oui\nNon",
            "condition": "",
        },
    )
    assert added.status_code == 302, added.get_data(as_text=True)
    (choice,) = questions.questions_of(call)
    assert choice.option_choices("fr") == [("o1", "Oui"), ("o2", "Non")]
    # Options in French must match the English ones line for line: said next to the field.
    refused = client.post(
        f"/calls/{call.id}/questions/new",
        data={
            "kind": "choice",
            "wording_en": "Which kind?",
            "options_en": "A\nB",
            "options_fr": "A",
            "condition": "",
        },
    )
    assert refused.status_code == 422
    assert "Give as many options as in English (2)" in refused.get_data(as_text=True)
    form = client.get(f"/calls/{call.id}/questions/new").get_data(as_text=True)
    assert f'value="{choice.id}:o1"' in form  # the condition on offer
    client.post(
        f"/calls/{call.id}/questions/new",
        data={
            "kind": "number",
            "wording_en": "How many beds?",
            "min_value": "1",
            "max_value": "1,000.5",
            "condition": f"{choice.id}:o1",
        },
    )
    beds = questions.questions_of(call)[1]
    assert beds.max_value == Decimal("1000.5")
    assert beds.condition_question_id == choice.id
    listing = client.get(f"/calls/{call.id}/questions").get_data(as_text=True)
    assert "Shown only when question 1 is answered “Yes”." in listing
    moved = client.post(f"/calls/questions/{beds.id}/move", data={"direction": "up"})
    assert moved.status_code == 302
    assert "must stay after" in client.get(f"/calls/{call.id}/questions").get_data(as_text=True)
    client.post(f"/calls/questions/{beds.id}/remove")
    assert [q.id for q in questions.questions_of(call)] == [choice.id]


def test_after_the_call_opens_only_the_wording_is_editable(client, sign_in):
    manager = fund_manager()
    call, (text, *_rest) = call_with_questions(manager)
    sign_in(manager)
    page = client.get(f"/calls/{call.id}/questions").get_data(as_text=True)
    assert "only their wording can be corrected" in page
    assert "Add a question" not in page
    assert client.get(f"/calls/{call.id}/questions/new").status_code == 302
    saved = client.post(
        f"/calls/questions/{text.id}/edit",
        data={"wording_en": "How do survivors find you?", "kind": "number", "max_words": "9"},
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    db.session.refresh(text)
    assert text.wording_in("en") == "How do survivors find you?"
    assert (text.kind, text.max_words) == (QuestionKind.TEXT, 5)  # the rest is kept


def test_nobody_but_the_fund_manager_reaches_the_question_pages(client, sign_in):
    call = draft_call()
    for role in (Role.APPLICANT, Role.REVIEWER, Role.FINANCE):
        sign_in(user_with(role))
        assert client.get(f"/calls/{call.id}/questions").status_code in (403, 404)
        assert client.post(f"/calls/{call.id}/questions/new", data={}).status_code in (403, 404)


def test_a_french_ngo_answers_with_a_french_number_and_a_file(client, sign_in):
    call, (text, choice, number, upload) = call_with_questions()
    application = application_to(call)
    sign_in(applicant_of(application.organisation))
    url = f"/applications/{application.id}/sections/questions"
    page = client.get(url, headers=FRENCH).get_data(as_text=True)
    assert "Comment les victimes vous trouvent-elles ?" in page
    assert "Combien de lits" not in page  # shown only after "Oui"
    saved = client.post(
        url,
        headers=FRENCH,
        data={
            "version": _version(page),
            f"q{text.id}": "Par la police",
            f"q{choice.id}": "o1",
            f"q{upload.id}": (io.BytesIO(PDF), "agrément.pdf"),
            "then": "next",
        },
        content_type="multipart/form-data",
    )
    assert saved.status_code == 302
    assert saved.location.endswith(url)  # the answer calls for question 3: stay here
    page = client.get(url, headers=FRENCH).get_data(as_text=True)
    assert "Combien de lits ?" in page
    assert "agrément.pdf" in page
    too_many = client.post(
        url,
        headers=FRENCH,
        data={"version": _version(page), f"q{choice.id}": "o1", f"q{number.id}": "1 000,5"},
    )
    assert too_many.status_code == 422
    assert "au plus" in too_many.get_data(as_text=True) or "500" in too_many.get_data(as_text=True)
    saved = client.post(
        url,
        headers=FRENCH,
        data={
            "version": _version(too_many.get_data(as_text=True)),
            f"q{text.id}": "Par la police",
            f"q{choice.id}": "o1",
            f"q{number.id}": "12,5",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    kept = questions.answers_of(application)
    assert kept[number.id].number == Decimal("12.5")
    assert kept[upload.id].filename.endswith(".pdf")  # the file stays
    assert 'value="12,5"' in client.get(url, headers=FRENCH).get_data(as_text=True)
    download = client.get(f"/applications/{application.id}/questions/{upload.id}/file")
    assert download.status_code == 200 and download.data == PDF
    # Another NGO cannot read the file.
    sign_in(applicant_of(ngo_organisation(name="Other", registration_number="RC-9")))
    assert (
        client.get(f"/applications/{application.id}/questions/{upload.id}/file").status_code == 404
    )
    assert client.get(url).status_code == 404


def test_a_refused_file_is_said_next_to_its_field(client, sign_in):
    call, (_text, _choice, _number, upload) = call_with_questions()
    application = application_to(call)
    sign_in(applicant_of(application.organisation))
    url = f"/applications/{application.id}/sections/questions"
    page = client.get(url).get_data(as_text=True)
    refused = client.post(
        url,
        data={"version": _version(page), f"q{upload.id}": (io.BytesIO(b"MZ\x90\x00"), "run.exe")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "run.exe was not uploaded" in refused.get_data(as_text=True)
    assert questions.answers_of(application) == {}


def test_a_removed_file_is_deleted_from_storage(client, sign_in):
    call, (_text, _choice, _number, upload) = call_with_questions()
    application = application_to(call)
    sign_in(applicant_of(application.organisation))
    url = f"/applications/{application.id}/sections/questions"
    page = client.get(url).get_data(as_text=True)
    client.post(
        url,
        data={"version": _version(page), f"q{upload.id}": (io.BytesIO(PDF), "licence.pdf")},
        content_type="multipart/form-data",
    )
    key = questions.answers_of(application)[upload.id].storage_key
    assert get_storage().open(key) is not None
    page = client.get(url).get_data(as_text=True)
    removed = client.post(url, data={"version": _version(page), f"q{upload.id}_remove": "y"})
    assert removed.status_code == 302
    assert upload.id not in questions.answers_of(application)
    assert get_storage().open(key) is None


def test_drafts_are_saved_as_the_ngo_types(client, sign_in):
    call, (text, *_rest) = call_with_questions()
    application = application_to(call)
    sign_in(applicant_of(application.organisation))
    url = f"/applications/{application.id}/sections/questions"
    version = _version(client.get(url).get_data(as_text=True))
    answer = client.post(
        url,
        headers={"X-Autosave": "1", "Accept": "application/json"},
        data={"version": version, f"q{text.id}": "Hotline"},
    )
    assert answer.json["saved"] is True, answer.json
    assert questions.answers_of(application)[text.id].text == "Hotline"
    too_long = client.post(
        url,
        headers={"X-Autosave": "1", "Accept": "application/json"},
        data={"version": answer.json["version"], f"q{text.id}": "a b c d e f g"},
    )
    assert too_long.json["saved"] is False


def _answered(manager=None):
    call, (text, choice, number, _upload) = call_with_questions(manager)
    application = application_to(call)
    questions.save_answers(
        actor=applicant_of(application.organisation),
        application=application,
        values={
            text.id: questions.AnswerValue(text="Police referrals"),
            choice.id: questions.AnswerValue(choice="o1"),
            number.id: questions.AnswerValue(number=Decimal("12")),
        },
    )
    return application


def _api_get(app, client, url: str, user) -> dict:
    """GET an API address with a token of ``user``; the answer is checked against its schema."""
    scopes = tuple(scope for scope in TokenScope if scope.value in ("read", "applications"))
    _token, secret = tokens.create_token(actor=user, name="test", scopes=scopes, days=9)
    response = client.get(url, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    operation = openapi_document(app)["paths"]["/api/v1/applications/{application_id}"]["get"]
    schema = next(iter(operation["responses"]["200"]["content"].values()))["schema"]
    Draft202012Validator(schema).validate(response.get_json())
    return response.get_json()


def test_staff_read_the_answers_on_the_application_page_print_view_and_api(app, client, sign_in):
    application = _answered()
    sign_in(fund_manager())
    for url in (f"/applications/{application.id}", f"/applications/{application.id}/print"):
        page = client.get(url).get_data(as_text=True)
        assert "Questions for this call" in page, url
        assert "Police referrals" in page and "Do you run a shelter?" in page, url
    api = _api_get(app, client, f"/api/v1/applications/{application.id}", fund_manager())
    by_number = {row["number"]: row for row in api["questions"]}
    assert by_number[2]["answer"] == {"key": "o1", "label": "Yes"}
    assert by_number[3]["answer"] == {"number": "12"}
    assert by_number[4]["answer"] is None


def test_the_export_holds_the_answers(client, sign_in):
    application = _answered()
    sign_in(user_with(Role.AUDITOR))
    today = utcnow().date()
    response = client.get(
        f"/reports/exports?table=application_answers&format=csv&start={today.replace(day=1)}&end={today}"
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    text = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["application", "call", "question_number", "question"]
    mine = [row for row in rows[1:] if row[0] == f"APP-{application.id:05d}"]
    assert [(row[2], row[6]) for row in mine] == [
        ("1", "Police referrals"),
        ("2", "Yes"),
        ("3", "12"),
    ]


def test_closing_the_call_freezes_its_questions(client, sign_in):
    manager = fund_manager()
    call, (text, *_rest) = call_with_questions(manager)
    calls.close_call(actor=manager, call=call)
    sign_in(manager)
    page = client.get(f"/calls/{call.id}/questions").get_data(as_text=True)
    assert "This call is closed" in page
    refused = client.post(f"/calls/questions/{text.id}/edit", data={"wording_en": "New words"})
    assert refused.status_code == 422
