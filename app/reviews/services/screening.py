"""Screening: the screener takes a submitted application and decides its eligibility with the
checklist (eligible → in review, ineligible with a reason, or a question to the applicant)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.accounts.models import User
from app.accounts.permissions import Permission
from app.applications import services as ngo
from app.applications.models import Application, ApplicationStatus
from app.applications.workflow import APPLICATION_WORKFLOW
from app.platform.errors import N_, InvalidTransition, ValidationFailed
from app.platform.extensions import db
from app.reviews.models import Screening, ScreeningOutcome
from app.reviews.queries.screening import Check, screening_checklist
from app.reviews.services.common import fund_side

S = ApplicationStatus


def start_screening(*, actor: User, application: Application) -> Application:
    """The screener takes a submitted application (submitted → screening)."""
    APPLICATION_WORKFLOW.transition(application, S.SCREENING, actor=actor)
    db.session.flush()
    return application


def record_screening(
    *,
    actor: User,
    application: Application,
    outcome: ScreeningOutcome,
    confirmed: Iterable[Check | str] = (),
    reason: str = "",
    question: str = "",
) -> Screening:
    """The eligibility decision, with the checklist as the screener saw it.

    Eligible needs every check met (the system's and those the screener confirms); ineligible
    needs a reason, shown to the applicant; a request for information needs the question.
    """
    outcome = ScreeningOutcome(outcome)
    fund_side(actor, application, Permission.SCREEN_APPLICATION)
    if application.status not in (S.SUBMITTED, S.SCREENING):
        raise InvalidTransition(N_("Only a submitted application can be screened."))
    checklist = _checklist_as_seen(application, confirmed)
    unmet = [row["check"] for row in checklist if not row["passed"]]
    reason, question = reason.strip(), question.strip()
    _check_outcome_explained(outcome, unmet=unmet, reason=reason, question=question)
    if application.status == S.SUBMITTED:
        start_screening(actor=actor, application=application)
    screening = Screening(
        application_id=application.id,
        outcome=outcome,
        checklist=checklist,
        reason=reason if outcome == ScreeningOutcome.INELIGIBLE else "",
        screened_by_id=actor.id,
    )
    db.session.add(screening)
    _move_application(actor, application, outcome, unmet=unmet, reason=reason, question=question)
    db.session.flush()
    return screening


def _checklist_as_seen(
    application: Application, confirmed: Iterable[Check | str]
) -> list[dict[str, Any]]:
    """The checklist as stored with the screening: the system's answers, and for the checks the
    screener confirms, whether they ticked them."""
    ticked = {Check(c) for c in confirmed if c in {m.value for m in Check}}
    return [
        {
            "check": item.check.value,
            "passed": item.check in ticked if item.manual else bool(item.passed),
            "manual": item.manual,
        }
        for item in screening_checklist(application)
    ]


def _check_outcome_explained(
    outcome: ScreeningOutcome, *, unmet: list[str], reason: str, question: str
) -> None:
    """Eligible only with every check met; ineligible with a reason; a request with a question."""
    if outcome == ScreeningOutcome.ELIGIBLE and unmet:
        raise ValidationFailed(
            N_(
                "%(count)s check(s) are not met. An eligible application meets them all; "
                "otherwise ask for information or screen it out."
            ),
            count=len(unmet),
        )
    if outcome == ScreeningOutcome.INELIGIBLE and not reason:
        raise ValidationFailed(N_("Give the reason; the organisation will see it."))
    if outcome == ScreeningOutcome.INFO_REQUESTED and not question:
        raise ValidationFailed(N_("Write the question for the organisation."))


def _move_application(
    actor: User,
    application: Application,
    outcome: ScreeningOutcome,
    *,
    unmet: list[str],
    reason: str,
    question: str,
) -> None:
    """In review, screened out (the reason audited), or back to the applicant with the question."""
    changes = {"unmet_checks": unmet}
    if outcome == ScreeningOutcome.ELIGIBLE:
        APPLICATION_WORKFLOW.transition(application, S.IN_REVIEW, actor=actor, changes=changes)
    elif outcome == ScreeningOutcome.INELIGIBLE:
        APPLICATION_WORKFLOW.transition(
            application, S.INELIGIBLE, actor=actor, reason=reason[:200], changes=changes
        )
    else:
        ngo.request_information(actor=actor, application=application, question=question)


def can_screen(actor: Any, application: Application) -> bool:
    """Screening is offered while the actor may take the application or decide its eligibility."""
    return bool(
        APPLICATION_WORKFLOW.available_moves(
            application, actor, among=(S.SCREENING, S.INELIGIBLE, S.IN_REVIEW)
        )
    )
