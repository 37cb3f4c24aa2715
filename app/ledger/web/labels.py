"""Translated names for the ledger's codes, and links from a transfer to its business document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from app.grants.models import Grant, Tranche
from app.ledger.chart import CASH_BANK, CASH_STRIPE, FUND_AVAILABLE, FUND_PLEDGED, PSC_INCOME
from app.ledger.models import Account, AccountType, TransferCode, TransferKind
from app.ledger.rules import TransferStatus
from app.platform.extensions import db

ACCOUNT_TYPES: dict[AccountType, LazyString] = {
    AccountType.ASSET: _l("Assets"),
    AccountType.LIABILITY: _l("Liabilities"),
    AccountType.NET_ASSETS: _l("Net assets"),
    AccountType.REVENUE: _l("Revenue"),
    AccountType.EXPENSE: _l("Expenses"),
}

TRANSFER_KINDS: dict[TransferKind, LazyString] = {
    TransferKind.SINGLE: _l("Posted"),
    TransferKind.PENDING: _l("Pending"),
    TransferKind.POST_PENDING: _l("Pending posted"),
    TransferKind.VOID_PENDING: _l("Pending voided"),
}

TRANSFER_CODES: dict[TransferCode, LazyString] = {
    TransferCode.GIFT: _l("Gift"),
    TransferCode.FEE: _l("Processing fee"),
    TransferCode.PLEDGE: _l("Pledge"),
    TransferCode.PLEDGE_PAYMENT: _l("Pledge payment"),
    TransferCode.PLEDGE_WRITE_OFF: _l("Pledge written off"),
    TransferCode.COMMITMENT: _l("Grant commitment"),
    TransferCode.DISBURSEMENT: _l("Disbursement"),
    TransferCode.PSC: _l("Programme support cost"),
    TransferCode.RELEASE: _l("Release of unspent balance"),
    TransferCode.REFUND: _l("Refund"),
    TransferCode.CHARGEBACK: _l("Chargeback"),
    TransferCode.PAYOUT: _l("Payout"),
    TransferCode.REVERSAL: _l("Reversal"),
    TransferCode.ADJUSTMENT: _l("Adjustment"),
}

# The fixed accounts' names as shown; the stored names are English.
# Why the ledger refused a transfer, as LedgerRefused's message names it.
TRANSFER_STATUSES: dict[TransferStatus, LazyString] = {
    TransferStatus.OK: _l("posted"),
    TransferStatus.EXISTS: _l("already posted"),
    TransferStatus.EXISTS_WITH_DIFFERENT_FIELDS: _l("another transfer already has this id"),
    TransferStatus.BATCH_FAILED: _l("another transfer of the batch was refused"),
    TransferStatus.DUPLICATE_ID_IN_BATCH: _l("the same id twice in the batch"),
    TransferStatus.AMOUNT_MUST_BE_POSITIVE: _l("the amount must be positive"),
    TransferStatus.ACCOUNTS_REQUIRED: _l("both accounts are required"),
    TransferStatus.ACCOUNTS_MUST_DIFFER: _l("the two accounts must differ"),
    TransferStatus.ACCOUNT_NOT_FOUND: _l("an account does not exist"),
    TransferStatus.PENDING_ID_REQUIRED: _l("the pending transfer is not named"),
    TransferStatus.PENDING_ID_NOT_ALLOWED: _l("only a pending transfer's resolution names one"),
    TransferStatus.PENDING_NOT_FOUND: _l("the pending transfer does not exist"),
    TransferStatus.PENDING_TRANSFER_NOT_PENDING: _l("that transfer is not pending"),
    TransferStatus.PENDING_ALREADY_RESOLVED: _l("the pending transfer was already resolved"),
    TransferStatus.PENDING_ACCOUNTS_DIFFER: _l("the accounts differ from the pending transfer's"),
    TransferStatus.AMOUNT_EXCEEDS_PENDING: _l("the amount exceeds the pending amount"),
    TransferStatus.VOID_AMOUNT_DIFFERS: _l("a void must be for the whole pending amount"),
    TransferStatus.EXCEEDS_CREDITS: _l("not enough money in the account"),
    TransferStatus.EXCEEDS_DEBITS: _l("the account would go past its limit"),
}

FIXED_ACCOUNT_NAMES: dict[str, LazyString] = {
    CASH_STRIPE: _l("Cash held at the card processor"),
    CASH_BANK: _l("Bank account"),
    FUND_AVAILABLE: _l("Fund balance available for grants"),
    FUND_PLEDGED: _l("Pledged contributions not yet received"),
    PSC_INCOME: _l("Programme support cost income"),
}

# Accounts created on demand, one per donor or grant, by owner type.
OWNER_GROUPS: dict[str, LazyString] = {
    "donor": _l("Pledges receivable, one account per donor"),
    "grant": _l("Grants payable, one account per grant"),
    "restriction": _l("Restricted contributions, one account per restriction"),
}
GROUP_ENDPOINTS = {"donor": "ledger.donor_accounts", "grant": "ledger.grant_accounts"}

# Pages of the areas that post to the ledger: (endpoint, URL variable). An area that has no
# page yet (or names it differently) is shown as plain text instead of a broken link. A donor
# has no page of their own: staff know a donor by their contributions, the list filtered to
# them (as search links a donor), which every reader of the ledger may open.
DOCUMENT_PAGES: dict[str, tuple[str, str]] = {
    "gift": ("donations.gift", "gift_id"),
    "pledge": ("donations.pledge", "pledge_id"),
    "donor": ("donations.contributions", "donor"),
    "grant": ("grants.show", "grant_id"),
    "tranche": ("grants.tranche", "tranche_id"),
    "application": ("applications.show", "application_id"),
}

DOCUMENT_TYPES: dict[str, LazyString] = {
    "gift": _l("Gift"),
    "pledge": _l("Pledge"),
    "donor": _l("Donor"),
    "grant": _l("Grant"),
    "tranche": _l("Tranche"),
    "application": _l("Application"),
    "bank_receipt_allocation": _l("Bank receipt allocation"),
}


def account_type_label(value: AccountType) -> str:
    return str(ACCOUNT_TYPES.get(value, value.value))


def kind_label(value: TransferKind) -> str:
    return str(TRANSFER_KINDS.get(value, value.value))


def code_label(value: TransferCode) -> str:
    return str(TRANSFER_CODES.get(value, value.value))


def account_name(account: Account) -> str:
    """The fixed accounts in the reader's language; per-donor and per-grant ones as stored."""
    name = FIXED_ACCOUNT_NAMES.get(account.key)
    return str(name) if name is not None else account.name


