"""What holds an organisation, said on its page and its applications' pages to the fund's
staff: a sanctions match not cleared, and bank details changing, in their hold or shared."""

from __future__ import annotations

from typing import Any

from app.accounts.models import Organisation, User
from app.accounts.permissions import Permission, has_permission, is_member
from app.organisations.services.destinations import destination
from app.screening.services.decisions import standing_hits
from app.screening.web.labels import screening_label


def due_diligence_notice(user: User, organisation: Organisation) -> dict[str, Any]:
    """The template's ``due_diligence`` (None for the organisation's own people and anyone
    outside the fund's selection and verification staff)."""
    staff = has_permission(user, Permission.VERIFY_ORGANISATION) or has_permission(
        user, Permission.VIEW_ALL_APPLICATIONS
    )
    if not staff or is_member(user, organisation.id):
        return {"due_diligence": None}
    payee = destination(organisation.id)
    return {
        "due_diligence": {
            "hits": standing_hits(organisation.id),
            "pending": payee.pending is not None,
            "held_until": payee.held_until,
            "changed_at": payee.changed_at,
            "shared_with": payee.shared_with,
            "label": screening_label,
        }
    }
