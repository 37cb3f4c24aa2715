"""Calls, organisations and applications (the NGO side): an NGO member sees only their own
organisation's records; routes answer 404 (not 403) when these say no, so guessing ids reveals
nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.accounts.permissions.roles import Actor, Permission, has_permission, is_member
from app.accounts.permissions.selection import can_view_board_papers, is_cleared_reviewer

if TYPE_CHECKING:
    from app.accounts.models import Organisation
    from app.applications.models import Application, Document
    from app.calls.models import Call


def can_view_call(actor: Actor | None, call: Call) -> bool:
    """Published (and later) calls are public; drafts only for those who run calls."""
    return call.status != "draft" or has_permission(actor, Permission.MANAGE_CALLS)


def can_view_organisation(actor: Actor | None, organisation: Organisation) -> bool:
    if has_permission(actor, Permission.VERIFY_ORGANISATION) or has_permission(
        actor, Permission.VIEW_ALL_APPLICATIONS
    ):
        return True
    return has_permission(actor, Permission.MANAGE_OWN_ORGANISATION) and is_member(
        actor, organisation.id
    )


def can_manage_organisation(actor: Actor | None, organisation: Organisation) -> bool:
    """Edit the due-diligence file and upload its documents: the organisation's own staff."""
    return has_permission(actor, Permission.MANAGE_OWN_ORGANISATION) and is_member(
        actor, organisation.id
    )


def can_invite_colleague(actor: Actor | None, organisation: Organisation) -> bool:
    return can_manage_organisation(actor, organisation) and any(
        m.organisation_id == organisation.id and m.role == "owner"
        for m in getattr(actor, "memberships", [])
    )


def can_verify_organisation(actor: Actor | None, organisation: Organisation) -> bool:
    """The fund verifies; nobody verifies an organisation they belong to."""
    return has_permission(actor, Permission.VERIFY_ORGANISATION) and not is_member(
        actor, organisation.id
    )


def can_view_application(actor: Actor | None, application: Application) -> bool:
    if has_permission(actor, Permission.VIEW_ALL_APPLICATIONS):
        return True
    if has_permission(actor, Permission.APPLY_FOR_GRANT) and is_member(
        actor, application.organisation_id
    ):
        return True
    # Reviewers: only what they are assigned, once they have declared no conflict (issue 6).
    if is_cleared_reviewer(actor, application):
        return True
    return can_view_board_papers(actor, application)


def can_edit_application(actor: Actor | None, application: Application) -> bool:
    """The applicant's staff, while the application is a draft or information is requested."""
    return (
        has_permission(actor, Permission.APPLY_FOR_GRANT)
        and is_member(actor, application.organisation_id)
        and application.is_editable
    )


def can_request_information(actor: Actor | None, application: Application) -> bool:
    return has_permission(actor, Permission.SCREEN_APPLICATION) and not is_member(
        actor, application.organisation_id
    )


def can_view_document(actor: Actor | None, document: Document) -> bool:
    if document.application is not None:
        return can_view_application(actor, document.application)
    return can_view_organisation(actor, document.organisation)