def group_label(owner_type: str) -> str:
    label = OWNER_GROUPS.get(owner_type)
    return str(label) if label is not None else owner_type


def code_choices() -> list[tuple[str, str]]:
    return [(code.value, code_label(code)) for code in TransferCode]


@dataclass(frozen=True)
class DocumentLink:
    text: str
    url: str | None


def _reference_of(document_type: str, document_id: str | None) -> str | None:
    """The reference people know a grant or a tranche by (VTF/2026/008/T1), not its row id."""
    if not document_id or not document_id.isdigit():
        return None
    record: Grant | Tranche | None = None
    if document_type == "grant":
        record = db.session.get(Grant, int(document_id))
    elif document_type == "tranche":
        record = db.session.get(Tranche, int(document_id))
    return record.reference if record is not None else None


def document_link(
    document_type: str | None, document_id: str | None, *, by_reference: bool = False
) -> DocumentLink | None:
    """What a transfer was recorded for, linked to its page when that page exists.

    ``by_reference`` names a grant or tranche by its reference (one query: for a single
    transfer's page, not for lists)."""
    if not document_type:
        return None
    name = DOCUMENT_TYPES.get(document_type)
    kind = str(name) if name is not None else document_type
    reference = _reference_of(document_type, document_id) if by_reference else None
    shown = reference or document_id or ""
    text = _("%(kind)s %(id)s", kind=kind, id=shown).strip()
    page = DOCUMENT_PAGES.get(document_type)
    if page is None or not document_id:
        return DocumentLink(text, None)
    endpoint, variable = page
    values: dict[str, Any] = {variable: document_id}
    try:
        url: str | None = url_for(endpoint, **values)
    except (BuildError, ValueError, TypeError):
        # BuildError: the area has no such page yet; ValueError: an id its URL cannot take.
        url = None
    return DocumentLink(text, url)
