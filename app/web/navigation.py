"""The main menu: each entry is shown only to people whose roles grant its permission.

Areas add their entries here so the menu, the home-page cards and the permission map agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.domain.accounts.permissions import Permission


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: LazyString
    description: LazyString
    permission: Permission | None = None


NAV_ITEMS: list[NavItem] = [
    NavItem(
        "admin.users",
        _l("Users"),
        _l("Invite people, grant and revoke roles, deactivate accounts."),
        Permission.MANAGE_USERS,
    ),
    NavItem(
        "audit.events",
        _l("Audit log"),
        _l("Every change, who made it, from where and when."),
        Permission.VIEW_AUDIT_LOG,
    ),
]


def nav_items_for(granted: frozenset[Permission]) -> list[NavItem]:
    return [item for item in NAV_ITEMS if item.permission is None or item.permission in granted]
