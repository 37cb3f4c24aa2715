"""Selection (screening, reviews, the Board): nobody screens, reviews, recommends or decides on
an application of an organisation they belong to; a reviewer sees an application only once
assigned and cleared of conflicts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.accounts.models import User
from app.accounts.permissions.roles import Actor, Permission, has_permission, is_member

if TYPE_CHECKING:
    from app.applications.models import Application

# Application states in which the Board's papers exist (recommended or later).
BOARD_STAGE_STATUSES = frozenset(
    {"recommended", "not_recommended", "approved", "reserve", "rejected"}
)


def _not_connected(application: Application, reviewer: User) -> object | None:
    raise RuntimeError("No review assignments source: create_app() connects the reviews area.")


# Who is assigned to review what is the reviews area's knowledge, and that area builds on this
# one: importing it here would make the two import each other. So the clearance check asks a
# function that create_app() hands over once, at start-up (find_assignments_with), in plain
# sight in app/bootstrap.py.
_active_assignment: Callable[[Application, User], object | None] = _not_connected


def find_assignments_with(active: Callable[[Application, User], object | None]) -> None:
    """Tell the clearance check how to find a reviewer's active assignment (start-up only)."""
    global _active_assignment
    _active_assignment = active


def is_cleared_reviewer(actor: Actor | None, application: Application) -> bool:
    """Assigned to ``application``, declared no conflict, not removed, not linked to it."""
    if not has_permission(actor, Permission.REVIEW_APPLICATION) or not isinstance(actor, User):
        return False
    if is_member(actor, application.organisation_id):
        return False
    return _active_assignment(application, actor) is not None


def can_screen_application(actor: Actor | None, application: Application) -> bool:
    return has_permission(actor, Permission.SCREEN_APPLICATION) and not is_member(
        actor, application.organisation_id
    )


def can_assign_reviewers(actor: Actor | None, application: Application) -> bool:
    return has_permission(actor, Permission.ASSIGN_REVIEWERS) and not is_member(
        actor, application.organisation_id
    )


def can_recommend(actor: Actor | None, application: Application) -> bool:
    return has_permission(actor, Permission.PREPARE_BOARD_PACK) and not is_member(
        actor, application.organisation_id
    )


def can_view_board_papers(actor: Actor | None, application: Application) -> bool:
    """Board members see an application once it goes to the Board, unless linked to it."""
    return (
        has_permission(actor, Permission.VIEW_BOARD_PACK)
        and not is_member(actor, application.organisation_id)
        and str(application.status) in BOARD_STAGE_STATUSES
    )


def can_record_decision(actor: Actor | None, application: Application) -> bool:
    return has_permission(actor, Permission.RECORD_BOARD_DECISION) and not is_member(
        actor, application.organisation_id
    )


def can_view_decision_letter(actor: Actor | None, application: Application) -> bool:
    """The applicant's own staff, and the fund's staff who see every application."""
    return has_permission(actor, Permission.VIEW_ALL_APPLICATIONS) or (
        has_permission(actor, Permission.APPLY_FOR_GRANT)
        and is_member(actor, application.organisation_id)
    )
