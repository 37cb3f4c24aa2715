"""The main menu: each entry is shown only to people whose roles grant its permission.

Areas add their entries here so the menu, the home-page cards and the permission map agree.
Entries of one group share a dropdown in the menu bar when a person sees two or more of them,
so each role's menu fits on one line (the home page still shows each entry as its own card).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.accounts.permissions import Permission


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: LazyString
    description: LazyString
    permission: Permission | None = None
    group: str | None = None


@dataclass(frozen=True)
class NavGroup:
    """A dropdown of the menu bar: its label and the entries a person sees in it."""

    key: str
    label: LazyString
    items: tuple[NavItem, ...]

    @property
    def endpoints(self) -> frozenset[str]:
        return frozenset(item.endpoint for item in self.items)


GROUP_LABELS: dict[str, LazyString] = {
    "selection": _l("Calls and applications"),
    "grants": _l("Grants"),
    "money": _l("Money"),
    "reports": _l("Reports"),
    "admin": _l("Administration"),
}


NAV_ITEMS: list[NavItem] = [
    NavItem(
        "calls.index",
        _l("Calls for proposals"),
        _l("Open calls: who may apply, for what, and by when."),
    ),
    NavItem(
        "organisations.mine",
        _l("My organisation"),
        _l("Your organisation's details, documents, colleagues and verification."),
        Permission.MANAGE_OWN_ORGANISATION,
    ),
    NavItem(
        "applications.index",
        _l("My applications"),
        _l("Prepare, submit and follow your grant applications."),
        Permission.APPLY_FOR_GRANT,
    ),
    NavItem(
        "calls.manage",
        _l("Manage calls"),
        _l("Draft, publish and close calls for proposals."),
        Permission.MANAGE_CALLS,
        group="selection",
    ),
    NavItem(
        "results.indicators",
        _l("Standard indicators"),
        _l("The results indicators proposals choose from, aligned to SDG 5.2, 8.7 and 16.2."),
        Permission.MANAGE_CALLS,
        group="selection",
    ),
    NavItem(
        "organisations.index",
        _l("Organisations"),
        _l("Verify organisations, rate their risk, spot possible duplicates."),
        Permission.VERIFY_ORGANISATION,
        group="selection",
    ),
    NavItem(
        "organisations.bank_changes",
        _l("Bank details changes"),
        _l("Changes of organisations' bank details waiting for a second person to confirm."),
        Permission.VERIFY_ORGANISATION,
        group="selection",
    ),
    NavItem(
        "screening.queue",
        _l("Due diligence"),
        _l("Possible sanctions-list matches waiting for a decision."),
        Permission.DECIDE_SCREENING_HIT,
        group="selection",
    ),
    NavItem(
        "applications.all",
        _l("Applications"),
        _l("Every application, by call and status."),
        Permission.VIEW_ALL_APPLICATIONS,
        group="selection",
    ),
    NavItem(
        "applications.concept_notes",
        _l("Concept notes"),
        _l("The concept notes sent to two-stage calls: invite a full proposal or decline."),
        Permission.SCREEN_APPLICATION,
        group="selection",
    ),
    NavItem(
        "reviews.index",
        _l("Selection"),
        _l("Screen applications, assign reviewers, rank by score, prepare the Board pack."),
        Permission.SCREEN_APPLICATION,
        group="selection",
    ),
    NavItem(
        "reviews.mine",
        _l("My reviews"),
        _l("Applications you are asked to review: declare any conflict, then score them."),
        Permission.REVIEW_APPLICATION,
    ),
    NavItem(
        "reviews.board",
        _l("Board"),
        _l("Board packs, meetings and decisions, with each member's vote."),
        Permission.VIEW_BOARD_PACK,
        group="selection",
    ),
    NavItem(
        "texts.index",
        _l("E-mails and letters"),
        _l("The wording of the decision e-mails and letters, per language, with its versions."),
        Permission.EDIT_TEXTS,
        group="selection",
    ),
    NavItem(
        "donations.give",
        _l("Give"),
        _l("Give to the fund by card, once or every month, or pledge."),
    ),
    NavItem(
        "donations.portal",
        _l("My giving"),
        _l("Your gifts, pledges, receipts and monthly gifts."),
        Permission.VIEW_OWN_CONTRIBUTIONS,
    ),
    NavItem(
        "donations.contributions",
        _l("Contributions"),
        _l("Gifts and pledges with totals; bank receipts, matching and exchange rates."),
        Permission.VIEW_ALL_CONTRIBUTIONS,
        group="money",
    ),
    NavItem(
        "grants.mine",
        _l("My grants"),
        _l("Your grants: the agreement, reports due, and the tranches paid."),
        Permission.SUBMIT_GRANT_REPORT,
    ),
    NavItem(
        "grants.manage",
        _l("Grants"),
        _l("Award approved applications, follow grants and reports, close grants."),
        Permission.VIEW_ALL_APPLICATIONS,
        group="grants",
    ),
    NavItem(
        "grants.disbursements",
        _l("Disbursements"),
        _l("Tranches to request, approve, send and confirm: two people for every payment."),
        Permission.VIEW_LEDGER,
        group="grants",
    ),
    NavItem(
        "monitoring.recommendations",
        _l("Monitoring"),
        _l("Recommendations to grantees after visits, spot checks and audits: overdue first."),
        Permission.VIEW_MONITORING,
        group="grants",
    ),
    NavItem(
        "reporting.dashboard",
        _l("Dashboard"),
        _l("Key figures from the ledger, charts, the period statement and the annual report."),
        Permission.VIEW_DASHBOARD,
        group="reports",
    ),
    NavItem(
        "reporting.exports",
        _l("Exports"),
        _l("Contributions, applications, grants, disbursements, transfers: CSV, XLSX, IATI."),
        Permission.EXPORT_DATA,
        group="reports",
    ),
    NavItem(
        "admin.users",
        _l("Users"),
        _l("Invite people, grant and revoke roles, deactivate accounts."),
        Permission.MANAGE_USERS,
        group="admin",
    ),
    NavItem(
        "oauth_clients.index",
        _l("API clients"),
        _l("Programs that get API tokens with a client id and secret: register, rotate, revoke."),
        Permission.MANAGE_USERS,
        group="admin",
    ),
    NavItem(
        "webhooks.index",
        _l("Webhooks"),
        _l("The fund's systems told of each application status change and tranche paid."),
        Permission.MANAGE_SETTINGS,
        group="admin",
    ),
    NavItem(
        "admin.outbox",
        _l("Outgoing e-mail"),
        _l("E-mails waiting to be sent, sent, or failed: send a failed one again."),
        Permission.MANAGE_SETTINGS,
        group="admin",
    ),
    NavItem(
        "ledger.accounts",
        _l("Ledger"),
        _l("The fund's accounts and balances, statements, transfers and CSV exports."),
        Permission.VIEW_LEDGER,
        group="money",
    ),
    NavItem(
        "audit.events",
        _l("Audit log"),
        _l("Every change, who made it, from where and when."),
        Permission.VIEW_AUDIT_LOG,
        group="reports",
    ),
]


def nav_items_for(granted: frozenset[Permission]) -> list[NavItem]:
    return [item for item in NAV_ITEMS if item.permission is None or item.permission in granted]


def nav_menu(items: list[NavItem]) -> list[NavItem | NavGroup]:
    """The menu bar: ``items`` in order, each group's gathered where its first one stands, as a
    dropdown when it holds two or more (a single entry stays a plain link)."""
    grouped: dict[str, list[NavItem]] = {}
    for item in items:
        if item.group is not None:
            grouped.setdefault(item.group, []).append(item)
    menu: list[NavItem | NavGroup] = []
    for item in items:
        members = grouped.get(item.group or "", [])
        if len(members) < 2:
            menu.append(item)
        elif item is members[0]:
            menu.append(NavGroup(item.group or "", GROUP_LABELS[item.group or ""], tuple(members)))
    return menu
