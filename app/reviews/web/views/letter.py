"""The applicant's decision letter."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template

from app.accounts.permissions import can_view_decision_letter
from app.applications.models import Application, ApplicationStatus
from app.reviews.queries.applicant import feedback_for
from app.reviews.queries.board import latest_decision
from app.reviews.queries.scores import application_score
from app.reviews.web.blueprint import bp
from app.reviews.web.views.common import page_locale
from app.texts.services import render_in_force
from app.web.access import login_required
from app.web.display import money
from app.web.lookup import visible_or_404

S = ApplicationStatus


@bp.get("/applications/<int:application_id>/decision-letter")
@login_required
def decision_letter(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_decision_letter)
    decision = latest_decision(application)
    if decision is None or application.status not in (S.APPROVED, S.RESERVE, S.REJECTED):
        abort(404)
    # The staff's wording of the decision paragraph in this language, if any (app/texts/).
    staff_text = None
    key = {"approved": "letter.decision_approved", "rejected": "letter.decision_declined"}.get(
        decision.outcome.value
    )
    if key is not None:
        staff_text = render_in_force(
            key,
            page_locale(),
            {
                "reference": application.reference,
                "title": application.title,
                "organisation": application.organisation.name,
                "call": application.call.title_in(page_locale()),
                "meeting_date": decision.meeting.held_on.isoformat(),
                "amount": money(decision.approved_amount, application.currency)
                if decision.approved_amount is not None
                else "",
            },
        )
    return render_template(
        "reviews/decision_letter.html",
        staff_paragraphs=[p for p in staff_text.body.split("\n\n") if p.strip()]
        if staff_text is not None
        else None,
        application=application,
        call=application.call,
        decision=decision,
        score=application_score(application),
        feedback=feedback_for(application),
        locale=page_locale(),
    )
