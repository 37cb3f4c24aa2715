"""Who may do what by role: every ``Permission``, the role → permission map, the roles one
person may not hold together, and the membership test the per-feature predicates build on."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Protocol

from app.accounts.models import Role, User
from app.platform.errors import N_, PermissionDenied, SegregationOfDuties


class Permission(StrEnum):
    # accounts and administration
    MANAGE_USERS = "manage_users"
    MANAGE_SETTINGS = "manage_settings"
    VIEW_AUDIT_LOG = "view_audit_log"
    # donors
    MAKE_PLEDGE = "make_pledge"
    VIEW_OWN_CONTRIBUTIONS = "view_own_contributions"
    # NGO side
    MANAGE_OWN_ORGANISATION = "manage_own_organisation"
    APPLY_FOR_GRANT = "apply_for_grant"
    SUBMIT_GRANT_REPORT = "submit_grant_report"
    # fund manager
    MANAGE_CALLS = "manage_calls"
    VERIFY_ORGANISATION = "verify_organisation"
    SCREEN_APPLICATION = "screen_application"
    ASSIGN_REVIEWERS = "assign_reviewers"
    PREPARE_BOARD_PACK = "prepare_board_pack"
    AWARD_GRANT = "award_grant"
    ACCEPT_GRANT_REPORT = "accept_grant_report"
    CLOSE_GRANT = "close_grant"
    DECIDE_SCREENING_HIT = "decide_screening_hit"
    # reviewers and board
    REVIEW_APPLICATION = "review_application"
    VIEW_BOARD_PACK = "view_board_pack"
    RECORD_BOARD_DECISION = "record_board_decision"
    # finance
    CONFIRM_PLEDGE = "confirm_pledge"
    RECORD_BANK_RECEIPT = "record_bank_receipt"
    MANAGE_EXCHANGE_RATES = "manage_exchange_rates"
    REQUEST_DISBURSEMENT = "request_disbursement"
    APPROVE_DISBURSEMENT = "approve_disbursement"
    CONFIRM_DISBURSEMENT = "confirm_disbursement"
    POST_LEDGER_TRANSFER = "post_ledger_transfer"
    # read-only oversight
    VIEW_LEDGER = "view_ledger"
    VIEW_ALL_APPLICATIONS = "view_all_applications"
    VIEW_ALL_CONTRIBUTIONS = "view_all_contributions"
    VIEW_DASHBOARD = "view_dashboard"
    EXPORT_DATA = "export_data"
    # the fund's own notes on a case, never shown to the NGO or donor it is about
    WRITE_INTERNAL_NOTE = "write_internal_note"
    VIEW_INTERNAL_NOTES = "view_internal_notes"
    # the wording of the e-mails and letters the fund sends (app/texts/)
    EDIT_TEXTS = "edit_texts"
    # monitoring (app/monitoring): read a grant's visits and the partner score; plan and record
    # visits and follow up recommendations; confirm the risk rating the score proposes
    VIEW_MONITORING = "view_monitoring"
    MANAGE_MONITORING = "manage_monitoring"
    CONFIRM_RISK_RATING = "confirm_risk_rating"


# Permissions that move or commit money. Nobody who holds the admin role may use them, even
# when another role would grant them: "an admin never moves money" (DESIGN.md §1).
MONEY_PERMISSIONS = frozenset(
    {
        Permission.CONFIRM_PLEDGE,
        Permission.RECORD_BANK_RECEIPT,
        Permission.REQUEST_DISBURSEMENT,
        Permission.APPROVE_DISBURSEMENT,
        Permission.CONFIRM_DISBURSEMENT,
        Permission.POST_LEDGER_TRANSFER,
        Permission.AWARD_GRANT,
    }
)

_OVERSIGHT = {
    Permission.VIEW_LEDGER,
    Permission.VIEW_ALL_APPLICATIONS,
    Permission.VIEW_ALL_CONTRIBUTIONS,
    Permission.VIEW_DASHBOARD,
    Permission.EXPORT_DATA,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.DONOR: frozenset({Permission.MAKE_PLEDGE, Permission.VIEW_OWN_CONTRIBUTIONS}),
    Role.APPLICANT: frozenset(
        {
            Permission.MANAGE_OWN_ORGANISATION,
            Permission.APPLY_FOR_GRANT,
            Permission.SUBMIT_GRANT_REPORT,
        }
    ),
    Role.REVIEWER: frozenset({Permission.REVIEW_APPLICATION}),
    Role.BOARD: frozenset(
        {Permission.VIEW_BOARD_PACK, Permission.RECORD_BOARD_DECISION, Permission.VIEW_DASHBOARD}
    ),
    Role.FUND_MANAGER: frozenset(
        {
            Permission.MANAGE_CALLS,
            Permission.VERIFY_ORGANISATION,
            Permission.SCREEN_APPLICATION,
            Permission.ASSIGN_REVIEWERS,
            Permission.PREPARE_BOARD_PACK,
            Permission.VIEW_BOARD_PACK,
            Permission.RECORD_BOARD_DECISION,
            Permission.AWARD_GRANT,
            Permission.ACCEPT_GRANT_REPORT,
            Permission.CLOSE_GRANT,
            Permission.DECIDE_SCREENING_HIT,
            Permission.VIEW_ALL_APPLICATIONS,
            Permission.VIEW_ALL_CONTRIBUTIONS,
            Permission.VIEW_DASHBOARD,
            Permission.VIEW_LEDGER,
            Permission.EXPORT_DATA,
            Permission.WRITE_INTERNAL_NOTE,
            Permission.VIEW_INTERNAL_NOTES,
            Permission.EDIT_TEXTS,
            Permission.VIEW_MONITORING,
            Permission.MANAGE_MONITORING,
            Permission.CONFIRM_RISK_RATING,
        }
    ),
    Role.FINANCE: frozenset(
        {
            Permission.CONFIRM_PLEDGE,
            Permission.RECORD_BANK_RECEIPT,
            Permission.MANAGE_EXCHANGE_RATES,
            Permission.REQUEST_DISBURSEMENT,
            Permission.APPROVE_DISBURSEMENT,
            Permission.CONFIRM_DISBURSEMENT,
            Permission.POST_LEDGER_TRANSFER,
            Permission.VIEW_ALL_CONTRIBUTIONS,
            Permission.VIEW_DASHBOARD,
            Permission.VIEW_LEDGER,
            Permission.EXPORT_DATA,
            Permission.WRITE_INTERNAL_NOTE,
            Permission.VIEW_INTERNAL_NOTES,
            Permission.VIEW_MONITORING,
        }
    ),
    # Auditors read the fund's notes on a case but add none: they check, they do not act.
    Role.AUDITOR: frozenset(
        _OVERSIGHT
        | {Permission.VIEW_AUDIT_LOG, Permission.VIEW_INTERNAL_NOTES, Permission.VIEW_MONITORING}
    ),
    Role.ADMIN: frozenset(
        {
            Permission.MANAGE_USERS,
            Permission.MANAGE_SETTINGS,
            Permission.VIEW_AUDIT_LOG,
            Permission.EDIT_TEXTS,
        }
    ),
}

# Pairs of roles one person may not hold together: an admin who could also confirm money
# could grant themselves anything and move it.
INCOMPATIBLE_ROLES: frozenset[frozenset[Role]] = frozenset({frozenset({Role.ADMIN, Role.FINANCE})})


class Actor(Protocol):
    """Anything that can act: a User, or Flask-Login's anonymous user."""

    is_authenticated: bool


