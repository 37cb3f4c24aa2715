"""A call's own questions: the fund manager sets them; the NGO answers them in its application.

Before the call opens, the fund manager adds, edits, orders and removes questions freely. Once
it has opened (decision 0116), only the wording (question, help and option labels, in each
language) may be corrected: an NGO may already have answered, and a question that changed its
kind, options, limits or condition under its answer would make that answer mean something else.

An answer is validated when it is saved (its word limit, option, range, file checks) and the
required ones are checked before submission (``answer_problems``, in the application's
checklist). A question whose condition is not met is hidden: it is not required and its answer
is not kept.

These rules import nothing of app/applications (which calls them): an application is read
only through its attributes (``id``, ``call_id``, ``organisation_id``, ``is_editable``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.permissions import (
    Permission,
    can_edit_application,
    can_view_application,
    ensure_permission,
)
from app.audit.services import record_event
from app.calls.models import DEFAULT_LOCALE, Call, CallStatus
from app.platform.db import utcnow
from app.platform.errors import N_, NotFound, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.questions.models import QUESTION_LANGUAGES, CallQuestion, QuestionAnswer, QuestionKind

if TYPE_CHECKING:
    from app.applications.models import Application

MAX_WORDING = 1000
MAX_OPTION_LABEL = 200
MAX_OPTIONS = 30
MAX_QUESTIONS = 40
MAX_WORD_LIMIT = 10_000
MAX_TEXT_ANSWER = 100_000  # characters; the word limit is the real rule
NUMBER_BOUND = Decimal("1e15")


@dataclass
class QuestionDetails:
    """What the fund manager's form says of one question. Texts are ``{locale: text}``;
    ``options`` one ``{locale: label}`` per option, in order."""

    kind: QuestionKind
    wording: dict[str, str]
    required: bool = False
    help_text: dict[str, str] = field(default_factory=dict)
    options: list[dict[str, str]] = field(default_factory=list)
    max_words: int | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    condition_question_id: int | None = None
    condition_value: str | None = None


@dataclass(frozen=True)
class StoredAnswerFile:
    """A file already checked and stored by the upload machinery (the columns of a stored file)."""

    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    storage_key: str
    uploaded_by_id: int | None


@dataclass
class AnswerValue:
    """What the NGO sent for one question: the field of the question's kind (others None).
    ``file`` is a newly stored file; ``remove_file`` drops the one kept."""

    text: str | None = None
    choice: str | None = None
    number: Decimal | None = None
    file: StoredAnswerFile | None = None
    remove_file: bool = False


class AnswersRefused(ValidationFailed):
    """Some answers are not valid; ``errors`` holds each one's sentence, by question id."""

    def __init__(self, errors: dict[int, ValidationFailed]) -> None:
        super().__init__(N_("Some answers need correcting: see the questions marked below."))
        self.errors = errors


# --- The fund manager's side ----------------------------------------------------------------


def questions_of(call: Call) -> list[CallQuestion]:
    """The call's questions in the order the NGO reads them."""
    return list(
        db.session.execute(
            sa.select(CallQuestion)
            .where(CallQuestion.call_id == call.id)
            .order_by(CallQuestion.position, CallQuestion.id)
        ).scalars()
    )


def has_questions(call: Call) -> bool:
    return (
        db.session.execute(
            sa.select(CallQuestion.id).where(CallQuestion.call_id == call.id).limit(1)
        ).first()
        is not None
    )


def has_opened(call: Call, now: datetime | None = None) -> bool:
    """The call has been open to applicants: from then on only wording may be corrected."""
    if call.status in (CallStatus.CLOSED, CallStatus.DECIDED):
        return True
    return call.status == CallStatus.PUBLISHED and call.opens_at <= (now or utcnow())


def may_change_structure(call: Call, now: datetime | None = None) -> bool:
    return call.is_editable and not has_opened(call, now)


def may_correct_wording(call: Call) -> bool:
    return call.is_editable


