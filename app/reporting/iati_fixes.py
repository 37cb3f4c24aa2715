"""Fixing what the IATI data-quality page finds, at its source: a grant's groups (its themes).

The groups a project reaches give its IATI sectors (app/reporting/iati_sectors.py). They are
chosen in the application, which is read-only once submitted; a grant whose application has none
(imported, or from before the groups were asked for) breaks the ruleset's sector rule. The fund
manager chooses them here, for the grant's application, audited; the next publication tick
publishes the file with the sectors.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.accounts.models import User
from app.accounts.permissions import Permission, ensure_permission, is_member
from app.applications.services.checks import clean_codes
from app.audit.services import record_event
from app.grants.models import Grant
from app.platform.categories import Theme
from app.platform.db import lock_rows
from app.platform.errors import N_, SegregationOfDuties, ValidationFailed
from app.platform.extensions import db


def correct_groups(*, actor: User, grant: Grant, groups: Iterable[str]) -> Grant:
    """Set the groups the grant's project reaches (its themes, hence its IATI sectors)."""
    ensure_permission(actor, Permission.AWARD_GRANT)
    if is_member(actor, grant.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to the grantee organisation, so another colleague must do this.")
        )
    chosen = clean_codes(groups, Theme)
    if not chosen:
        raise ValidationFailed(N_("Choose the groups the project reaches."))
    application = grant.application
    lock_rows(application)
    before = list(application.target_groups or [])
    if before == chosen:
        return grant
    application.target_groups = chosen
    db.session.flush()
    record_event(
        actor=actor,
        action="grant.groups_corrected",
        subject=grant,
        summary=f"{grant.reference}: groups reached set to {', '.join(chosen)}",
        changes={"target_groups": {"from": before, "to": chosen}},
    )
    return grant
