"""Every access rule in one place: permissions, the role→permission map, object predicates.

Routes declare ``@requires(Permission.X)`` (app/web/access.py) and then call a ``can_*``
predicate on the loaded object; services call the same predicates, so the rules hold when
the UI is bypassed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from app.accounts.models import Organisation, Role, User
from app.platform.errors import N_, PermissionDenied, SegregationOfDuties

if TYPE_CHECKING:
    from app.applications.models import Application, Document
    from app.calls.models import Call
    from app.donations.models import DonationReceipt, Donor, Gift, GiftSubscription, Pledge
    from app.grants.models import Grant, GrantReport


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
        }
    ),
    # Auditors read the fund's notes on a case but add none: they check, they do not act.
    Role.AUDITOR: frozenset(
        _OVERSIGHT | {Permission.VIEW_AUDIT_LOG, Permission.VIEW_INTERNAL_NOTES}
    ),
    Role.ADMIN: frozenset(
        {Permission.MANAGE_USERS, Permission.MANAGE_SETTINGS, Permission.VIEW_AUDIT_LOG}
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


# --- object-level predicates -------------------------------------------------------------


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


# --- calls, organisations and applications (the NGO side) ---------------------------------
# An NGO member sees only their own organisation's records; routes answer 404 (not 403) when
# these say no, so guessing ids reveals nothing.


def is_member(actor: Actor | None, organisation_id: int) -> bool:
    return (
        isinstance(actor, User)
        and actor.is_active
        and any(m.organisation_id == organisation_id for m in actor.memberships)
    )


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


# --- donations ---------------------------------------------------------------------------
# Donors see only their own contributions; routes answer 404 when these say no.


def owns_donor(actor: Actor | None, donor: Donor) -> bool:
    """The donor is the actor, or an organisation the actor belongs to."""
    if not isinstance(actor, User) or not actor.is_active:
        return False
    if donor.organisation_id is not None:
        return is_member(actor, donor.organisation_id)
    if donor.user_id is not None:
        return donor.user_id == actor.id
    # Someone who gave without an account sees those gifts once they prove the address.
    return bool(donor.email) and actor.email_confirmed and donor.email == actor.email


def can_view_contributions_of(actor: Actor | None, donor: Donor) -> bool:
    if has_permission(actor, Permission.VIEW_ALL_CONTRIBUTIONS):
        return True
    return has_permission(actor, Permission.VIEW_OWN_CONTRIBUTIONS) and owns_donor(actor, donor)


def can_view_gift(actor: Actor | None, gift: Gift) -> bool:
    return can_view_contributions_of(actor, gift.donor)


def can_view_pledge(actor: Actor | None, pledge: Pledge) -> bool:
    return can_view_contributions_of(actor, pledge.donor)


def can_view_receipt(actor: Actor | None, receipt: DonationReceipt) -> bool:
    donor = receipt.donor
    if donor is None:
        return has_permission(actor, Permission.VIEW_ALL_CONTRIBUTIONS)
    return can_view_contributions_of(actor, donor)


def can_pledge_for(actor: Actor | None, donor: Donor) -> bool:
    """A donor pledges for themselves or their organisation (finance records on behalf)."""
    return has_permission(actor, Permission.MAKE_PLEDGE) and owns_donor(actor, donor)


def can_stop_monthly_gift(actor: Actor | None, subscription: GiftSubscription) -> bool:
    return has_permission(actor, Permission.VIEW_OWN_CONTRIBUTIONS) and owns_donor(
        actor, subscription.donor
    )


# --- grants ------------------------------------------------------------------------------
# Grantee staff see only their organisation's grants (routes answer 404 otherwise); the fund's
# staff who oversee applications or the ledger see them all.


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


# --- selection: screening, reviews, Board (issue 6) ---------------------------------------
# Nobody screens, reviews, recommends or decides on an application of an organisation they
# belong to; a reviewer sees an application only once assigned and cleared of conflicts.

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