def _ensure_manager(actor: User, call: Call) -> None:
    ensure_permission(actor, Permission.MANAGE_CALLS)
    if not call.is_editable:
        raise ValidationFailed(
            N_("This call is closed: its questions record what applicants were asked.")
        )


def _ensure_structure_open(call: Call, now: datetime | None) -> None:
    if has_opened(call, now):
        raise ValidationFailed(
            N_(
                "This call has opened: applicants may have answered, so questions can no "
                "longer be added, removed, reordered or changed; only their wording can be "
                "corrected."
            )
        )


def _texts(values: Mapping[str, str], *, limit: int) -> dict[str, str]:
    texts = {
        locale: " ".join(str(text).split())[:limit]
        for locale, text in values.items()
        if locale in QUESTION_LANGUAGES and text and str(text).strip()
    }
    return texts


def _clean(call: Call, details: QuestionDetails, question: CallQuestion | None) -> dict[str, Any]:
    """The question's columns from ``details``, or the sentence saying what to correct."""
    kind = QuestionKind(details.kind)
    wording = _texts(details.wording, limit=MAX_WORDING)
    if not wording.get(DEFAULT_LOCALE):
        raise ValidationFailed(N_("Write the question in English (the fund's default language)."))
    values: dict[str, Any] = {
        "kind": kind,
        "required": bool(details.required),
        "wording": wording,
        "help_text": _texts(details.help_text, limit=MAX_WORDING),
        "options": [],
        "max_words": None,
        "min_value": None,
        "max_value": None,
        "condition_question_id": None,
        "condition_value": None,
    }
    if kind == QuestionKind.CHOICE:
        values["options"] = _options(details.options, question)
    if kind == QuestionKind.TEXT and details.max_words is not None:
        if not 1 <= details.max_words <= MAX_WORD_LIMIT:
            raise ValidationFailed(
                N_("The word limit must be from 1 to %(max)s."), max=MAX_WORD_LIMIT
            )
        values["max_words"] = details.max_words
    if kind == QuestionKind.NUMBER:
        low, high = details.min_value, details.max_value
        for bound in (low, high):
            if bound is not None and abs(bound) >= NUMBER_BOUND:
                raise ValidationFailed(N_("The smallest and largest numbers are too large."))
        if low is not None and high is not None and low > high:
            raise ValidationFailed(N_("The smallest number allowed is above the largest."))
        values["min_value"], values["max_value"] = low, high
    if details.condition_question_id is not None:
        values.update(_condition(call, details, question))
    return values


def _options(given: Sequence[Mapping[str, str]], question: CallQuestion | None) -> list[Any]:
    options = [_texts(labels, limit=MAX_OPTION_LABEL) for labels in given]
    options = [labels for labels in options if labels]
    if len(options) < 2:
        raise ValidationFailed(N_("A choice question needs at least two options."))
    if len(options) > MAX_OPTIONS:
        raise ValidationFailed(N_("A question offers at most %(max)s options."), max=MAX_OPTIONS)
    if any(not labels.get(DEFAULT_LOCALE) for labels in options):
        raise ValidationFailed(N_("Give every option in English (the fund's default language)."))
    english = [labels[DEFAULT_LOCALE].casefold() for labels in options]
    if len(set(english)) != len(english):
        raise ValidationFailed(N_("Two options read the same: make each one different."))
    # An option keeps its key where it stands, so an answer keeps meaning the same option.
    keys = question.option_keys() if question is not None else []
    taken = set(keys)
    result = []
    for index, labels in enumerate(options):
        if index < len(keys):
            key = keys[index]
        else:
            number = index + 1
            while f"o{number}" in taken:
                number += 1
            key = f"o{number}"
            taken.add(key)
        result.append({"key": key, "labels": labels})
    return result


