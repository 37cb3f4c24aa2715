"""Test data for a call's own questions: a call with a text, a choice, a conditional number and
a file question, and an NGO's draft application to it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from app.accounts.models import User
from app.applications import services as applications
from app.applications.models import Application
from app.calls import services as calls
from app.calls.models import Call
from app.platform.db import utcnow
from app.questions import services as questions
from app.questions.models import CallQuestion, QuestionKind
from app.questions.services import QuestionDetails
from tests.applications_support import applicant_of, call_details, fund_manager, ngo_organisation


def text_question(**overrides: Any) -> QuestionDetails:
    values: dict[str, Any] = {
        "kind": QuestionKind.TEXT,
        "wording": {
            "en": "How do survivors reach you?",
            "fr": "Comment les victimes vous trouvent-elles ?",
        },
        "required": True,
        "max_words": 5,
    }
    values.update(overrides)
    return QuestionDetails(**values)


def choice_question(**overrides: Any) -> QuestionDetails:
    values: dict[str, Any] = {
        "kind": QuestionKind.CHOICE,
        "wording": {"en": "Do you run a shelter?", "fr": "Gérez-vous un foyer ?"},
        "required": True,
        "options": [{"en": "Yes", "fr": "Oui"}, {"en": "No", "fr": "Non"}],
    }
    values.update(overrides)
    return QuestionDetails(**values)


def number_question(**overrides: Any) -> QuestionDetails:
    values: dict[str, Any] = {
        "kind": QuestionKind.NUMBER,
        "wording": {"en": "How many beds?", "fr": "Combien de lits ?"},
        "required": True,
        "min_value": Decimal("1"),
        "max_value": Decimal("500.5"),
    }
    values.update(overrides)
    return QuestionDetails(**values)


def file_question(**overrides: Any) -> QuestionDetails:
    values: dict[str, Any] = {
        "kind": QuestionKind.FILE,
        "wording": {"en": "Your shelter's licence", "fr": "L'agrément de votre foyer"},
        "required": False,
    }
    values.update(overrides)
    return QuestionDetails(**values)


def draft_call(manager: User | None = None, **overrides: Any) -> Call:
    """A call not yet opened: its questions may still be set."""
    manager = manager or fund_manager()
    return calls.create_call(actor=manager, details=call_details(**overrides))


def call_with_questions(manager: User | None = None) -> tuple[Call, list[CallQuestion]]:
    """A published, open call with: 1 text (required, 5 words), 2 choice (required), 3 number
    shown only when 2 is "Yes" (required, 1 to 500.5), 4 file (optional)."""
    manager = manager or fund_manager()
    call = draft_call(manager)
    text = questions.add_question(actor=manager, call=call, details=text_question())
    choice = questions.add_question(actor=manager, call=call, details=choice_question())
    number = questions.add_question(
        actor=manager,
        call=call,
        details=number_question(condition_question_id=choice.id, condition_value="o1"),
    )
    upload = questions.add_question(actor=manager, call=call, details=file_question())
    calls.publish_call(actor=manager, call=call)
    assert call.opens_at <= utcnow() < call.closes_at
    return call, [text, choice, number, upload]


def application_to(call: Call) -> Application:
    organisation = ngo_organisation()
    return applications.start_application(
        actor=applicant_of(organisation), call=call, organisation=organisation
    )


def future_call_details() -> dict[str, Any]:
    now = utcnow()
    return {"opens_at": now + timedelta(days=5), "closes_at": now + timedelta(days=30)}
