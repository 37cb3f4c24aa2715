"""Submitting and withdrawing an application, and the fund's questions about it."""

from __future__ import annotations

from datetime import datetime

from app.accounts.models import User
from app.accounts.permissions import can_view_application, is_member
from app.applications.models import (
    Application,
    ApplicationMessage,
    ApplicationStatus,
    MessageKind,
)
from app.applications.services.budget import refresh_money
from app.applications.services.versions import flush_or_conflict
from app.applications.workflow import APPLICATION_WORKFLOW, ensure_invited
from app.audit.services import record_event
from app.platform.db import utcnow
from app.platform.errors import N_, InvalidTransition, PermissionDenied, ValidationFailed
from app.platform.extensions import db


def submit_application(
    *, actor: User, application: Application, now: datetime | None = None
) -> Application:
    """Submit a complete draft before the deadline (judged here, in UTC), or resubmit after a
    request for information (the deadline does not apply: the fund asked for it)."""
    now = now or utcnow()
    if application.status == ApplicationStatus.DRAFT:
        call = application.call
        # Stage two of a two-stage call: only on the fund's invitation (decision 0115).
        ensure_invited(application)
        if now >= call.closes_at:
            raise ValidationFailed(
                N_(
                    "The deadline for this call was %(deadline)s UTC. Applications cannot be "
                    "submitted after the deadline."
                ),
                deadline=call.closes_at.strftime("%Y-%m-%d %H:%M:%S"),
            )
        if not call.is_open_at(now):
            raise ValidationFailed(N_("This call is not open for applications."))
    if not application.is_editable:
        raise InvalidTransition(N_("This application has already been submitted."))
    refresh_money(application)
    first = application.status == ApplicationStatus.DRAFT
    APPLICATION_WORKFLOW.transition(
        application,
        ApplicationStatus.SUBMITTED,
        actor=actor,
        changes={"requested_amount": [None, application.requested_amount]},
    )
    if first:
        application.submitted_at = now
    application.updated_by_id = actor.id
    flush_or_conflict(application)
    return application


def withdraw_application(*, actor: User, application: Application, reason: str = "") -> Application:
    APPLICATION_WORKFLOW.transition(
        application, ApplicationStatus.WITHDRAWN, actor=actor, reason=reason.strip()[:200] or None
    )
    application.withdrawn_at = utcnow()
    application.updated_by_id = actor.id
    flush_or_conflict(application)
    return application


def request_information(*, actor: User, application: Application, question: str) -> Application:
    """The fund asks the NGO a question; the NGO answers in the thread and resubmits."""
    question = question.strip()
    if not question:
        raise ValidationFailed(N_("Write the question for the organisation."))
    APPLICATION_WORKFLOW.transition(application, ApplicationStatus.INFO_REQUESTED, actor=actor)
    application.messages.append(
        ApplicationMessage(kind=MessageKind.INFORMATION_REQUEST, author_id=actor.id, body=question)
    )
    flush_or_conflict(application)
    return application


def reply_to_information_request(
    *, actor: User, application: Application, body: str
) -> ApplicationMessage:
    if not can_view_application(actor, application) or not is_member(
        actor, application.organisation_id
    ):
        raise PermissionDenied(N_("Only the organisation's own staff can answer."))
    if application.status != ApplicationStatus.INFO_REQUESTED:
        raise InvalidTransition(N_("The fund has not asked for information on this application."))
    body = body.strip()
    if not body:
        raise ValidationFailed(N_("Write your answer."))
    message = ApplicationMessage(kind=MessageKind.REPLY, author_id=actor.id, body=body)
    application.messages.append(message)
    db.session.flush()
    record_event(
        actor=actor,
        action="application.information_provided",
        subject=application,
        summary="the organisation answered a request for information",
    )
    return message