def _condition(
    call: Call, details: QuestionDetails, question: CallQuestion | None
) -> dict[str, Any]:
    shown_after = db.session.get(CallQuestion, details.condition_question_id)
    if shown_after is None or shown_after.call_id != call.id:
        raise ValidationFailed(N_("Choose the question this one depends on from this call."))
    earlier = question is None or (shown_after.position, shown_after.id) < (
        question.position,
        question.id,
    )
    if shown_after.kind != QuestionKind.CHOICE or not earlier:
        raise ValidationFailed(N_("A question can depend only on an earlier choice question."))
    if details.condition_value not in shown_after.option_keys():
        raise ValidationFailed(N_("Choose the answer that shows this question."))
    return {
        "condition_question_id": shown_after.id,
        "condition_value": details.condition_value,
    }


def _number_of(call: Call, question: CallQuestion) -> int:
    return [q.id for q in questions_of(call)].index(question.id) + 1


def add_question(
    *, actor: User, call: Call, details: QuestionDetails, now: datetime | None = None
) -> CallQuestion:
    """Add a question at the end of the call's list."""
    _ensure_manager(actor, call)
    _ensure_structure_open(call, now)
    existing = questions_of(call)
    if len(existing) >= MAX_QUESTIONS:
        raise ValidationFailed(N_("A call has at most %(max)s questions."), max=MAX_QUESTIONS)
    values = _clean(call, details, None)
    position = max((q.position for q in existing), default=0) + 1
    question = CallQuestion(call_id=call.id, position=position, **values)
    db.session.add(question)
    db.session.flush()
    record_event(
        actor=actor,
        action="call.question_added",
        subject=call,
        summary=f"question {len(existing) + 1} ({question.kind.value}) added to {call.reference}",
        changes={"question": [None, _audit_view(question)]},
    )
    return question


# What may change after the call opens: the words, never what an answer means.
_WORDING = ("wording", "help_text")


def update_question(
    *,
    actor: User,
    question: CallQuestion,
    details: QuestionDetails,
    now: datetime | None = None,
) -> CallQuestion:
    """Change a question; once the call has opened, only its wording (and options' labels)."""
    call = question.call
    _ensure_manager(actor, call)
    values = _clean(call, details, question)
    before = _audit_view(question)
    if has_opened(call, now):
        changed = [
            name
            for name, value in values.items()
            if name not in (*_WORDING, "options") and getattr(question, name) != value
        ]
        same_options = [o["key"] for o in values["options"]] == question.option_keys()
        if changed or not same_options:
            _ensure_structure_open(call, now)
    for name, value in values.items():
        setattr(question, name, value)
    db.session.flush()
    after = _audit_view(question)
    record_event(
        actor=actor,
        action="call.question_changed",
        subject=call,
        summary=f"question {_number_of(call, question)} of {call.reference} changed",
        changes={key: [before[key], after[key]] for key in after if before[key] != after[key]},
    )
    return question


def remove_question(*, actor: User, question: CallQuestion, now: datetime | None = None) -> None:
    call = question.call
    _ensure_manager(actor, call)
    _ensure_structure_open(call, now)
    number = _number_of(call, question)
    dependent = [q for q in questions_of(call) if q.condition_question_id == question.id]
    if dependent:
        raise ValidationFailed(
            N_(
                "Question %(number)s is shown depending on this one: remove it or change its "
                "condition first."
            ),
            number=_number_of(call, dependent[0]),
        )
    before = _audit_view(question)
    db.session.delete(question)
    db.session.flush()
    record_event(
        actor=actor,
        action="call.question_removed",
        subject=call,
        summary=f"question {number} removed from {call.reference}",
        changes={"question": [before, None]},
    )


