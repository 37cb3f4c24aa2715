"""What the selection's use cases share: who may act for the fund on an application."""

from __future__ import annotations

from typing import Any

from app.accounts.permissions import Permission, ensure_permission, is_member
from app.applications.models import Application
from app.platform.errors import N_, PermissionDenied, SegregationOfDuties


def refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(N_("You do not have permission to do this."))


def fund_side(actor: Any, application: Application, permission: Permission) -> None:
    """The permission, and no link with the applicant (segregation of duties)."""
    ensure_permission(actor, permission)
    if is_member(actor, application.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to the applicant organisation, so you take no part in its selection.")
        )
