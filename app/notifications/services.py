"""Notifying people: a row for the in-app centre, and an e-mail queued until the commit.

E-mails are never sent from here: ``notify`` puts them in the session's ``info`` and the web
layer's before-commit hook (app/notifications/web/mail.py) writes them to the outbox in the
same transaction, so a rolled-back action never mails anyone and a committed one is not lost.
Neither the row nor the e-mail carries case details: a kind, a reference and a link (DESIGN.md
§6).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import Membership, User, UserRole
from app.accounts.permissions import ROLE_PERMISSIONS, Permission, has_permission, is_member
from app.notifications.models import Notification, NotificationKind
from app.platform import links
from app.platform.db import utcnow
from app.platform.errors import N_, NotFound
from app.platform.extensions import db

PENDING_EMAILS = "pending_notification_emails"


@dataclass(frozen=True)
class PendingEmail:
    """What the before-commit hook needs to write the e-mail, as plain values."""

    to: str
    locale: str | None
    kind: NotificationKind
    link: str
    params: dict[str, Any] = field(default_factory=dict)


def link_to(endpoint: str, **values: Any) -> str:
    """The path of a page, built without a request (CLI commands notify too)."""
    return links.page(endpoint, **values)


def notify(
    *,
    user: User,
    kind: NotificationKind,
    link: str,
    params: dict[str, Any] | None = None,
    email: bool = True,
) -> Notification:
    """Tell ``user`` that something needs their attention. ``params`` hold references only."""
    notification = Notification(
        user_id=user.id, kind=NotificationKind(kind), link=link, params=dict(params or {})
    )
    db.session.add(notification)
    if email and user.is_active and user.email:
        queue = db.session.info.setdefault(PENDING_EMAILS, [])
        queue.append(
            PendingEmail(
                to=user.email,
                locale=user.locale,
                kind=notification.kind,
                link=link,
                params=dict(params or {}),
            )
        )
    return notification


def notify_all(
    users: Iterable[User],
    *,
    kind: NotificationKind,
    link: str,
    params: dict[str, Any] | None = None,
) -> list[Notification]:
    seen: set[int] = set()
    sent = []
    for user in users:
        if user.id in seen:
            continue
        seen.add(user.id)
        sent.append(notify(user=user, kind=kind, link=link, params=params))
    return sent


def organisation_staff(organisation_id: int) -> list[User]:
    """The applicant's people to tell: active members who may act on its applications."""
    users = db.session.execute(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organisation_id == organisation_id,
            User.is_active.is_(True),
            User.is_program.is_(False),  # an OAuth client's account is told nothing
        )
        .order_by(User.id)
        .options(selectinload(User.role_grants))
    ).scalars()
    return [u for u in users if has_permission(u, Permission.APPLY_FOR_GRANT)]


def fund_staff_with(permission: Permission, *, organisation_id: int) -> list[User]:
    """Active people holding ``permission`` who do not belong to the organisation concerned."""
    roles = [role for role, granted in ROLE_PERMISSIONS.items() if permission in granted]
    users = db.session.execute(
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(roles), User.is_active.is_(True), User.is_program.is_(False))
        .order_by(User.id)
        .distinct()
        # Each person's roles and memberships in two queries, not two per person: every
        # hand-off tells all of them.
        .options(selectinload(User.role_grants), selectinload(User.memberships))
    ).scalars()
    return [
        user
        for user in users
        if has_permission(user, permission) and not is_member(user, organisation_id)
    ]


def take_pending_emails(session: Session) -> list[PendingEmail]:
    return list(session.info.pop(PENDING_EMAILS, []))


def drop_pending_emails(session: Session) -> None:
    session.info.pop(PENDING_EMAILS, None)


# --- the notification centre ----------------------------------------------------------------


def notifications_for(user: User) -> sa.Select[Any]:
    """The user's notifications, newest first (paginated by the caller)."""
    return (
        sa.select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def unread_count_of(user_id: Any) -> sa.ScalarSelect[int]:
    """The count as a scalar subquery, to ask for it in another query (the user's loader)."""
    return (
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def unread_count(user: Any) -> int:
    if not isinstance(user, User) or not user.is_authenticated:
        return 0
    return int(db.session.scalar(sa.select(unread_count_of(user.id))) or 0)


def _own(user: User, notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound(N_("We could not find that notification."))
    return notification


def open_notification(*, actor: User, notification_id: int) -> Notification:
    """Mark the notification read (it is being followed) and return it."""
    notification = _own(actor, notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(*, actor: User) -> int:
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    return int(getattr(result, "rowcount", 0) or 0)
