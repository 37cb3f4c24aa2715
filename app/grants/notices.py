"""Who is told about what on a grant: a tranche waiting for its checker, a tranche ready to send,
a report due, submitted or sent back. Notifications carry a reference and a link, never case
details (DESIGN.md §6); their e-mails leave only once the change is committed.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from app.accounts.models import User, UserRole
from app.accounts.permissions import (
    ROLE_PERMISSIONS,
    Permission,
    has_permission,
    is_member,
)
from app.grants.models import GrantReport, Tranche
from app.notifications.models import NotificationKind
from app.notifications.services import link_to, notify_all, organisation_staff
from app.platform.extensions import db

KIND = NotificationKind.ATTENTION_NEEDED


def staff_with(permission: Permission, *, organisation_id: int) -> list[User]:
    """Active people holding ``permission`` who do not belong to the grantee organisation."""
    roles = [role for role, granted in ROLE_PERMISSIONS.items() if permission in granted]
    users = db.session.execute(
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(roles), User.is_active.is_(True))
        .order_by(User.id)
        .distinct()
    ).scalars()
    return [
        user
        for user in users
        if has_permission(user, permission) and not is_member(user, organisation_id)
    ]


def _tell(users: Iterable[User], *, link: str, reference: str) -> None:
    notify_all(users, kind=KIND, link=link, params={"reference": reference})


def tranche_requested(tranche: Tranche, *, maker: User) -> None:
    """Every other finance officer who may approve it: a checker is needed."""
    checkers = [
        user
        for user in staff_with(
            Permission.APPROVE_DISBURSEMENT, organisation_id=tranche.grant.organisation_id
        )
        if user.id != maker.id
    ]
    _tell(
        checkers,
        link=link_to("grants.tranche", tranche_id=tranche.id),
        reference=f"{tranche.reference}: approval needed",
    )


def tranche_approved(tranche: Tranche) -> None:
    """The maker: the tranche they asked for can now be sent to the bank."""
    if tranche.requested_by is None:
        return
    _tell(
        [tranche.requested_by],
        link=link_to("grants.tranche", tranche_id=tranche.id),
        reference=f"{tranche.reference}: approved, ready to send",
    )


def report_due(report: GrantReport, *, title: str) -> None:
    """The grantee's staff: a report falls due (or is overdue)."""
    _tell(
        organisation_staff(report.grant.organisation_id),
        link=link_to("grants.edit_report", report_id=report.id),
        reference=f"{report.grant.reference}, {title}, due {report.due_date.isoformat()}",
    )


def report_submitted(report: GrantReport, *, title: str) -> None:
    """The fund managers who review reports."""
    _tell(
        staff_with(Permission.ACCEPT_GRANT_REPORT, organisation_id=report.grant.organisation_id),
        link=link_to("grants.report", report_id=report.id),
        reference=f"{report.grant.reference}, {title}: review needed",
    )


def report_sent_back(report: GrantReport, *, title: str) -> None:
    _tell(
        organisation_staff(report.grant.organisation_id),
        link=link_to("grants.report", report_id=report.id),
        reference=f"{report.grant.reference}, {title}: changes requested",
    )
