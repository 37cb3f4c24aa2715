"""The fund's messages to an applicant, in the application's thread: they ask nothing of the
application's status (a question that does is ``request_information``). Sent to one applicant
or to many at once (app/web/bulk.py); each message audited and its organisation told."""

from __future__ import annotations

from app.accounts.models import User
from app.accounts.permissions import Permission, ensure_permission, is_member
from app.applications.models import (
    Application,
    ApplicationMessage,
    ApplicationStatus,
    MessageKind,
)
from app.audit.services import record_event
from app.notifications.models import NotificationKind
from app.notifications.services import link_to, notify_all, organisation_staff
from app.platform.errors import N_, InvalidTransition, SegregationOfDuties, ValidationFailed
from app.platform.extensions import db

MAX_MESSAGE = 10_000


def send_message(*, actor: User, application: Application, body: str) -> ApplicationMessage:
    """The fund writes to the applicant: refused for a draft (the fund has not seen it), by
    someone who belongs to the applicant, and without words."""
    ensure_permission(actor, Permission.SCREEN_APPLICATION)
    if is_member(actor, application.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to the applicant organisation, so you take no part in its selection.")
        )
    if application.status == ApplicationStatus.DRAFT:
        raise InvalidTransition(N_("This application is a draft: the fund writes once it is sent."))
    body = body.strip()
    if not body:
        raise ValidationFailed(N_("Write the message."))
    if len(body) > MAX_MESSAGE:
        raise ValidationFailed(N_("The message is too long."))
    message = ApplicationMessage(kind=MessageKind.NOTICE, author_id=actor.id, body=body)
    application.messages.append(message)
    db.session.flush()
    record_event(
        actor=actor,
        action="application.message_sent",
        subject=application,
        summary="the fund wrote to the organisation in the application's thread",
        changes={"message_id": message.id},
    )
    notify_all(
        organisation_staff(application.organisation_id),
        kind=NotificationKind.ATTENTION_NEEDED,
        link=link_to("applications.show", application_id=application.id) + "#messages",
        params={"reference": application.reference},
    )
    return message