def move_question(
    *, actor: User, question: CallQuestion, offset: int, now: datetime | None = None
) -> None:
    """Move a question one place up (``offset`` -1) or down (+1)."""
    call = question.call
    _ensure_manager(actor, call)
    _ensure_structure_open(call, now)
    ordered = questions_of(call)
    index = ordered.index(question)
    target = index + (1 if offset > 0 else -1)
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    seen: set[int] = set()
    for moved in ordered:
        if moved.condition_question_id is not None and moved.condition_question_id not in seen:
            raise ValidationFailed(N_("A question must stay after the question it depends on."))
        seen.add(moved.id)
    for position, moved in enumerate(ordered, start=1):
        moved.position = position
    db.session.flush()
    record_event(
        actor=actor,
        action="call.question_moved",
        subject=call,
        summary=f"question {index + 1} of {call.reference} moved to {target + 1}",
        changes={"order": [None, [q.id for q in ordered]]},
    )


def _audit_view(question: CallQuestion) -> dict[str, Any]:
    return {
        "id": question.id,
        "kind": question.kind.value,
        "required": question.required,
        "wording": dict(question.wording or {}),
        "help_text": dict(question.help_text or {}),
        "options": list(question.options or []),
        "max_words": question.max_words,
        "min_value": None if question.min_value is None else str(question.min_value),
        "max_value": None if question.max_value is None else str(question.max_value),
        "condition": [question.condition_question_id, question.condition_value],
    }


# --- The NGO's side -------------------------------------------------------------------------


def answers_of(application: Application) -> dict[int, QuestionAnswer]:
    """The application's kept answers, by question id."""
    rows = db.session.execute(
        sa.select(QuestionAnswer).where(QuestionAnswer.application_id == application.id)
    ).scalars()
    return {answer.question_id: answer for answer in rows}


def shown_questions(
    questions: Sequence[CallQuestion], choices: Mapping[int, str | None]
) -> list[CallQuestion]:
    """The questions shown given the choices made (question id -> option key): a question
    with a condition is shown when the question it depends on is shown and answered so."""
    shown: list[CallQuestion] = []
    shown_ids: set[int] = set()
    for question in questions:
        depends_on = question.condition_question_id
        if depends_on is not None and (
            depends_on not in shown_ids or choices.get(depends_on) != question.condition_value
        ):
            continue
        shown.append(question)
        shown_ids.add(question.id)
    return shown


def count_words(text: str) -> int:
    return len(text.split())


def _check_value(question: CallQuestion, value: AnswerValue) -> None:
    """Refuse a value the question does not allow (a word limit, an option, a range)."""
    if question.kind == QuestionKind.TEXT and value.text:
        if len(value.text) > MAX_TEXT_ANSWER:
            raise ValidationFailed(N_("This answer is too long."))
        words = count_words(value.text)
        if question.max_words is not None and words > question.max_words:
            raise ValidationFailed(
                N_("%(count)s words: the limit is %(max)s. Shorten the answer."),
                count=words,
                max=question.max_words,
            )
    if (
        question.kind == QuestionKind.CHOICE
        and value.choice
        and value.choice not in question.option_keys()
    ):
        raise ValidationFailed(N_("Choose one of the options offered."))
    if question.kind == QuestionKind.NUMBER and value.number is not None:
        number = value.number
        if abs(number) >= NUMBER_BOUND:
            raise ValidationFailed(N_("This number is too large."))
        low, high = question.min_value, question.max_value
        if low is not None and number < low:
            raise ValidationFailed(N_("Give a number of at least %(min)s."), min=_plain(low))
        if high is not None and number > high:
            raise ValidationFailed(N_("Give a number of at most %(max)s."), max=_plain(high))


def _plain(value: Decimal) -> str:
    """A number without the column's trailing zeros ("10", not "10.000000" or "1E+1")."""
    return format(value.normalize(), "f")


