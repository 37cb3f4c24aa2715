"""Account operations: registration, sign-in checks, passwords, two-factor, roles, status.

Every function takes the acting user explicitly, flushes, and leaves the commit to its caller.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

import email_validator
import pyotp
import sqlalchemy as sa
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.models import (
    SELF_SERVICE_ROLES,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    RecoveryCode,
    Role,
    User,
    UserRole,
)
from app.accounts.permissions import (
    INCOMPATIBLE_ROLES,
    Permission,
    can_manage_user,
    check_role_grant,
    check_roles_compatible,
    ensure_permission,
)
from app.audit.services import record_event
from app.platform.db import utcnow
from app.platform.errors import N_, Conflict, PermissionDenied, ValidationFailed
from app.platform.extensions import db

# What the database says when it refuses a pair of roles (migration b3e6f00012).
ROLES_KEPT_APART_BY_THE_DATABASE = "cannot hold both the admin and finance roles"

PASSWORD_MIN_LENGTH = 12
RECOVERY_CODE_COUNT = 10
TOTP_ISSUER = "Trust Fund Grants"

# Verifying against this keeps a failed login for an unknown e-mail as slow as for a known one,
# so response times do not reveal which addresses have accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password-" + secrets.token_hex(8))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        # Addresses are stored normalised, so the unique index on email serves this lookup.
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def check_password_policy(
    password: str, *, email: str, min_length: int = PASSWORD_MIN_LENGTH
) -> None:
    if len(password) < min_length:
        raise ValidationFailed(
            N_("Choose a password of at least %(count)s characters."), count=min_length
        )
    lowered = password.strip().lower()
    if lowered == normalise_email(email) or lowered == normalise_email(email).split("@")[0]:
        raise ValidationFailed(N_("Your password must not be your e-mail address."))


def _hash_password(password: str) -> str:
    # Werkzeug's default is scrypt, a memory-hard KDF.
    return generate_password_hash(password)


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
    password_hash = _hash_password(password)
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


def verify_password(user: User | None, password: str) -> bool:
    if user is None or user.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(user.password_hash, password)


def record_login(*, user: User) -> None:
    user.last_login_at = utcnow()
    record_event(actor=user, action="user.login", subject=user, summary="signed in")
    db.session.flush()


def record_failed_login(*, email: str, user: User | None, reason: str) -> None:
    record_event(
        actor=None,
        action="user.login_failed",
        subject_type="users",
        subject_id=user.id if user else None,
        summary=f"failed sign-in for {normalise_email(email)[:200]}: {reason}",
    )
    db.session.flush()


def record_logout(*, user: User) -> None:
    """Sign out on the server: a copy of the session or remember-me cookie dies with it, and so
    does every other device's session (decision 0001)."""
    user.session_version += 1
    record_event(actor=user, action="user.logout", subject=user, summary="signed out")
    db.session.flush()


def set_password(
    *, user: User, password: str, actor: User | None = None, min_length: int = PASSWORD_MIN_LENGTH
) -> None:
    """Set a new password (reset, invitation, or change) and end every other session."""
    check_password_policy(password, email=user.email, min_length=min_length)
    user.password_hash = _hash_password(password)
    user.session_version += 1
    # Following an e-mailed link proves the address as well as confirming it would.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    record_event(
        actor=actor or user, action="user.password_set", subject=user, summary="password changed"
    )
    db.session.flush()


