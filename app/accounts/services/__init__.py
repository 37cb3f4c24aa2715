"""Account operations: registration, sign-in checks, passwords, two-factor, roles, status,
organisations.

One module per use case: ``addresses`` (finding an account by e-mail), ``registration``,
``sign_in``, ``passwords``, ``two_factor``, ``administration`` (console accounts, invitations,
roles, deactivation), ``profile`` and ``organisations``. Every function takes the acting user
explicitly, flushes, and leaves the commit to its caller. The names below are this package's
interface (``from app.accounts import services as accounts``); code may also import from the
use-case module itself.
"""

from __future__ import annotations

from app.accounts.services.addresses import find_user_by_email, normalise_email
from app.accounts.services.administration import (
    ROLES_KEPT_APART_BY_THE_DATABASE,
    create_account_from_console,
    grant_role,
    invite_user,
    revoke_role,
    set_user_active,
)
from app.accounts.services.organisations import (
    add_member,
    create_organisation,
    is_owner,
    organisation_ids_of,
    organisation_ids_query,
)
from app.accounts.services.passwords import (
    PASSWORD_MIN_LENGTH,
    check_password_policy,
    set_password,
)
from app.accounts.services.profile import update_profile
from app.accounts.services.registration import (
    AddressAlreadyRegistered,
    confirm_email,
    record_registration_attempt,
    register_user,
)
from app.accounts.services.sign_in import (
    record_failed_login,
    record_login,
    record_logout,
    verify_password,
)
from app.accounts.services.two_factor import (
    RECOVERY_CODE_COUNT,
    TOTP_ISSUER,
    disable_totp,
    enable_totp,
    new_totp_secret,
    regenerate_recovery_codes,
    totp_provisioning_uri,
    unused_recovery_code_count,
    verify_second_factor,
)

__all__ = [
    "PASSWORD_MIN_LENGTH",
    "RECOVERY_CODE_COUNT",
    "ROLES_KEPT_APART_BY_THE_DATABASE",
    "TOTP_ISSUER",
    "AddressAlreadyRegistered",
    "add_member",
    "check_password_policy",
    "confirm_email",
    "create_account_from_console",
    "create_organisation",
    "disable_totp",
    "enable_totp",
    "find_user_by_email",
    "grant_role",
    "invite_user",
    "is_owner",
    "new_totp_secret",
    "normalise_email",
    "organisation_ids_of",
    "organisation_ids_query",
    "record_failed_login",
    "record_login",
    "record_logout",
    "record_registration_attempt",
    "regenerate_recovery_codes",
    "register_user",
    "revoke_role",
    "set_password",
    "set_user_active",
    "totp_provisioning_uri",
    "unused_recovery_code_count",
    "update_profile",
    "verify_password",
    "verify_second_factor",
]