def save_answers(
    *,
    actor: User,
    application: Application,
    values: Mapping[int, AnswerValue],
    files_too: bool = True,
) -> list[str]:
    """Save the answers sent for the application's questions (question id -> value).

    Every value is checked first: when one is refused nothing is saved (``AnswersRefused``
    names each). Answers to questions the condition now hides are deleted. ``files_too``
    False (a draft saved automatically) leaves the file answers as they are. Returns the
    storage keys of files no longer kept (replaced, removed, hidden): the caller deletes the
    bytes once the save is committed, as for a removed document.
    """
    if not can_edit_application(actor, application):
        raise PermissionDenied(N_("This application can no longer be changed."))
    questions = _questions_of_application(application)
    by_id = {question.id: question for question in questions}
    unknown = [question_id for question_id in values if question_id not in by_id]
    if unknown:
        raise NotFound(N_("We could not find that question."))
    errors: dict[int, ValidationFailed] = {}
    for question_id, value in values.items():
        try:
            _check_value(by_id[question_id], value)
        except ValidationFailed as error:
            errors[question_id] = error
    if errors:
        raise AnswersRefused(errors)
    kept = answers_of(application)
    changed: list[int] = []
    released: list[str] = []
    for question in questions:
        if question.id not in values:
            continue
        if question.kind == QuestionKind.FILE and not files_too:
            continue
        answer = kept.get(question.id)
        if answer is None:
            answer = QuestionAnswer(application_id=application.id, question_id=question.id)
        old_key = answer.storage_key
        if _apply(question, answer, values[question.id]):
            changed.append(question.id)
            if old_key is not None and answer.storage_key != old_key:
                released.append(old_key)
        if answer.is_empty:
            if answer.id is not None:
                db.session.delete(answer)
            kept.pop(question.id, None)
        elif answer.id is None:
            db.session.add(answer)
            kept[question.id] = answer
    choices = {question_id: answer.choice for question_id, answer in kept.items()}
    shown = {question.id for question in shown_questions(questions, choices)}
    dropped = [question_id for question_id in kept if question_id not in shown]
    for question_id in dropped:
        hidden = kept[question_id]
        if hidden.storage_key is not None:
            released.append(hidden.storage_key)
        if hidden.id is not None:
            db.session.delete(hidden)
        else:
            db.session.expunge(hidden)
    # Touching the row bumps the application's version, as any section's save does.
    application.updated_at = utcnow()
    application.updated_by_id = actor.id
    db.session.flush()
    record_event(
        actor=actor,
        action="application.section_saved",
        subject=application,
        summary="questions section saved",
        changes={"answered": [None, sorted(changed)], "hidden_dropped": [None, sorted(dropped)]},
    )
    return released


def _apply(question: CallQuestion, answer: QuestionAnswer, value: AnswerValue) -> bool:
    """Put ``value`` in ``answer``; whether anything changed."""
    before = (answer.text, answer.choice, answer.number, answer.storage_key)
    if question.kind == QuestionKind.TEXT:
        answer.text = (value.text or "").strip() or None
    elif question.kind == QuestionKind.CHOICE:
        answer.choice = value.choice or None
    elif question.kind == QuestionKind.NUMBER:
        answer.number = value.number
    elif value.file is not None:
        stored = value.file
        answer.filename, answer.content_type = stored.filename, stored.content_type
        answer.size_bytes, answer.sha256 = stored.size_bytes, stored.sha256
        answer.storage_key, answer.uploaded_by_id = stored.storage_key, stored.uploaded_by_id
        answer.uploaded_at = utcnow()
    elif value.remove_file:
        answer.filename = answer.content_type = answer.sha256 = answer.storage_key = None
        answer.size_bytes = answer.uploaded_by_id = None
        answer.uploaded_at = None
    return before != (answer.text, answer.choice, answer.number, answer.storage_key)


def _questions_of_application(application: Application) -> list[CallQuestion]:
    return list(
        db.session.execute(
            sa.select(CallQuestion)
            .where(CallQuestion.call_id == application.call_id)
            .order_by(CallQuestion.position, CallQuestion.id)
        ).scalars()
    )


def application_has_questions(application: Application) -> bool:
    return (
        db.session.execute(
            sa.select(CallQuestion.id).where(CallQuestion.call_id == application.call_id).limit(1)
        ).first()
        is not None
    )