def permissions_for_roles(roles: frozenset[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    if Role.ADMIN in roles:
        granted -= MONEY_PERMISSIONS
    return frozenset(granted)


def permissions_of(actor: Actor | None) -> frozenset[Permission]:
    if actor is None or not actor.is_authenticated or not isinstance(actor, User):
        return frozenset()
    if not actor.is_active:
        return frozenset()
    return permissions_for_roles(actor.roles)


def has_permission(actor: Actor | None, permission: Permission) -> bool:
    return permission in permissions_of(actor)


def ensure_permission(actor: Actor | None, permission: Permission) -> None:
    """Raise PermissionDenied unless the actor holds the permission (used by services)."""
    if not has_permission(actor, permission):
        raise PermissionDenied(N_("You do not have permission to do this."))


def can_manage_user(actor: Actor | None, target: User) -> bool:
    """Admins manage other people's accounts, never their own roles or status."""
    return (
        has_permission(actor, Permission.MANAGE_USERS)
        and isinstance(actor, User)
        and actor.id != target.id
    )


def check_role_grant(actor: Actor | None, target: User, role: Role) -> None:
    """Raise unless ``actor`` may give ``role`` to ``target``."""
    if not has_permission(actor, Permission.MANAGE_USERS):
        raise PermissionDenied(N_("Only an administrator can grant roles."))
    if isinstance(actor, User) and actor.id == target.id:
        raise SegregationOfDuties(
            N_("You cannot change your own roles; ask another administrator.")
        )
    check_roles_compatible(target.roles | {role})


def check_roles_compatible(roles: Iterable[Role]) -> None:
    """Raise when one person would hold two roles that must stay apart (admin and finance)."""
    held = set(roles)
    for pair in INCOMPATIBLE_ROLES:
        if pair <= held:
            names = " and ".join(sorted(r.value for r in pair))
            raise SegregationOfDuties(
                N_("One person cannot hold both the %(roles)s roles."), roles=names
            )


def can_view_audit_log(actor: Actor | None) -> bool:
    return has_permission(actor, Permission.VIEW_AUDIT_LOG)


def is_member(actor: Actor | None, organisation_id: int) -> bool:
    return (
        isinstance(actor, User)
        and actor.is_active
        and any(m.organisation_id == organisation_id for m in actor.memberships)
    )
