"""The texts pages: the fund manager edits the decision e-mail and letter in French, sees a wrong
placeholder refused next to the field with the valid ones, previews, saves, restores; other roles
are refused; junk never gives a server error."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.outbox.models import OutboxMessage
from app.platform.extensions import db
from app.reviews.models import DecisionOutcome, PanelOutcome
from app.texts import services as texts
from tests.applications_support import applicant_of
from tests.factories import user_with
from tests.reviews_support import before_board, decide, manager, meeting

EDIT = "/texts/email.board_decision/fr"


def test_the_fund_manager_edits_the_decision_email_in_french(client, sign_in):
    sign_in(user_with(Role.FUND_MANAGER))
    listing = client.get("/texts/").get_data(as_text=True)
    assert "/texts/email.board_decision/fr" in listing and "Built-in" in listing

    page = client.get(EDIT).get_data(as_text=True)
    assert "{{ reference }}" in page and "{{ link }}" in page  # the built-in wording, in French
    assert 'lang="fr"' in page  # the form is marked as French text

    refused = client.post(
        EDIT, data={"subject": "Décision {{ reference }}", "body": "{{ link }} {{ montant }}"}
    )
    assert refused.status_code == 200  # the form again, with its errors
    text = refused.get_data(as_text=True)
    assert 'id="body-error"' in text
    assert "{{ montant }}" in text and "{{ fund }}, {{ link }}, {{ reference }}" in text

    bad_syntax = client.post(EDIT, data={"subject": "Décision", "body": "{{ link }}\n{% if %}"})
    assert bad_syntax.status_code == 200 and "Line 2" in bad_syntax.get_data(as_text=True)

    preview = client.post(
        EDIT,
        data={
            "subject": "Décision {{ reference }}",
            "body": "Dossier {{ reference }} : {{ link }}",
            "action": "preview",
        },
    )
    assert preview.status_code == 200
    assert "Dossier APP-00012 : https://fund.example.org/" in preview.get_data(as_text=True)
    assert texts.in_force("email.board_decision", "fr") is None  # a preview saves nothing

    for subject in ("Un {{ reference }}", "Deux {{ reference }}"):
        saved = client.post(
            EDIT, data={"subject": subject, "body": "{{ reference }} {{ link }}", "action": "save"}
        )
        assert saved.status_code == 302
    current = texts.in_force("email.board_decision", "fr")
    assert current is not None and (current.version, current.subject) == (2, "Deux {{ reference }}")
    first = texts.history("email.board_decision", "fr")[-1]
    assert client.post(f"/texts/versions/{first.id}/restore").status_code == 302
    current = texts.in_force("email.board_decision", "fr")
    assert (current.version, current.subject) == (3, "Un {{ reference }}")
    page = client.get(EDIT).get_data(as_text=True)
    assert "Version 3" in page and "Restore this version" in page
    assert "written into 0 e-mails" in page  # each version says how many e-mails used it


def test_the_decision_letter_shows_the_staff_paragraph(client, sign_in, storage):
    fm = manager()
    texts.save_version(
        actor=fm,
        key="letter.decision_declined",
        locale="en",
        subject="",
        body="Dear {{ organisation }},\n\nNo grant for {{ reference }} <b>this time</b>.",
    )
    declined = before_board(storage, fund_manager=fm, outcome=PanelOutcome.NOT_RECOMMENDED)
    decide(declined, meeting(), DecisionOutcome.REJECTED)
    sign_in(applicant_of(declined.organisation))
    page = client.get(f"/reviews/applications/{declined.id}/decision-letter")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"No grant for {declined.reference} &lt;b&gt;this time&lt;/b&gt;." in text
    assert "We regret to tell you" not in text


@pytest.mark.parametrize(
    "role", [Role.APPLICANT, Role.DONOR, Role.REVIEWER, Role.FINANCE, Role.AUDITOR, Role.BOARD]
)
def test_other_roles_are_refused(client, sign_in, role):
    sign_in(user_with(role))
    assert client.get("/texts/").status_code == 403
    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT, data={"subject": "x", "body": "{{ link }}"}).status_code == 403
    assert texts.in_force("email.board_decision", "fr") is None


def test_the_administrator_may_edit(client, sign_in):
    sign_in(user_with(Role.ADMIN))
    assert client.get("/texts/").status_code == 200
    assert client.get(EDIT).status_code == 200


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/texts/nothing/fr", {"subject": "x", "body": "y"}),
        ("/texts/email.board_decision/xx", {"subject": "x", "body": "y"}),
        (EDIT, {}),
        (EDIT, {"subject": "x" * 2000, "body": "{{ link }}"}),
        (EDIT, {"subject": "x", "body": "{{ link }}" + "y" * 30_000}),
        (EDIT, {"subject": "{{", "body": "{% for %}"}),
        (EDIT, {"subject": "x", "body": "{{ link }}{{ link.__class__.__base__ }}"}),
        (EDIT, {"subject": "x", "body": "{{ link }}{{ 1 / 0 }}"}),
        (EDIT, {"subject": "x", "body": "{{ link }}{{ link|int + 'a' }}"}),
        (EDIT, {"subject": "x", "body": "{{ link }}{% include 'base.html' %}"}),
        (EDIT, {"subject": "x", "body": "{{ link }}{% extends 'base.html' %}"}),
        (EDIT, {"subject": "x", "body": "\x00{{ link }}"}),
        ("/texts/versions/999999/restore", {}),
    ],
)
def test_junk_is_refused_without_a_server_error(client, sign_in, url, data):
    sign_in(user_with(Role.FUND_MANAGER))
    answer = client.post(url, data={**data, "action": "save"})
    # Refused: not found, a request the app will not read (a NUL byte), or the form again with
    # its errors; never a save or a server error.
    assert answer.status_code in (200, 400, 404), answer.status_code
    if answer.status_code == 200:
        assert "There is a problem" in answer.get_data(as_text=True)
    assert texts.in_force("email.board_decision", "fr") is None


def test_the_confirmation_email_in_french_uses_the_staff_version_and_records_it(client):
    version = texts.save_version(
        actor=manager(),
        key="email.confirm_address",
        locale="fr",
        subject="Bienvenue, {{ name }}",
        body="Bonjour {{ name }},\n\nConfirmez votre adresse :\n{{ link }}\n\n{{ fund }}",
    )
    db.session.commit()
    answer = client.post(
        "/register",
        data={
            "full_name": "Amina Diallo",
            "email": "amina@example.org",
            "account_type": "donor",
            "password": "a-long-enough-passphrase",
            "confirm": "a-long-enough-passphrase",
        },
        headers={"Accept-Language": "fr"},
    )
    assert answer.status_code == 200
    message = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == "amina@example.org")
    ).scalar_one()
    assert message.subject == "Bienvenue, Amina Diallo"
    assert message.body.startswith("Bonjour Amina Diallo,\n\nConfirmez votre adresse :\nhttp")
    assert "/confirm/" in message.body
    assert message.text_version_id == version.id
