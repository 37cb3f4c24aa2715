"""Account services called directly: the rules hold even when the web pages are bypassed."""

from __future__ import annotations

import time

import pyotp
import pytest
from sqlalchemy import select, update

from app.accounts import services as accounts
from app.accounts.models import RecoveryCode, Role, User
from app.audit.models import AuditEvent
from app.platform.db import utcnow
from app.platform.errors import Conflict, PermissionDenied, SegregationOfDuties, ValidationFailed
from app.platform.extensions import db
from tests.factories import PASSWORD, UserFactory, user_with

GOOD = "a-long-enough-passphrase"


def actions() -> list[str]:
    return list(db.session.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars())


# --- registration ------------------------------------------------------------------------


def test_register_user_normalises_the_address_and_hashes_the_password():
    user = accounts.register_user(
        email="  Amina@Example.ORG ", full_name=" Amina ", password=GOOD, role=Role.APPLICANT
    )

    assert user.email == "amina@example.org"
    assert user.full_name == "Amina"
    assert user.roles == {Role.APPLICANT}
    assert user.password_hash and GOOD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert accounts.verify_password(user, GOOD)
    assert not accounts.verify_password(user, GOOD.upper())
    assert not user.email_confirmed
    assert actions() == ["user.registered"]


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.DONOR, Role.APPLICANT}))
def test_staff_roles_cannot_be_self_registered(role):
    with pytest.raises(PermissionDenied):
        accounts.register_user(email="x@example.org", full_name="X", password=GOOD, role=role)


def test_an_address_can_be_registered_only_once_whatever_its_case():
    UserFactory(email="amina@example.org")
    with pytest.raises(Conflict):
        accounts.register_user(
            email="AMINA@example.org", full_name="A", password=GOOD, role=Role.DONOR
        )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("eleven-char", "at least 12 characters"),
        ("amina@example.org", "must not be your e-mail"),
        ("Amina@Example.org", "must not be your e-mail"),
        ("amina.diallo", "must not be your e-mail"),  # the part before the @
    ],
)
def test_the_password_policy(password, message):
    with pytest.raises(ValidationFailed, match=message):
        accounts.register_user(
            email="amina.diallo@example.org" if "diallo" in password else "amina@example.org",
            full_name="A",
            password=password,
            role=Role.DONOR,
        )
    assert db.session.execute(select(User)).first() is None


def test_the_minimum_length_is_configurable():
    with pytest.raises(ValidationFailed, match="at least 16"):
        accounts.check_password_policy("fifteen-chars!!", email="a@b.org", min_length=16)
    accounts.check_password_policy("sixteen-chars!!!", email="a@b.org", min_length=16)


def test_confirm_email_is_done_once():
    user = UserFactory(email_confirmed_at=None)
    assert accounts.confirm_email(user=user) is True
    assert accounts.confirm_email(user=user) is False
    assert user.email_confirmed


# --- passwords ---------------------------------------------------------------------------


def test_set_password_applies_the_policy_and_signs_out_other_sessions():
    user = UserFactory(email="grace@example.org")
    version = user.session_version

    with pytest.raises(ValidationFailed):
        accounts.set_password(user=user, password="short")
    with pytest.raises(ValidationFailed):
        accounts.set_password(user=user, password="GRACE@example.org")
    assert accounts.verify_password(user, PASSWORD)

    accounts.set_password(user=user, password=GOOD)

    assert accounts.verify_password(user, GOOD)
    assert not accounts.verify_password(user, PASSWORD)
    assert user.session_version == version + 1
    assert actions() == ["user.password_set"]


def test_setting_a_first_password_confirms_the_address():
    invited = UserFactory(password_hash=None, email_confirmed_at=None)
    assert not accounts.verify_password(invited, "")

    accounts.set_password(user=invited, password=GOOD)

    assert invited.email_confirmed


def test_unknown_user_never_verifies():
    assert not accounts.verify_password(None, PASSWORD)


# --- two-factor --------------------------------------------------------------------------


def enrolled_user() -> tuple[User, str, list[str]]:
    user = UserFactory()
    secret = accounts.new_totp_secret()
    codes = accounts.enable_totp(user=user, secret=secret, code=pyotp.TOTP(secret).now())
    return user, secret, codes


def test_enable_totp_needs_a_working_code():
    user = UserFactory()
    secret = accounts.new_totp_secret()
    with pytest.raises(ValidationFailed):
        accounts.enable_totp(user=user, secret=secret, code="not-a-code")
    assert not user.totp_enabled


def test_enable_totp_returns_ten_distinct_codes_and_keeps_only_hashes():
    user, _secret, codes = enrolled_user()

    assert len(set(codes)) == accounts.RECOVERY_CODE_COUNT == 10
    stored = {c.code_hash for c in user.recovery_codes}
    assert not stored & set(codes)
    assert accounts.unused_recovery_code_count(user) == 10


def test_verify_second_factor_accepts_a_code_once():
    user, secret, _codes = enrolled_user()
    code = pyotp.TOTP(secret).at(time.time() + 30)  # the enrolment code itself is spent
    assert not accounts.verify_second_factor(user=user, code="12345x")
    assert accounts.verify_second_factor(user=user, code=f" {code[:3]} {code[3:]} ")
    # Replaying a code someone saw being typed is refused, even within its 30 s window.
    assert not accounts.verify_second_factor(user=user, code=code)
    assert not accounts.verify_second_factor(user=user, code=pyotp.TOTP(secret).now())


