"""What a user tester found in a call's question editor (decision 0116), fixed: every mistake is
shown at once next to its field, and a saved question leads back to the list (redirect after
POST)."""

from __future__ import annotations

from app.questions import services as questions
from tests.applications_support import fund_manager
from tests.questions_support import draft_call


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
