"""A call's own questions: the fund manager sets them before the call opens (then corrects only
their wording); the NGO's answers are checked on save and the required ones before submission;
a question whose condition is not met is hidden, not required, and its answer not kept."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.applications import services as applications
from app.applications.models import Application
from app.applications.services import Section
from app.audit.models import AuditEvent
from app.calls.models import Call
from app.platform.errors import PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.questions import services as questions
from app.questions.models import QuestionAnswer
from app.questions.services import AnswersRefused, AnswerValue, StoredAnswerFile
from tests.applications_support import (
    applicant_of,
    complete,
    fund_manager,
    ngo_organisation,
)
from tests.factories import user_with
from tests.questions_support import (
    application_to,
    call_with_questions,
    choice_question,
    draft_call,
    file_question,
    number_question,
    text_question,
)


def _problems(application) -> list[str]:
    check = next(
        (c for c in applications.completeness(application) if c.section == Section.QUESTIONS),
        None,
    )
    return [] if check is None else [p.message % p.params for p in check.problems]


def _save(application, values, actor=None):
    return questions.save_answers(
        actor=actor or applicant_of(application.organisation),
        application=application,
        values=values,
    )


# --- the fund manager's side ----------------------------------------------------------------


def test_the_fund_manager_adds_each_kind_of_question_in_order():
    call, (text, choice, number, upload) = call_with_questions()
    assert [q.id for q in questions.questions_of(call)] == [
        text.id,
        choice.id,
        number.id,
        upload.id,
    ]
    assert text.max_words == 5 and text.required
    assert [o["labels"]["fr"] for o in choice.options] == ["Oui", "Non"]
    assert choice.option_keys() == ["o1", "o2"]
    assert (number.min_value, number.max_value) == (Decimal("1"), Decimal("500.5"))
    assert (number.condition_question_id, number.condition_value) == (choice.id, "o1")
    assert upload.wording_in("fr") == "L'agrément de votre foyer"
    # A language not given falls back to English.
    assert upload.wording_in("zh") == "Your shelter's licence"


@pytest.mark.parametrize(
    ("details", "message"),
    [
        (text_question(wording={"fr": "Seulement en français"}), "in English"),
        (choice_question(options=[{"en": "Only one"}]), "at least two options"),
        (choice_question(options=[{"en": "Yes"}, {"en": "yes"}]), "read the same"),
        (choice_question(options=[{"en": "Yes"}, {"fr": "Non"}]), "every option in English"),
        (number_question(min_value=Decimal(10), max_value=Decimal(1)), "above the largest"),
        (text_question(max_words=0), "word limit"),
    ],
)
def test_a_question_that_cannot_be_answered_is_refused(details, message):
    call = draft_call()
    with pytest.raises(ValidationFailed, match=message):
        questions.add_question(actor=fund_manager(), call=call, details=details)


def test_a_condition_must_name_an_earlier_choice_question_and_one_of_its_options():
    manager = fund_manager()
    call = draft_call(manager)
    text = questions.add_question(actor=manager, call=call, details=text_question())
    choice = questions.add_question(actor=manager, call=call, details=choice_question())
    with pytest.raises(ValidationFailed, match="earlier choice question"):
        questions.add_question(
            actor=manager,
            call=call,
            details=number_question(condition_question_id=text.id, condition_value="o1"),
        )
    with pytest.raises(ValidationFailed, match="Choose the answer"):
        questions.add_question(
            actor=manager,
            call=call,
            details=number_question(condition_question_id=choice.id, condition_value="o9"),
        )
    dependent = questions.add_question(
        actor=manager,
        call=call,
        details=number_question(condition_question_id=choice.id, condition_value="o2"),
    )
    # Moving the dependent question above the one it depends on is refused; so is removing it.
    with pytest.raises(ValidationFailed, match="stay after"):
        questions.move_question(actor=manager, question=dependent, offset=-1)
    with pytest.raises(ValidationFailed, match="Question 3 is shown depending on this one"):
        questions.remove_question(actor=manager, question=choice)
    questions.move_question(actor=manager, question=text, offset=1)
    assert [q.id for q in questions.questions_of(call)] == [choice.id, text.id, dependent.id]


def test_once_the_call_has_opened_only_the_wording_can_be_corrected():
    manager = fund_manager()
    call, (text, choice, _number, _upload) = call_with_questions(manager)
    with pytest.raises(ValidationFailed, match="only their wording"):
        questions.add_question(actor=manager, call=call, details=text_question())
    with pytest.raises(ValidationFailed, match="only their wording"):
        questions.remove_question(actor=manager, question=text)
    with pytest.raises(ValidationFailed, match="only their wording"):
        questions.move_question(actor=manager, question=choice, offset=-1)
    with pytest.raises(ValidationFailed, match="only their wording"):
        questions.update_question(actor=manager, question=text, details=text_question(max_words=50))
    with pytest.raises(ValidationFailed, match="only their wording"):
        questions.update_question(
            actor=manager,
            question=choice,
            details=choice_question(options=[{"en": "Yes"}, {"en": "No"}, {"en": "Maybe"}]),
        )
    questions.update_question(
        actor=manager,
        question=choice,
        details=choice_question(
            wording={"en": "Do you run a shelter today?", "es": "¿Gestiona un albergue?"},
            options=[{"en": "Yes, we do", "es": "Sí"}, {"en": "No", "es": "No"}],
        ),
    )
    assert choice.wording_in("es") == "¿Gestiona un albergue?"
    assert choice.option_keys() == ["o1", "o2"]  # answers keep meaning the same option
    assert choice.option_label("o1", "en") == "Yes, we do"
    actions = db.session.execute(
        sa.select(AuditEvent.action).where(AuditEvent.subject_type == "calls")
    ).scalars()
    assert {"call.question_added", "call.question_changed"} <= set(actions)


def test_only_the_fund_manager_sets_questions():
    call = draft_call()
    organisation = ngo_organisation()
    for outsider in (applicant_of(organisation), user_with(Role.REVIEWER)):
        with pytest.raises(PermissionDenied):
            questions.add_question(actor=outsider, call=call, details=text_question())


def test_removing_and_moving_are_audited():
    manager = fund_manager()
    call = draft_call(manager)
    first = questions.add_question(actor=manager, call=call, details=text_question())
    second = questions.add_question(actor=manager, call=call, details=file_question())
    questions.move_question(actor=manager, question=second, offset=-1)
    questions.remove_question(actor=manager, question=first)
    assert [q.id for q in questions.questions_of(call)] == [second.id]
    actions = list(
        db.session.execute(
            sa.select(AuditEvent.action)
            .where(AuditEvent.subject_type == "calls", AuditEvent.subject_id == str(call.id))
            .order_by(AuditEvent.id)
        ).scalars()
    )
    assert actions[-2:] == ["call.question_moved", "call.question_removed"]


# --- the NGO's answers ----------------------------------------------------------------------


def test_each_kind_is_validated_on_save_and_nothing_is_kept_when_one_is_wrong():
    call, (text, choice, number, _upload) = call_with_questions()
    application = application_to(call)
    with pytest.raises(AnswersRefused) as refused:
        _save(
            application,
            {
                text.id: AnswerValue(text="one two three four five six"),
                choice.id: AnswerValue(choice="o7"),
            },
        )
    assert set(refused.value.errors) == {text.id, choice.id}
    assert "6 words: the limit is 5" in refused.value.errors[text.id].translated(
        lambda m, **p: m % p
    )
    assert questions.answers_of(application) == {}
    _save(application, {choice.id: AnswerValue(choice="o1")})
    for bad in (Decimal("0.5"), Decimal("501")):
        with pytest.raises(AnswersRefused) as refused:
            _save(application, {number.id: AnswerValue(number=bad)})
        assert list(refused.value.errors) == [number.id]
    _save(application, {number.id: AnswerValue(number=Decimal("500.5"))})
    assert questions.answers_of(application)[number.id].number == Decimal("500.5")


def test_required_questions_are_checked_before_submission(storage):
    call, (text, choice, number, _upload) = call_with_questions()
    application = application_to(call)
    applicant = applicant_of(application.organisation)
    complete(application, applicant, storage)
    assert _problems(application) == [
        "Answer question 1 (it is required).",
        "Answer question 2 (it is required).",
    ]
    with pytest.raises(ValidationFailed, match="Answer question 1"):
        applications.submit_application(actor=applicant, application=application)
    _save(
        application,
        {text.id: AnswerValue(text="Police referrals"), choice.id: AnswerValue(choice="o1")},
    )
    # "Yes" shows question 3, which is required.
    assert _problems(application) == ["Answer question 3 (it is required)."]
    _save(application, {number.id: AnswerValue(number=Decimal("12"))})
    assert _problems(application) == []
    applications.submit_application(actor=applicant, application=application)
    assert application.status.value == "submitted"


def test_a_hidden_question_is_not_required_and_its_answer_is_not_kept():
    call, (_text, choice, number, _upload) = call_with_questions()
    application = application_to(call)
    _save(
        application,
        {choice.id: AnswerValue(choice="o1"), number.id: AnswerValue(number=Decimal(40))},
    )
    assert number.id in questions.answers_of(application)
    shown = [row.question.id for row in questions.shown_answers(application)]
    assert number.id in shown
    _save(
        application,
        {choice.id: AnswerValue(choice="o2"), number.id: AnswerValue(number=Decimal(40))},
    )
    assert number.id not in questions.answers_of(application)
    assert number.id not in [row.question.id for row in questions.shown_answers(application)]
    assert "Answer question 3 (it is required)." not in _problems(application)
    events = (
        db.session.execute(
            sa.select(AuditEvent.changes)
            .where(
                AuditEvent.subject_type == "applications",
                AuditEvent.subject_id == str(application.id),
                AuditEvent.action == "application.section_saved",
            )
            .order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )
    assert events[-1]["hidden_dropped"] == [None, [number.id]]


def test_a_file_answer_keeps_the_stored_file_and_can_be_removed():
    call, (_text, _choice, _number, upload) = call_with_questions()
    application = application_to(call)
    stored = StoredAnswerFile("licence.pdf", "application/pdf", 42, "ab" * 32, "k" * 32, None)
    _save(application, {upload.id: AnswerValue(file=stored)})
    answer = questions.answers_of(application)[upload.id]
    assert (answer.filename, answer.storage_key) == ("licence.pdf", "k" * 32)
    # A draft saved automatically leaves files alone.
    questions.save_answers(
        actor=applicant_of(application.organisation),
        application=application,
        values={upload.id: AnswerValue(remove_file=True)},
        files_too=False,
    )
    assert questions.answers_of(application)[upload.id].filename == "licence.pdf"
    _save(application, {upload.id: AnswerValue(remove_file=True)})
    assert upload.id not in questions.answers_of(application)


def test_only_the_applicant_answers_and_only_while_the_application_is_editable():
    call, (text, _choice, _number, _upload) = call_with_questions()
    application = application_to(call)
    other = ngo_organisation(name="Other NGO", registration_number="RC-2")
    for outsider in (applicant_of(other), fund_manager()):
        with pytest.raises(PermissionDenied):
            _save(application, {text.id: AnswerValue(text="Hello")}, actor=outsider)
    assert db.session.execute(sa.select(sa.func.count(QuestionAnswer.id))).scalar_one() == 0


def test_a_call_without_questions_has_no_questions_section():
    application = application_to(draft_call_published())
    assert Section.QUESTIONS not in [c.section for c in applications.completeness(application)]


def draft_call_published():
    from app.calls import services as calls

    manager = fund_manager()
    call = draft_call(manager)
    calls.publish_call(actor=manager, call=call)
    return call


def test_the_open_demo_call_asks_three_questions_and_its_applications_answer_them():
    from devtools.seed.calls_and_applications import (
        OPEN_CALL,
        load_demo_calls_and_applications,
    )
    from devtools.seed.people import load_demo_users
    from devtools.seed.questions import load_demo_questions

    for _twice in range(2):
        load_demo_users()
        load_demo_calls_and_applications()
        load_demo_questions()
    call = db.session.execute(sa.select(Call).where(Call.reference == OPEN_CALL)).scalar_one()
    listed = questions.questions_of(call)
    assert [q.kind.value for q in listed] == ["choice", "number", "file"]
    assert listed[1].condition_question_id == listed[0].id
    assert listed[0].wording_in("fr").startswith("Votre organisation")
    applications_to_call = list(
        db.session.execute(sa.select(Application).where(Application.call_id == call.id)).scalars()
    )
    assert applications_to_call
    for application in applications_to_call:
        assert _problems(application) == [], application.id


def test_a_published_call_not_yet_open_still_takes_new_questions():
    from app.calls import services as calls
    from tests.questions_support import future_call_details

    manager = fund_manager()
    call = draft_call(manager, **future_call_details())
    calls.publish_call(actor=manager, call=call)
    assert questions.may_change_structure(call)
    questions.add_question(actor=manager, call=call, details=text_question())
    assert len(questions.questions_of(call)) == 1