def test_verify_second_factor_spends_a_recovery_code():
    user, _secret, codes = enrolled_user()

    assert accounts.verify_second_factor(user=user, code=codes[0])
    assert not accounts.verify_second_factor(user=user, code=codes[0])
    assert accounts.unused_recovery_code_count(user) == 9
    db.session.expire_all()
    assert accounts.unused_recovery_code_count(user) == 9  # spent in the database too
    assert accounts.verify_second_factor(user=user, code=codes[1].upper())
    assert actions().count("user.recovery_code_used") == 2


def test_a_recovery_code_spent_by_a_concurrent_sign_in_is_refused():
    user, _secret, codes = enrolled_user()
    # Another request spends every code while this one still holds them as unused in memory.
    db.session.execute(
        update(RecoveryCode).values(used_at=utcnow()).execution_options(synchronize_session=False)
    )
    assert all(code.used_at is None for code in user.recovery_codes)

    assert not accounts.verify_second_factor(user=user, code=codes[0])
    assert "user.recovery_code_used" not in actions()


def test_verify_second_factor_is_false_without_2fa():
    user = UserFactory()
    assert not accounts.verify_second_factor(user=user, code="123456")


def test_regenerating_recovery_codes_replaces_the_old_ones():
    user, _secret, old = enrolled_user()
    new = accounts.regenerate_recovery_codes(user=user)

    assert not set(new) & set(old)
    assert not accounts.verify_second_factor(user=user, code=old[0])
    assert accounts.verify_second_factor(user=user, code=new[0])


def test_staff_cannot_turn_off_mandatory_2fa():
    user = user_with(Role.REVIEWER)
    secret = accounts.new_totp_secret()
    accounts.enable_totp(user=user, secret=secret, code=pyotp.TOTP(secret).now())

    with pytest.raises(PermissionDenied, match="mandatory"):
        accounts.disable_totp(user=user, actor=user, staff_requires_2fa=True)
    accounts.disable_totp(user=user, actor=user, staff_requires_2fa=False)
    assert not user.totp_enabled


def test_nobody_else_turns_off_my_2fa_unless_they_manage_users():
    user, _secret, _codes = enrolled_user()
    with pytest.raises(PermissionDenied):
        accounts.disable_totp(user=user, actor=UserFactory(), staff_requires_2fa=False)
    accounts.disable_totp(user=user, actor=user_with(Role.ADMIN), staff_requires_2fa=False)
    assert not user.totp_enabled


# --- administration ----------------------------------------------------------------------


def test_grant_role_enforces_segregation_and_records_who_granted():
    admin = user_with(Role.ADMIN)
    officer = user_with(Role.FINANCE)

    with pytest.raises(SegregationOfDuties):
        accounts.grant_role(actor=admin, user=officer, role=Role.ADMIN)
    with pytest.raises(SegregationOfDuties):
        accounts.grant_role(actor=admin, user=admin, role=Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        accounts.grant_role(actor=officer, user=UserFactory(), role=Role.REVIEWER)

    assert accounts.grant_role(actor=admin, user=officer, role=Role.AUDITOR) is True
    assert accounts.grant_role(actor=admin, user=officer, role=Role.AUDITOR) is False
    [grant] = [g for g in officer.role_grants if g.role == Role.AUDITOR]
    assert grant.granted_by_id == admin.id
    assert actions() == ["user.role_granted"]


def test_revoking_a_role_signs_the_user_out():
    admin = user_with(Role.ADMIN)
    user = user_with(Role.REVIEWER, Role.BOARD)
    version = user.session_version

    assert accounts.revoke_role(actor=admin, user=user, role=Role.BOARD)
    assert not accounts.revoke_role(actor=admin, user=user, role=Role.BOARD)
    assert user.roles == {Role.REVIEWER}
    assert user.session_version == version + 1


def test_deactivation_needs_another_admin_and_signs_out():
    admin = user_with(Role.ADMIN)
    user = UserFactory()
    version = user.session_version

    with pytest.raises(PermissionDenied):
        accounts.set_user_active(actor=admin, user=admin, active=False)
    with pytest.raises(PermissionDenied):
        accounts.set_user_active(actor=user_with(Role.FUND_MANAGER), user=user, active=False)

    accounts.set_user_active(actor=admin, user=user, active=False)
    accounts.set_user_active(actor=admin, user=user, active=False)  # no-op, no second event
    assert not user.is_active and user.session_version == version + 1
    assert actions() == ["user.deactivated"]


def test_invite_user_needs_manage_users_and_a_free_address():
    admin = user_with(Role.ADMIN)
    with pytest.raises(PermissionDenied):
        accounts.invite_user(
            actor=user_with(Role.FUND_MANAGER), email="r@example.org", full_name="R", roles=[]
        )
    invited = accounts.invite_user(
        actor=admin, email="R@Example.org", full_name="R", roles=[Role.REVIEWER]
    )
    assert invited.email == "r@example.org" and invited.password_hash is None
    assert invited.roles == {Role.REVIEWER}
    with pytest.raises(Conflict):
        accounts.invite_user(actor=admin, email="r@example.org", full_name="R", roles=[])


def test_update_profile_records_only_what_changed():
    user = UserFactory(full_name="Grace", locale=None, timezone="UTC")

    accounts.update_profile(actor=user, full_name="Grace ", locale=None, timezone="UTC")
    assert actions() == []
    accounts.update_profile(actor=user, full_name="Grace", locale="fr", timezone="Europe/Paris")

    [event] = db.session.execute(select(AuditEvent)).scalars()
    assert event.changes == {"locale": [None, "fr"], "timezone": ["UTC", "Europe/Paris"]}