# --- two-factor authentication -----------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_provisioning_uri(*, user: User, secret: str, issuer: str = TOTP_ISSUER) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def _totp_time_step(secret: str, code: str) -> int | None:
    """The time step (30 s counter) whose code matches, allowing one step of clock drift."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = utcnow()
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def enable_totp(*, user: User, secret: str, code: str) -> list[str]:
    """Turn on 2FA once the user proves their authenticator works; returns recovery codes."""
    step = _totp_time_step(secret, code)
    if step is None:
        raise ValidationFailed(
            N_("That code is not right. Check your authenticator's clock and try again.")
        )
    user.totp_secret = secret
    user.totp_last_step = step
    user.totp_enabled_at = utcnow()
    user.session_version += 1
    codes = _replace_recovery_codes(user)
    record_event(
        actor=user,
        action="user.2fa_enabled",
        subject=user,
        summary="two-factor authentication enabled",
    )
    db.session.flush()
    return codes


def disable_totp(*, user: User, actor: User, staff_requires_2fa: bool) -> None:
    if staff_requires_2fa and user.is_staff:
        raise PermissionDenied(N_("Two-factor authentication is mandatory for staff accounts."))
    if actor.id != user.id and not can_manage_user(actor, user):
        raise PermissionDenied(N_("You cannot change another person's two-factor settings."))
    user.totp_secret = None
    user.totp_enabled_at = None
    user.session_version += 1
    user.recovery_codes.clear()
    record_event(
        actor=actor,
        action="user.2fa_disabled",
        subject=user,
        summary="two-factor authentication disabled",
    )
    db.session.flush()


def _hash_recovery_code(code: str) -> str:
    # The codes are 64 random bits, not chosen by people: a plain digest resists guessing as
    # well as a slow KDF would, and spares ten slow hashes on every wrong second factor.
    return "sha256$" + hashlib.sha256(code.strip().lower().encode()).hexdigest()


def _replace_recovery_codes(user: User) -> list[str]:
    user.recovery_codes.clear()
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        user.recovery_codes.append(RecoveryCode(code_hash=_hash_recovery_code(code)))
    return codes


def regenerate_recovery_codes(*, user: User) -> list[str]:
    if not user.totp_enabled:
        raise ValidationFailed(N_("Turn on two-factor authentication first."))
    codes = _replace_recovery_codes(user)
    record_event(
        actor=user,
        action="user.recovery_codes_regenerated",
        subject=user,
        summary="new recovery codes",
    )
    db.session.flush()
    return codes


def verify_second_factor(*, user: User, code: str) -> bool:
    """Accept a current TOTP code or an unused recovery code (which is then spent)."""
    if not user.totp_enabled or user.totp_secret is None:
        return False
    step = _totp_time_step(user.totp_secret, code)
    if step is not None:
        # A code seen once is spent: someone who watched it being typed cannot replay it.
        spent = db.session.execute(
            update(User)
            .where(
                User.id == user.id,
                sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step),
            )
            .values(totp_last_step=step)
            .returning(User.id)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if spent is not None:
            user.totp_last_step = step
            return True
        return False
    candidate = _hash_recovery_code(code)
    for recovery in user.recovery_codes:
        if recovery.used_at is None and hmac.compare_digest(recovery.code_hash, candidate):
            # Spend it only if no concurrent sign-in spent it first: a code works once.
            spent_at = utcnow()
            spent = db.session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == recovery.id, RecoveryCode.used_at.is_(None))
                .values(used_at=spent_at)
                .returning(RecoveryCode.id)
                .execution_options(synchronize_session=False)
            ).scalar_one_or_none()
            if spent is None:
                return False
            set_committed_value(recovery, "used_at", spent_at)
            record_event(
                actor=user,
                action="user.recovery_code_used",
                subject=user,
                summary="signed in with a recovery code",
            )
            db.session.flush()
            return True
    return False


def unused_recovery_code_count(user: User) -> int:
    return sum(1 for code in user.recovery_codes if code.used_at is None)


# --- administration ----------------------------------------------------------------------


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
        password_hash=_hash_password(password),
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
        # database's trigger saw it (migration b3e6f00012). The same sentence as above.
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


def update_profile(*, actor: User, full_name: str, locale: str | None, timezone: str) -> None:
    changes: dict[str, list[str | None]] = {}
    for attr, value in (
        ("full_name", full_name.strip()),
        ("locale", locale),
        ("timezone", timezone),
    ):
        if getattr(actor, attr) != value:
            changes[attr] = [getattr(actor, attr), value]
            setattr(actor, attr, value)
    if changes:
        record_event(
            actor=actor,
            action="user.profile_updated",
            subject=actor,
            summary="profile updated",
            changes=changes,
        )
    db.session.flush()


# --- organisations -----------------------------------------------------------------------


def create_organisation(
    *, actor: User, name: str, kind: OrganisationKind, country: str | None = None
) -> Organisation:
    """Create an organisation with ``actor`` as its owner."""
    organisation = Organisation(
        name=name.strip(), kind=kind, country=country, contact_email=actor.email
    )
    organisation.memberships.append(Membership(user=actor, role=MembershipRole.OWNER))
    db.session.add(organisation)
    db.session.flush()
    record_event(
        actor=actor,
        action="organisation.created",
        subject=organisation,
        summary=f"created {organisation.name}",
    )
    return organisation


def add_member(
    *,
    actor: User,
    organisation: Organisation,
    user: User,
    role: MembershipRole = MembershipRole.MEMBER,
) -> Membership:
    """An owner adds a colleague to their organisation."""
    if not is_owner(actor, organisation) and not actor.has_role(Role.ADMIN):
        raise PermissionDenied(N_("Only an owner of the organisation can add colleagues."))
    if any(m.user_id == user.id for m in organisation.memberships):
        raise Conflict(
            N_("%(email)s is already a member of %(organisation)s."),
            email=user.email,
            organisation=organisation.name,
        )
    membership = Membership(organisation=organisation, user=user, role=role)
    db.session.add(membership)
    record_event(
        actor=actor,
        action="organisation.member_added",
        subject=organisation,
        summary=f"{user.email} added as {role}",
    )
    db.session.flush()
    return membership


def is_owner(user: User, organisation: Organisation) -> bool:
    return any(
        m.user_id == user.id and m.role == MembershipRole.OWNER for m in organisation.memberships
    )


def organisation_ids_of(user: User) -> set[int]:
    return {m.organisation_id for m in user.memberships}