def answer_problems(application: Application) -> list[tuple[str, dict[str, Any]]]:
    """The shown required questions still unanswered, for the submission checklist: each as
    a msgid and its parameters (the applications' ``Problem``)."""
    questions = _questions_of_application(application)
    kept = answers_of(application)
    choices = {question_id: answer.choice for question_id, answer in kept.items()}
    numbers = {question.id: number for number, question in enumerate(questions, start=1)}
    return [
        (N_("Answer question %(number)s (it is required)."), {"number": numbers[q.id]})
        for q in shown_questions(questions, choices)
        if q.required and (q.id not in kept or kept[q.id].is_empty)
    ]


@dataclass(frozen=True)
class ShownAnswer:
    """One question and its answer as staff, exports and the API read them."""

    number: int
    question: CallQuestion
    answer: QuestionAnswer | None

    def text_in(self, locale: str | None) -> str:
        """The answer as plain text (a choice's label in ``locale``, a file's name)."""
        answer = self.answer
        if answer is None:
            return ""
        kind = self.question.kind
        if kind == QuestionKind.CHOICE:
            return self.question.option_label(answer.choice, locale)
        if kind == QuestionKind.NUMBER:
            return "" if answer.number is None else _plain(answer.number)
        if kind == QuestionKind.FILE:
            return answer.filename or ""
        return answer.text or ""


def shown_answers(application: Application, actor: Any = None) -> list[ShownAnswer]:
    """The questions the NGO was shown, numbered, with their answers (None: not answered).
    ``actor`` given: only for those who may see the application."""
    if actor is not None and not can_view_application(actor, application):
        raise NotFound(N_("We could not find that application."))
    questions = _questions_of_application(application)
    kept = answers_of(application)
    choices = {question_id: answer.choice for question_id, answer in kept.items()}
    numbers = {question.id: number for number, question in enumerate(questions, start=1)}
    return [
        ShownAnswer(numbers[q.id], q, kept.get(q.id)) for q in shown_questions(questions, choices)
    ]


def answers_by_application(
    applications: Iterable[Any], locale: str | None
) -> tuple[list[CallQuestion], dict[int, dict[int, str]]]:
    """For an export of many applications: every question of their calls (in call then list
    order) and each application's answers as text, by question id."""
    rows = list(applications)
    call_ids = sorted({row.call_id for row in rows})
    if not call_ids:
        return [], {}
    questions = list(
        db.session.execute(
            sa.select(CallQuestion)
            .where(CallQuestion.call_id.in_(call_ids))
            .order_by(CallQuestion.call_id, CallQuestion.position, CallQuestion.id)
        ).scalars()
    )
    by_id = {question.id: question for question in questions}
    answers = db.session.execute(
        sa.select(QuestionAnswer).where(QuestionAnswer.application_id.in_([row.id for row in rows]))
    ).scalars()
    result: dict[int, dict[int, str]] = {}
    for answer in answers:
        shown = ShownAnswer(0, by_id[answer.question_id], answer)
        result.setdefault(answer.application_id, {})[answer.question_id] = shown.text_in(locale)
    return questions, result


def answer_as_json(row: ShownAnswer, locale: str | None) -> dict[str, Any]:
    """One question and its answer for the API (docs/api.md): the wording in ``locale``."""
    answer = row.answer
    value: dict[str, Any] | None = None
    if answer is not None:
        kind = row.question.kind
        if kind == QuestionKind.TEXT:
            value = {"text": answer.text or ""}
        elif kind == QuestionKind.CHOICE:
            value = {"key": answer.choice, "label": row.text_in(locale)}
        elif kind == QuestionKind.NUMBER:
            value = {"number": row.text_in(locale)}
        else:
            value = {
                "filename": answer.filename,
                "content_type": answer.content_type,
                "size_bytes": answer.size_bytes,
            }
    return {
        "number": row.number,
        "kind": row.question.kind.value,
        "required": row.question.required,
        "question": row.question.wording_in(locale),
        "answer": value,
    }
