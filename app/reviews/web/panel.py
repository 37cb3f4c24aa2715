"""The selection panel on an application's page (applications.show): what the visitor may see
and do about the application's screening, reviews and decision."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from app.accounts.permissions import (
    Permission,
    can_view_decision_letter,
    has_permission,
    is_member,
)
from app.applications.models import Application
from app.applications.models import ApplicationStatus as S
from app.reviews.queries.applicant import timeline
from app.reviews.queries.board import latest_decision
from app.reviews.queries.screening import ineligibility_reason
from app.reviews.services.assignment import can_assign
from app.reviews.services.screening import can_screen


def selection_context(application: Application) -> dict[str, Any]:
    """What the application page shows about selection."""
    member = is_member(current_user, application.organisation_id)
    decision = latest_decision(application)
    return {
        "selection_timeline": timeline(application) if member else [],
        "ineligibility_reason": ineligibility_reason(application),
        "has_decision_letter": decision is not None
        and application.status in (S.APPROVED, S.RESERVE, S.REJECTED)
        and can_view_decision_letter(current_user, application),
        "can_screen": can_screen(current_user, application),
        "can_assign": can_assign(current_user, application),
        "can_read_reviews": has_permission(current_user, Permission.VIEW_ALL_APPLICATIONS)
        and not member
        and application.status not in (S.DRAFT, S.SUBMITTED, S.SCREENING),
    }
