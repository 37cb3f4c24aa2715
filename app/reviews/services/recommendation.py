"""The secretariat's part after the reviews: its recommendation to the Board on each
application, and sending the Board the call's pack."""

from __future__ import annotations

from typing import Any

from app.accounts.models import User
from app.accounts.permissions import Permission, can_recommend, ensure_permission
from app.applications.models import Application, ApplicationStatus
from app.applications.workflow import APPLICATION_WORKFLOW
from app.audit.services import record_event
from app.calls.models import Call
from app.notifications.models import NotificationKind
from app.notifications.services import link_to, notify_all
from app.platform.errors import N_, ValidationFailed
from app.platform.extensions import db
from app.reviews.models import PanelOutcome, PanelRecommendation
from app.reviews.queries.board import board_members, board_pack_rows
from app.reviews.queries.scores import application_score
from app.reviews.services.common import refuse_unless

S = ApplicationStatus


def recommend(
    *,
    actor: User,
    application: Application,
    outcome: PanelOutcome,
    key_risks: str = "",
    feedback: str = "",
) -> PanelRecommendation:
    """The secretariat's recommendation to the Board, with the key risks and the feedback
    the applicant will read in the decision letter."""
    outcome = PanelOutcome(outcome)
    refuse_unless(can_recommend(actor, application))
    feedback = feedback.strip()
    if not feedback:
        raise ValidationFailed(
            N_("Write the feedback summary; the organisation reads it with the decision.")
        )
    score = application_score(application)
    target = S.RECOMMENDED if outcome == PanelOutcome.RECOMMENDED else S.NOT_RECOMMENDED
    APPLICATION_WORKFLOW.transition(
        application,
        target,
        actor=actor,
        changes={"weighted_score": [None, str(score.weighted) if score.weighted else None]},
    )
    recommendation = PanelRecommendation(
        application_id=application.id,
        outcome=outcome,
        weighted_score=score.weighted,
        key_risks=key_risks.strip(),
        feedback=feedback,
        recorded_by_id=actor.id,
    )
    db.session.add(recommendation)
    db.session.flush()
    return recommendation


def send_board_pack(*, actor: User, call: Call) -> int:
    """Tell the Board members that the call's pack is ready to read."""
    ensure_permission(actor, Permission.PREPARE_BOARD_PACK)
    if not board_pack_rows(call):
        raise ValidationFailed(N_("No application of this call is ready for the Board yet."))
    members = board_members()
    notify_all(
        members,
        kind=NotificationKind.BOARD_PACK_READY,
        link=link_to("reviews.board_pack", call_id=call.id),
        params={"reference": call.reference},
    )
    record_event(
        actor=actor,
        action="board_pack.sent",
        subject=call,
        summary=f"{call.reference}: Board pack sent to {len(members)} member(s)",
    )
    db.session.flush()
    return len(members)


def can_prepare_recommendation(actor: Any, application: Application) -> bool:
    """The recommendation form is offered before every review is in: recording it says what is
    still outstanding."""
    return bool(
        APPLICATION_WORKFLOW.available_moves(
            application, actor, among=(S.RECOMMENDED, S.NOT_RECOMMENDED), unready=True
        )
    )
