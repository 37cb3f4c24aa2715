"""Every access rule, one module per concern: ``roles`` (each ``Permission``, the role →
permission map, ``has_permission``, ``is_member``, the roles one person may not hold together),
then the object predicates of ``applications`` (calls, organisations, applications),
``donations``, ``grants`` and ``selection`` (screening, reviews, the Board; its reviewer
clearance is connected at start-up through ``find_assignments_with``, app/bootstrap.py).

Routes declare ``@requires(Permission.X)`` (app/web/access.py) and then call a ``can_*``
predicate on the loaded object; services call the same predicates, so the rules hold when
the UI is bypassed. About a hundred modules import these names from ``app.accounts.permissions``
itself, so this package lists them all: import from here, not from the modules below.
"""

from __future__ import annotations

from app.accounts.permissions.applications import (
    can_edit_application,
    can_invite_colleague,
    can_manage_organisation,
    can_request_information,
    can_verify_organisation,
    can_view_application,
    can_view_call,
    can_view_document,
    can_view_organisation,
)
from app.accounts.permissions.donations import (
    can_pledge_for,
    can_stop_monthly_gift,
    can_view_contributions_of,
    can_view_gift,
    can_view_pledge,
    can_view_receipt,
    owns_donor,
)
from app.accounts.permissions.grants import (
    can_view_grant,
    can_view_grant_report,
    can_view_safeguarding,
)
from app.accounts.permissions.roles import (
    INCOMPATIBLE_ROLES,
    MONEY_PERMISSIONS,
    ROLE_PERMISSIONS,
    Actor,
    Permission,
    can_manage_user,
    can_view_audit_log,
    check_role_grant,
    check_roles_compatible,
    ensure_permission,
    has_permission,
    is_member,
    permissions_for_roles,
    permissions_of,
)
from app.accounts.permissions.selection import (
    BOARD_STAGE_STATUSES,
    can_assign_reviewers,
    can_recommend,
    can_record_decision,
    can_screen_application,
    can_view_board_papers,
    can_view_decision_letter,
    find_assignments_with,
    is_cleared_reviewer,
)

__all__ = [
    "BOARD_STAGE_STATUSES",
    "INCOMPATIBLE_ROLES",
    "MONEY_PERMISSIONS",
    "ROLE_PERMISSIONS",
    "Actor",
    "Permission",
    "can_assign_reviewers",
    "can_edit_application",
    "can_invite_colleague",
    "can_manage_organisation",
    "can_manage_user",
    "can_pledge_for",
    "can_recommend",
    "can_record_decision",
    "can_request_information",
    "can_screen_application",
    "can_stop_monthly_gift",
    "can_verify_organisation",
    "can_view_application",
    "can_view_audit_log",
    "can_view_board_papers",
    "can_view_call",
    "can_view_contributions_of",
    "can_view_decision_letter",
    "can_view_document",
    "can_view_gift",
    "can_view_grant",
    "can_view_grant_report",
    "can_view_organisation",
    "can_view_pledge",
    "can_view_receipt",
    "can_view_safeguarding",
    "check_role_grant",
    "check_roles_compatible",
    "ensure_permission",
    "find_assignments_with",
    "has_permission",
    "is_cleared_reviewer",
    "is_member",
    "owns_donor",
    "permissions_for_roles",
    "permissions_of",
]
