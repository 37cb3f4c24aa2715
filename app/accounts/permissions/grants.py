"""Grants: grantee staff see only their organisation's grants (routes answer 404 otherwise);
the fund's staff who oversee applications or the ledger see them all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.accounts.permissions.roles import Actor, Permission, has_permission, is_member

if TYPE_CHECKING:
    from app.grants.models import Grant, GrantReport


def can_view_grant(actor: Actor | None, grant: Grant) -> bool:
    if has_permission(actor, Permission.VIEW_ALL_APPLICATIONS) or has_permission(
        actor, Permission.VIEW_LEDGER
    ):
        return True
    return has_permission(actor, Permission.SUBMIT_GRANT_REPORT) and is_member(
        actor, grant.organisation_id
    )


def can_view_grant_report(actor: Actor | None, report: GrantReport) -> bool:
    return can_view_grant(actor, report.grant)


def can_view_safeguarding(actor: Actor | None, report: GrantReport) -> bool:
    """Safeguarding incidents go to the fund manager only (and stay with the NGO that wrote
    them); finance, auditors and the Board do not see them (DESIGN.md §6)."""
    if has_permission(actor, Permission.SUBMIT_GRANT_REPORT) and is_member(
        actor, report.grant.organisation_id
    ):
        return True
    return has_permission(actor, Permission.ACCEPT_GRANT_REPORT) and not is_member(
        actor, report.grant.organisation_id
    )
