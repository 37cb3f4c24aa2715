"""Two-factor authentication: turning TOTP on and off, recovery codes, checking a second factor."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp
import sqlalchemy as sa
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import RecoveryCode, User
from app.accounts.permissions import can_manage_user
from app.audit.services import record_event
from app.platform.db import utcnow
from app.platform.errors import N_, PermissionDenied, ValidationFailed
from app.platform.extensions import db

RECOVERY_CODE_COUNT = 10
TOTP_ISSUER = "Trust Fund Grants"


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
