"""Administration of users: accounts made from the console or by invitation, roles, and
deactivation."""

from __future__ import annotations

from collections.abc import Iterable

import email_validator
import sqlalchemy as sa

from app.accounts.models import Role, User, UserRole
from app.accounts.permissions import (
    INCOMPATIBLE_ROLES,
    Permission,
    can_manage_user,
    check_role_grant,
    check_roles_compatible,
    ensure_permission,
)
from app.accounts.services.addresses import find_user_by_email, is_closed, normalise_email
from app.accounts.services.passwords import check_password_policy, hash_password
from app.audit.services import record_event
from app.platform.db import utcnow
from app.platform.errors import N_, Conflict, PermissionDenied, ValidationFailed
from app.platform.extensions import db

# What the database says when it refuses a pair of roles (its trigger on user_roles).
ROLES_KEPT_APART_BY_THE_DATABASE = "cannot hold both the admin and finance roles"


def create_account_from_console(
    *, email: str, full_name: str, password: str, roles: Iterable[Role]
) -> User:
    """``flask users create``: a confirmed account made by whoever runs the server's commands
    (the first administrator, say). The web's rules hold here too: a real address, a name, the
    password policy, no two roles that must stay apart; and the creation is audited."""
    try:
        email_validator.validate_email(email.strip(), check_deliverability=False)
    except email_validator.EmailNotValidError:
        raise ValidationFailed(N_("%(email)s is not an e-mail address."), email=email) from None
    email = normalise_email(email)
    name = full_name.strip()
    if not name:
        raise ValidationFailed(N_("Give the person's name."))
    if find_user_by_email(email) is not None:
        raise Conflict(N_("Someone already has an account with this e-mail address."))
    check_password_policy(password, email=email)
    chosen = sorted(set(roles))
    check_roles_compatible(chosen)
    user = User(
        email=email,
        full_name=name,
        password_hash=hash_password(password),
        email_confirmed_at=utcnow(),
        is_active=True,
    )
    user.role_grants.extend(UserRole(role=role) for role in chosen)
    db.session.add(user)
    db.session.flush()
    record_event(
        actor=None,
        action="user.created_from_console",
        subject=user,
        summary=f"created from the console: {email}",
        changes={"roles": [None, [str(role) for role in chosen]]},
    )
    return user


def invite_user(*, actor: User, email: str, full_name: str, roles: Iterable[Role]) -> User:
    """An administrator creates an account; the invitee sets a password from the e-mailed link."""
    ensure_permission(actor, Permission.MANAGE_USERS)
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise Conflict(N_("Someone already has an account with this e-mail address."))
    user = User(email=email, full_name=full_name.strip(), password_hash=None, is_active=True)
    db.session.add(user)
    db.session.flush()
    record_event(actor=actor, action="user.invited", subject=user, summary=f"invited {email}")
    for role in roles:
        grant_role(actor=actor, user=user, role=role)
    return user


def grant_role(*, actor: User, user: User, role: Role) -> bool:
    """Give ``user`` a role; returns False when they already held it."""
    check_role_grant(actor, user, role)
    if user.is_program:
        # An API client acts as the one role it was registered with (decision 0102): never
        # more, and never an administrator.
        raise PermissionDenied(
            N_("An API client keeps the role it was registered with: register another client.")
        )
    if role in user.roles:
        return False
    user.role_grants.append(UserRole(role=role, granted_by_id=actor.id))
    record_event(
        actor=actor,
        action="user.role_granted",
        subject=user,
        summary=f"role {role} granted to {user.email}",
        changes={"role": [None, str(role)]},
    )
    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:
        if ROLES_KEPT_APART_BY_THE_DATABASE not in str(error.orig):
            raise
        # Another administrator gave the other half of a pair at the same moment; the
        # database's trigger on user_roles saw it. The same sentence as above.
        check_roles_compatible(next(pair for pair in INCOMPATIBLE_ROLES if role in pair))
        raise
    return True


def revoke_role(*, actor: User, user: User, role: Role) -> bool:
    if not can_manage_user(actor, user):
        raise PermissionDenied(N_("You cannot change this person's roles."))
    grant = next((g for g in user.role_grants if g.role == role), None)
    if grant is None:
        return False
    user.role_grants.remove(grant)
    user.session_version += 1
    record_event(
        actor=actor,
        action="user.role_revoked",
        subject=user,
        summary=f"role {role} revoked from {user.email}",
        changes={"role": [str(role), None]},
    )
    db.session.flush()
    return True


def set_user_active(*, actor: User, user: User, active: bool) -> None:
    if not can_manage_user(actor, user):
        raise PermissionDenied(
            N_("You cannot deactivate your own account or one you do not manage.")
        )
    if user.is_active == active:
        return
    if active and is_closed(user):
        raise Conflict(N_("This account was closed for good: it cannot be reactivated."))
    user.is_active = active
    user.session_version += 1
    record_event(
        actor=actor,
        action="user.reactivated" if active else "user.deactivated",
        subject=user,
        summary=("reactivated " if active else "deactivated ") + user.email,
        changes={"is_active": [not active, active]},
    )
    db.session.flush()
