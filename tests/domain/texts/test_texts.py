"""Texts staff edit: checked when saved (placeholders, syntax, the sandbox), versioned, and the
version in force is what the next e-mail is written from, recorded on the outbox row."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Membership, MembershipRole, Role
from app.audit.models import AuditEvent
from app.outbox.models import OutboxMessage
from app.platform.errors import Conflict, PermissionDenied
from app.platform.extensions import db
from app.reviews.models import DecisionOutcome, PanelOutcome
from app.texts import services as texts
from app.texts.registry import BY_KEY, TEXTS
from app.texts.rendering import render
from app.texts.services import TextRefused
from tests.applications_support import applicant_of
from tests.factories import user_with
from tests.reviews_support import before_board, decide, manager, meeting

KEY = "email.board_decision"
GOOD_BODY = "Décision sur {{ reference }} :\n{{ link }}\n— {{ fund }}\n"


def _refusal(**kwargs) -> dict[str, list[str]]:
    with pytest.raises(TextRefused) as refused:
        texts.save_version(actor=manager(), key=KEY, locale="fr", **kwargs)
    return {
        name: [problem.message % problem.params for problem in problems]
        for name, problems in refused.value.problems.items()
    }


def test_a_wrong_placeholder_is_refused_with_the_valid_ones(app):
    problems = _refusal(subject="Décision {{ reference }}", body="{{ link }} {{ montant }}")
    assert problems == {
        "body": [
            "Unknown placeholder {{ montant }}. "
            "Valid placeholders: {{ fund }}, {{ link }}, {{ reference }}."
        ]
    }
    assert _refusal(subject="{{ title }}", body=GOOD_BODY)["subject"][0].startswith(
        "Unknown placeholder {{ title }}."
    )
    assert texts.in_force(KEY, "fr") is None


def test_a_syntax_error_is_refused_with_its_line(app):
    problems = _refusal(subject="Décision", body="Ligne un\n{{ link }}\nPour {{ reference }\nfin")
    assert problems["body"][0].startswith("Line 3: ")
    assert _refusal(subject="{{ reference", body=GOOD_BODY)["subject"][0].startswith("Line 1: ")


def test_a_required_placeholder_and_empty_fields_are_refused(app):
    assert _refusal(subject="", body="Pas de lien") == {
        "subject": ["This field is required."],
        "body": ["This text must include {{ link }}."],
    }
    assert _refusal(subject="a\nb", body=GOOD_BODY) == {"subject": ["A subject is one line."]}


@pytest.mark.parametrize(
    "body",
    [
        "{{ link }}{{ ''.__class__ }}",
        "{{ link }}{{ reference.__class__.__mro__ }}",
        "{{ link }}{{ link.format.__globals__ }}",
        "{{ link }}{{ 'x' * 100000000 }}",
        "{{ link }}{{ 9 ** 9 ** 9 }}",
        "{{ link }}{{ range(10) }}",
        "{{ link }}{{ cycler.__init__.__globals__ }}",
    ],
)
def test_the_sandbox_refuses_what_could_reach_the_server(app, body):
    problems = _refusal(subject="Décision", body=body)
    assert list(problems) == ["body"], problems


def test_the_sandbox_never_leaks_a_class_when_rendering():
    with pytest.raises(Exception) as refused:
        render("{{ v.__class__.__subclasses__() }}", {"v": "x"})
    assert "subclasses" not in str(refused.value) or "unsafe" in str(refused.value)


def test_preview_fills_in_the_sample_values(app):
    text = BY_KEY[KEY]
    shown = texts.preview(text, subject="Décision {{ reference }}", body=GOOD_BODY)
    assert shown.subject == "Décision APP-00012"
    assert shown.body.startswith("Décision sur APP-00012 :\nhttps://fund.example.org/")
    for text in TEXTS:  # every sample fills every placeholder it allows
        assert set(text.sample) == set(text.placeholders), text.key


def test_only_staff_who_edit_texts_may_save(app):
    for role in (Role.REVIEWER, Role.APPLICANT, Role.FINANCE, Role.AUDITOR, Role.BOARD):
        with pytest.raises(PermissionDenied):
            texts.save_version(
                actor=user_with(role), key=KEY, locale="fr", subject="x", body=GOOD_BODY
            )
    admin = user_with(Role.ADMIN)
    assert texts.save_version(actor=admin, key=KEY, locale="fr", subject="x", body=GOOD_BODY)


def test_versions_are_added_never_overwritten_and_a_restore_is_a_new_version(app):
    fm = manager()
    first = texts.save_version(actor=fm, key=KEY, locale="fr", subject="Un", body=GOOD_BODY)
    second = texts.save_version(actor=fm, key=KEY, locale="fr", subject="Deux", body=GOOD_BODY)
    assert (first.version, second.version) == (1, 2)
    assert texts.in_force(KEY, "fr") == second and not first.is_active
    assert texts.in_force(KEY, "es") is None  # per language
    third = texts.restore(actor=fm, version_id=first.id)
    assert (third.version, third.subject, third.restored_from) == (3, "Un", 1)
    assert [v.version for v in texts.history(KEY, "fr")] == [3, 2, 1]
    assert [v.subject for v in texts.history(KEY, "fr")] == ["Un", "Deux", "Un"]
    actions = db.session.execute(
        sa.select(AuditEvent.action)
        .where(AuditEvent.subject_type == "text_versions")
        .order_by(AuditEvent.id)
    ).scalars()
    assert list(actions) == ["text.saved", "text.saved", "text.restored"]


def test_the_next_decision_email_uses_the_version_in_force_and_records_it(app, storage):
    fm = manager()
    texts.save_version(actor=fm, key=KEY, locale="fr", subject="V1", body=GOOD_BODY)
    version = texts.save_version(
        actor=fm,
        key=KEY,
        locale="fr",
        subject="Décision du Conseil : {{ reference }}",
        body="Bonjour,\nle Conseil a décidé pour {{ reference }}.\n{{ link }}\n{{ fund }}",
    )
    assert version.version == 2
    declined = before_board(storage, fund_manager=fm, outcome=PanelOutcome.NOT_RECOMMENDED)
    owner = applicant_of(declined.organisation)
    owner.locale = "fr"
    english = user_with(Role.APPLICANT, locale="en")
    db.session.add(
        Membership(
            user_id=english.id,
            organisation_id=declined.organisation_id,
            role=MembershipRole.MEMBER,
        )
    )
    decide(declined, meeting(), DecisionOutcome.REJECTED)
    db.session.commit()

    sent = {
        m.recipient: m
        for m in db.session.execute(
            sa.select(OutboxMessage).where(
                OutboxMessage.recipient.in_([owner.email, english.email])
            )
        ).scalars()
    }
    french = sent[owner.email]
    assert french.subject == f"Décision du Conseil : {declined.reference}"
    assert f"le Conseil a décidé pour {declined.reference}." in french.body
    assert f"/reviews/applications/{declined.id}/decision-letter" in french.body
    assert french.text_version_id == version.id
    # No version in English: the built-in wording, and no version recorded.
    assert sent[english.email].text_version_id is None
    assert sent[english.email].subject == "The Board of Trustees has decided on your application"
    assert texts.emails_written_from([version.id]) == {version.id: 1}


def test_two_saves_of_the_same_version_the_second_is_told_to_retry(app, monkeypatch):
    fm = manager()
    texts.save_version(actor=fm, key=KEY, locale="fr", subject="Un", body=GOOD_BODY)
    # The second person read the history before the first saved: both make version 1.
    monkeypatch.setattr(texts, "history", lambda key, locale: [])
    with pytest.raises(Conflict, match="same moment"):
        texts.save_version(actor=fm, key=KEY, locale="fr", subject="Deux", body=GOOD_BODY)
    monkeypatch.undo()
    current = texts.in_force(KEY, "fr")
    assert current is not None and current.subject == "Un"
