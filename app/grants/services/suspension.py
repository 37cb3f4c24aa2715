"""Suspension: stopping a running grant's new tranches, and letting it run again."""

from __future__ import annotations

from app.accounts.models import User
from app.grants.models import Grant, GrantStatus
from app.grants.services.common import clean_text
from app.grants.workflow import GRANT_WORKFLOW
from app.platform.db import lock_rows
from app.platform.errors import N_, ValidationFailed
from app.platform.extensions import db


def suspend_grant(*, actor: User, grant: Grant, reason: str) -> Grant:
    """Stop new tranches (money already at the bank can still be confirmed)."""
    lock_rows(grant)
    reason = clean_text(reason)
    if not reason:
        raise ValidationFailed(N_("Say why the grant is suspended."))
    GRANT_WORKFLOW.transition(grant, GrantStatus.SUSPENDED, actor=actor, reason=reason)
    grant.suspension_reason = reason
    db.session.flush()
    return grant


def resume_grant(*, actor: User, grant: Grant) -> Grant:
    lock_rows(grant)
    GRANT_WORKFLOW.transition(grant, GrantStatus.ACTIVE, actor=actor)
    grant.suspension_reason = None
    db.session.flush()
    return grant
