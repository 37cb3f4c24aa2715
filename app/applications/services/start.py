"""Opening a draft application to an open call."""

from __future__ import annotations

from datetime import datetime

from app.accounts.models import Organisation, User
from app.accounts.permissions import Permission, ensure_permission, is_member
from app.applications.models import Application, ApplicationStatus
from app.applications.services.budget import psc_rate
from app.applications.services.queries import profile_of
from app.audit.services import record_event
from app.calls.models import Call
from app.platform.db import utcnow
from app.platform.errors import N_, PermissionDenied, ValidationFailed
from app.platform.extensions import db


def start_application(
    *, actor: User, call: Call, organisation: Organisation, now: datetime | None = None
) -> Application:
    """Open a draft for an open call. Verification is needed to submit, not to prepare."""
    ensure_permission(actor, Permission.APPLY_FOR_GRANT)
    if not is_member(actor, organisation.id) or profile_of(organisation) is None:
        raise PermissionDenied(N_("You can apply only for an organisation you belong to."))
    now = now or utcnow()
    if not call.is_open_at(now):
        raise ValidationFailed(N_("This call is not open for applications."))
    if call.concept_closes_at is not None and now >= call.concept_closes_at:
        # Two stages (decision 0115): a new application starts with a concept note.
        raise ValidationFailed(
            N_(
                "Concept notes for this call were due by %(deadline)s UTC: it is too late to apply."
            ),
            deadline=call.concept_closes_at.strftime("%Y-%m-%d %H:%M:%S"),
        )
    application = Application(
        call=call,
        organisation=organisation,
        status=ApplicationStatus.DRAFT,
        currency=call.currency,
        psc_rate=psc_rate(),
        language=call.languages[0] if len(call.languages) == 1 else None,
        created_by_id=actor.id,
        updated_by_id=actor.id,
    )
    db.session.add(application)
    db.session.flush()
    record_event(
        actor=actor,
        action="application.started",
        subject=application,
        summary=f"{organisation.name} started an application to {call.reference}",
    )
    return application
