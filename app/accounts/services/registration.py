"""Self-registration of a donor or an applicant, and the confirmation of their address."""

from __future__ import annotations

from app.accounts.models import SELF_SERVICE_ROLES, Role, User, UserRole
from app.accounts.services.addresses import find_user_by_email, normalise_email
from app.accounts.services.passwords import (
    PASSWORD_MIN_LENGTH,
    check_password_policy,
    hash_password,
)
from app.audit.services import record_event
from app.platform.db import utcnow
from app.platform.errors import N_, Conflict, PermissionDenied
from app.platform.extensions import db


class AddressAlreadyRegistered(Conflict):
    """Someone registered with an address that has an account. The web answers exactly as for a
    new account and tells the owner by e-mail, so the page reveals nothing."""

    def __init__(self, owner: User) -> None:
        super().__init__(N_("An account with this e-mail address already exists. Sign in instead."))
        self.owner_id = owner.id


def register_user(
    *,
    email: str,
    full_name: str,
    password: str,
    role: Role,
    locale: str | None = None,
    min_password_length: int = PASSWORD_MIN_LENGTH,
) -> User:
    """Self-registration of a donor or an applicant; the e-mail must be confirmed next."""
    if role not in SELF_SERVICE_ROLES:
        raise PermissionDenied(
            N_("Only donor and applicant accounts can be opened by registration.")
        )
    email = normalise_email(email)
    # The policy first and the (slow) hash always: a taken address must not answer differently,
    # nor faster, than a free one (no account enumeration).
    check_password_policy(password, email=email, min_length=min_password_length)
    password_hash = hash_password(password)
    owner = find_user_by_email(email)
    if owner is not None:
        raise AddressAlreadyRegistered(owner)
    user = User(
        email=email,
        full_name=full_name.strip(),
        password_hash=password_hash,
        locale=locale,
        is_active=True,
    )
    user.role_grants.append(UserRole(role=role))
    db.session.add(user)
    db.session.flush()
    record_event(
        actor=user, action="user.registered", subject=user, summary=f"registered as {role}"
    )
    return user


def record_registration_attempt(*, owner: User) -> None:
    """Keep a trace of a registration with ``owner``'s address (its owner is mailed about it)."""
    record_event(
        actor=None,
        action="user.registration_attempted",
        subject=owner,
        summary="someone tried to register with this address",
    )
    db.session.flush()


def confirm_email(*, user: User) -> bool:
    """Mark the address confirmed; returns False when it already was (link used twice)."""
    if user.email_confirmed_at is not None:
        return False
    user.email_confirmed_at = utcnow()
    record_event(
        actor=user, action="user.email_confirmed", subject=user, summary="e-mail confirmed"
    )
    db.session.flush()
    return True
