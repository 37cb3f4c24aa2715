"""The role→permission map and the object-level rules, checked without HTTP."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from app.accounts.models import Role, User, UserRole
from app.accounts.permissions import (
    MONEY_PERMISSIONS,
    ROLE_PERMISSIONS,
    Permission,
    can_manage_user,
    can_view_audit_log,
    check_role_grant,
    ensure_permission,
    has_permission,
    permissions_for_roles,
    permissions_of,
)
from app.platform.errors import PermissionDenied, SegregationOfDuties
from tests.factories import UserFactory, user_with

P = Permission


def test_every_role_has_an_entry_in_the_map():
    assert set(ROLE_PERMISSIONS) == set(Role)


@pytest.mark.parametrize(
    ("role", "must_have", "must_not_have"),
    [
        (Role.DONOR, {P.MAKE_PLEDGE, P.VIEW_OWN_CONTRIBUTIONS}, {P.APPLY_FOR_GRANT}),
        (
            Role.APPLICANT,
            {P.MANAGE_OWN_ORGANISATION, P.APPLY_FOR_GRANT, P.SUBMIT_GRANT_REPORT},
            {P.MAKE_PLEDGE, P.VIEW_ALL_APPLICATIONS},
        ),
        (Role.REVIEWER, {P.REVIEW_APPLICATION}, {P.VIEW_ALL_APPLICATIONS, P.AWARD_GRANT}),
        (
            Role.BOARD,
            {P.VIEW_BOARD_PACK, P.RECORD_BOARD_DECISION},
            {P.AWARD_GRANT, P.REVIEW_APPLICATION},
        ),
        (
            Role.FUND_MANAGER,
            {P.MANAGE_CALLS, P.SCREEN_APPLICATION, P.ASSIGN_REVIEWERS, P.AWARD_GRANT},
            {P.APPROVE_DISBURSEMENT, P.CONFIRM_PLEDGE, P.MANAGE_USERS},
        ),
        (
            Role.FINANCE,
            {P.CONFIRM_PLEDGE, P.RECORD_BANK_RECEIPT, P.APPROVE_DISBURSEMENT, P.VIEW_LEDGER},
            {P.MANAGE_USERS, P.AWARD_GRANT},
        ),
        (
            Role.AUDITOR,
            {P.VIEW_AUDIT_LOG, P.VIEW_LEDGER, P.VIEW_ALL_APPLICATIONS, P.EXPORT_DATA},
            {P.MANAGE_USERS},
        ),
        (Role.ADMIN, {P.MANAGE_USERS, P.MANAGE_SETTINGS, P.VIEW_AUDIT_LOG}, set(MONEY_PERMISSIONS)),
    ],
)
def test_each_role_holds_its_key_permissions(role, must_have, must_not_have):
    granted = permissions_for_roles(frozenset({role}))
    assert must_have <= granted
    assert not must_not_have & granted


def test_the_auditor_changes_nothing():
    # Read-only oversight: every auditor permission is a "view" or an export.
    granted = permissions_for_roles(frozenset({Role.AUDITOR}))
    assert all(p.value.startswith(("view_", "export_")) for p in granted)


@pytest.mark.parametrize("other", [r for r in Role if r is not Role.ADMIN])
def test_an_admin_never_holds_money_permissions_whatever_else_they_hold(other):
    granted = permissions_for_roles(frozenset({Role.ADMIN, other}))
    assert not granted & MONEY_PERMISSIONS
    assert P.MANAGE_USERS in granted


def test_an_admin_with_every_role_still_cannot_move_money():
    # Built in memory: the database refuses admin with finance (a trigger of the migrations), but
    # an account from before it, or a future pair, must still find rule 1 (decision 0002).
    user = User(email="all@example.org", full_name="All Roles", is_active=True)
    user.role_grants.extend(UserRole(role=role) for role in Role)
    assert not permissions_of(user) & MONEY_PERMISSIONS
    for permission in MONEY_PERMISSIONS:
        with pytest.raises(PermissionDenied):
            ensure_permission(user, permission)


def test_someone_holding_several_roles_gets_them_all():
    user = user_with(Role.REVIEWER, Role.BOARD)
    assert has_permission(user, P.REVIEW_APPLICATION)
    assert has_permission(user, P.RECORD_BOARD_DECISION)


def test_an_inactive_user_has_no_permission():
    user = user_with(Role.FUND_MANAGER, Role.AUDITOR, is_active=False)
    assert permissions_of(user) == frozenset()
    assert not can_view_audit_log(user)


def test_anonymous_and_missing_actors_have_no_permission():
    assert permissions_of(AnonymousUserMixin()) == frozenset()
    assert permissions_of(None) == frozenset()
    with pytest.raises(PermissionDenied):
        ensure_permission(None, P.VIEW_LEDGER)


def test_an_admin_manages_others_but_not_themselves():
    admin = user_with(Role.ADMIN)
    other = UserFactory()
    assert can_manage_user(admin, other)
    assert not can_manage_user(admin, admin)
    assert not can_manage_user(user_with(Role.FUND_MANAGER), other)


def test_role_grants_follow_segregation_of_duties():
    admin = user_with(Role.ADMIN)
    finance = user_with(Role.FINANCE)
    other_admin = user_with(Role.ADMIN)

    check_role_grant(admin, finance, Role.AUDITOR)  # allowed: no exception
    with pytest.raises(SegregationOfDuties, match="admin and finance"):
        check_role_grant(admin, finance, Role.ADMIN)
    with pytest.raises(SegregationOfDuties, match="admin and finance"):
        check_role_grant(admin, other_admin, Role.FINANCE)
    with pytest.raises(SegregationOfDuties, match="your own roles"):
        check_role_grant(admin, admin, Role.AUDITOR)
    with pytest.raises(PermissionDenied, match="Only an administrator"):
        check_role_grant(finance, UserFactory(), Role.REVIEWER)
