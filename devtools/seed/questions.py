"""Demo questions of the open call (app/questions): a choice, a number shown only after "Yes",
and an optional file; the applications already made to the call have their answers.

The open call opened weeks ago, when the fund manager could still add questions: the rows are
written here as they would stand, not through the service that refuses changes to an open call.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.applications.models import Application
from app.audit.services import record_event
from app.calls.models import Call
from app.platform.extensions import db
from app.questions.models import CallQuestion, QuestionAnswer, QuestionKind
from devtools.seed.calls_and_applications import OPEN_CALL

SURVIVOR_LED = {
    "en": "Is your organisation led by survivors of trafficking?",
    "fr": "Votre organisation est-elle dirigée par des survivantes ou survivants de la traite ?",
    "es": "¿Su organización está dirigida por sobrevivientes de la trata?",
}
BOARD_SEATS = {
    "en": "How many survivors sit on your board?",
    "fr": "Combien de survivantes ou survivants siègent à votre conseil d'administration ?",
    "es": "¿Cuántas personas sobrevivientes forman parte de su junta directiva?",
}
CODE_OF_CONDUCT = {
    "en": "Your staff code of conduct on safeguarding (optional)",
    "fr": "Le code de conduite de votre personnel en matière de protection (facultatif)",
    "es": "El código de conducta de su personal en materia de salvaguarda (opcional)",
}


def load_demo_questions() -> int:
    """Add the open call's questions once; returns how many it has."""
    call = db.session.execute(select(Call).where(Call.reference == OPEN_CALL)).scalar_one_or_none()
    if call is None:
        return 0
    existing = db.session.execute(
        select(CallQuestion).where(CallQuestion.call_id == call.id)
    ).scalars()
    if list(existing):
        return 3
    led = CallQuestion(
        call_id=call.id,
        position=1,
        kind=QuestionKind.CHOICE,
        required=True,
        wording=SURVIVOR_LED,
        help_text={},
        options=[
            {"key": "o1", "labels": {"en": "Yes", "fr": "Oui", "es": "Sí"}},
            {"key": "o2", "labels": {"en": "No", "fr": "Non", "es": "No"}},
        ],
    )
    db.session.add(led)
    db.session.flush()
    seats = CallQuestion(
        call_id=call.id,
        position=2,
        kind=QuestionKind.NUMBER,
        required=True,
        wording=BOARD_SEATS,
        help_text={},
        options=[],
        min_value=Decimal(1),
        max_value=Decimal(50),
        condition_question_id=led.id,
        condition_value="o1",
    )
    conduct = CallQuestion(
        call_id=call.id,
        position=3,
        kind=QuestionKind.FILE,
        required=False,
        wording=CODE_OF_CONDUCT,
        help_text={},
        options=[],
    )
    db.session.add_all([seats, conduct])
    db.session.flush()
    record_event(
        actor=None,
        action="demo.call_questions",
        subject=call,
        summary=f"demo questions on {OPEN_CALL}",
    )
    applications = db.session.execute(
        select(Application).where(Application.call_id == call.id).order_by(Application.id)
    ).scalars()
    for index, application in enumerate(applications):
        survivor_led = index % 2 == 0
        db.session.add(
            QuestionAnswer(
                application_id=application.id,
                question_id=led.id,
                choice="o1" if survivor_led else "o2",
            )
        )
        if survivor_led:
            db.session.add(
                QuestionAnswer(
                    application_id=application.id, question_id=seats.id, number=Decimal(2)
                )
            )
    db.session.flush()
    return 3
