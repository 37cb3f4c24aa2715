"""Decision letters sent again by the fund: after a Board decision the applicant is told at
once (app/handoffs.py); once the fund has worded the decline letter (app/texts), it sends the
declined applicants their letter, one or many at once (app/web/bulk.py). The letter is the
page the notice links to, rendered with the wording in force when it is read."""

from __future__ import annotations

from app.accounts.models import User
from app.accounts.permissions import Permission
from app.applications.models import Application, ApplicationStatus
from app.audit.services import record_event
from app.notifications.models import NotificationKind
from app.notifications.services import link_to, notify_all, organisation_staff
from app.platform.errors import N_, InvalidTransition
from app.reviews.queries.board import latest_decision
from app.reviews.services.common import fund_side


def send_decline_letter(*, actor: User, application: Application) -> None:
    """Tell the applicant's people that their decision letter is ready to read; audited.
    Refused unless the Board declined the application, and for a member of the applicant."""
    fund_side(actor, application, Permission.PREPARE_BOARD_PACK)
    decision = latest_decision(application)
    if application.status != ApplicationStatus.REJECTED or decision is None:
        raise InvalidTransition(N_("Only an application the Board declined has a decline letter."))
    told = notify_all(
        organisation_staff(application.organisation_id),
        kind=NotificationKind.BOARD_DECISION,
        link=link_to("reviews.decision_letter", application_id=application.id),
        params={"reference": application.reference},
    )
    if not told:
        raise InvalidTransition(N_("Nobody at the organisation can receive the letter."))
    record_event(
        actor=actor,
        action="application.decline_letter_sent",
        subject=application,
        summary=f"the decline letter was sent to {len(told)} person(s) of the organisation",
        changes={"decision_id": decision.id},
    )
