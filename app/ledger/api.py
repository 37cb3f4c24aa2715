"""Finance's reading in the JSON API (docs/api.md), token scope ``finance``, for those who may
read the ledger's pages (``view_ledger``: finance, fund manager, auditor): the ledger's accounts
with their balances and its transfers, and the disbursements (tranches to pay, tranches paid)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import request
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app.accounts.permissions import Permission
from app.grants import tranche_queries
from app.grants.models import Tranche, TrancheStatus
from app.grants.services.common import today
from app.ledger.models import Account, Transfer
from app.ledger.web.queries.chart import balance_of
from app.tokens.models import TokenScope
from app.web.access import requires
from app.web.api import (
    CURSOR_PARAMETERS,
    IF_NONE_MATCH_PARAMETER,
    MONEY_SCHEMA,
    ORGANISATION_SCHEMA,
    TIME_SCHEMA,
    Operation,
    answer_or_not_modified,
    bp,
    documented,
    newest_first_json,
    page_schema,
)
from app.web.forms import whole_number_arg


def _money(amount: int, currency: str) -> dict[str, str]:
    return {"amount_minor": str(amount), "currency": currency}


ACCOUNT_REF_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "key", "name"],
    "properties": {
        "id": {"type": "integer"},
        "key": {"type": "string"},
        "name": {"type": "string"},
    },
}
ACCOUNT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "id",
        "key",
        "code",
        "name",
        "type",
        "owner_type",
        "owner_id",
        "posted",
        "pending",
        "available",
        "created_at",
    ],
    "properties": {
        "id": {"type": "integer"},
        "key": {"type": "string"},
        "code": {"type": "integer"},
        "name": {"type": "string"},
        "type": {"type": "string"},
        "owner_type": {"type": ["string", "null"]},
        "owner_id": {"type": ["integer", "null"]},
        "posted": MONEY_SCHEMA,
        "pending": MONEY_SCHEMA,
        "available": MONEY_SCHEMA,
        "created_at": TIME_SCHEMA,
    },
}
TRANSFER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "id",
        "sequence",
        "kind",
        "code",
        "debit_account",
        "credit_account",
        "amount",
        "pending_id",
        "batch_id",
        "document_type",
        "document_id",
        "memo",
        "created_at",
    ],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "sequence": {"type": "integer"},
        "kind": {"type": "string"},
        "code": {"type": "string"},
        "debit_account": ACCOUNT_REF_SCHEMA,
        "credit_account": ACCOUNT_REF_SCHEMA,
        "amount": MONEY_SCHEMA,
        "pending_id": {"type": ["string", "null"]},
        "batch_id": {"type": ["string", "null"]},
        "document_type": {"type": ["string", "null"]},
        "document_id": {"type": ["string", "null"]},
        "memo": {"type": ["string", "null"]},
        "created_at": TIME_SCHEMA,
    },
}
OWNER_TYPES = ("donor", "grant")
DATE_SCHEMA: dict[str, Any] = {"type": "string", "format": "date"}


def account_as_json(account: Account) -> dict[str, Any]:
    balance = balance_of(account)
    return {
        "id": account.id,
        "key": account.key,
        "code": account.code,
        "name": account.name,
        "type": account.type.value,
        "owner_type": account.owner_type,
        "owner_id": account.owner_id,
        "posted": _money(balance.posted, account.currency),
        "pending": _money(balance.pending, account.currency),
        "available": _money(balance.available, account.currency),
        "created_at": account.created_at.isoformat(),
    }


def _account_ref(account: Account) -> dict[str, Any]:
    return {"id": account.id, "key": account.key, "name": account.name}


def transfer_as_json(transfer: Transfer) -> dict[str, Any]:
    return {
        "id": str(transfer.id),
        "sequence": transfer.sequence,
        "kind": transfer.kind.value,
        "code": transfer.code.value,
        "debit_account": _account_ref(transfer.debit_account),
        "credit_account": _account_ref(transfer.credit_account),
        # Both sides of a transfer are in one currency (the posting rules refuse otherwise).
        "amount": _money(transfer.amount, transfer.debit_account.currency),
        "pending_id": str(transfer.pending_id) if transfer.pending_id else None,
        "batch_id": str(transfer.batch_id) if transfer.batch_id else None,
        "document_type": transfer.document_type,
        "document_id": transfer.document_id,
        "memo": transfer.memo,
        "created_at": transfer.created_at.isoformat(),
    }


@bp.get("/ledger/accounts")
@requires(Permission.VIEW_LEDGER)
@documented(
    Operation(
        area=TokenScope.FINANCE,
        summary="The ledger's accounts with their balances, newest first",
        description="As the chart of accounts shows them: posted, pending and available, on "
        "each account's normal side. ?owner_type=donor or grant: only those owners' accounts.",
        response=page_schema("accounts", ACCOUNT_SCHEMA),
        parameters=(
            *CURSOR_PARAMETERS,
            {
                "name": "owner_type",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": list(OWNER_TYPES)},
            },
        ),
        not_modified=True,
    )
)
def ledger_accounts() -> Any:
    query = sa.select(Account)
    owner_type = request.args.get("owner_type")
    if owner_type in OWNER_TYPES:
        query = query.where(Account.owner_type == owner_type)
    return newest_first_json(
        "accounts",
        query,
        moment=Account.created_at,
        row_id=Account.id,
        as_json=account_as_json,
    )


@bp.get("/ledger/transfers")
@requires(Permission.VIEW_LEDGER)
@documented(
    Operation(
        area=TokenScope.FINANCE,
        summary="The ledger's transfers, newest first",
        description="?account_id=: only the transfers that debit or credit that account, as "
        "its statement lists them.",
        response=page_schema("transfers", TRANSFER_SCHEMA),
        parameters=(
            *CURSOR_PARAMETERS,
            {
                "name": "account_id",
                "in": "query",
                "required": False,
                "schema": {"type": "integer"},
            },
        ),
        not_modified=True,
    )
)
def ledger_transfers() -> Any:
    query = sa.select(Transfer).options(
        joinedload(Transfer.debit_account), joinedload(Transfer.credit_account)
    )
    account_id = whole_number_arg("account_id")
    if account_id is not None:
        query = query.where(
            sa.or_(
                Transfer.debit_account_id == account_id, Transfer.credit_account_id == account_id
            )
        )
    return newest_first_json(
        "transfers",
        query,
        moment=Transfer.created_at,
        row_id=Transfer.sequence,
        as_json=transfer_as_json,
    )


# --- Finance's disbursements: tranches to pay and paid, as /grants/disbursements ---------

TRANCHE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "id",
        "reference",
        "grant_id",
        "organisation",
        "number",
        "status",
        "amount",
        "planned_date",
        "confirmed_at",
    ],
    "properties": {
        "id": {"type": "integer"},
        "reference": {"type": "string"},
        "grant_id": {"type": "integer"},
        "organisation": ORGANISATION_SCHEMA,
        "number": {"type": "integer"},
        "status": {"type": "string", "enum": [s.value for s in TrancheStatus]},
        "amount": MONEY_SCHEMA,
        "planned_date": DATE_SCHEMA,
        "confirmed_at": {"anyOf": [TIME_SCHEMA, {"type": "null"}]},
    },
}
_QUEUE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["queue", "upcoming"],
    "properties": {
        "queue": {
            "type": "object",
            "description": "The tranches under way by state (requested, approved, sent, "
            "failed), oldest planned first",
            "additionalProperties": {"type": "array", "items": TRANCHE_SCHEMA},
        },
        "upcoming": {
            "type": "array",
            "description": "The next scheduled tranche of each running grant, with what still "
            "stops it from being requested",
            "items": {
                "type": "object",
                "required": ["tranche", "blockers"],
                "properties": {
                    "tranche": TRANCHE_SCHEMA,
                    "blockers": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}


def tranche_as_json(tranche: Tranche) -> dict[str, Any]:
    grant = tranche.grant
    return {
        "id": tranche.id,
        "reference": tranche.reference,
        "grant_id": grant.id,
        "organisation": {"id": grant.organisation.id, "name": grant.organisation.name},
        "number": tranche.number,
        "status": tranche.status.value,
        "amount": {"amount_minor": str(tranche.amount), "currency": grant.currency},
        "planned_date": tranche.planned_date.isoformat(),
        "confirmed_at": tranche.confirmed_at.isoformat() if tranche.confirmed_at else None,
    }


@bp.get("/disbursements")
@requires(Permission.VIEW_LEDGER)
@documented(
    Operation(
        area=TokenScope.FINANCE,
        summary="Finance's disbursement queue: tranches under way and the next ones to pay",
        description="As the disbursements page: the tranches requested, approved, sent or "
        "failed, and the next scheduled tranche of each running grant with its blockers.",
        response=_QUEUE_SCHEMA,
        parameters=(IF_NONE_MATCH_PARAMETER,),
        not_modified=True,
    )
)
def disbursements() -> Any:
    on = today()
    queue = tranche_queries.disbursement_queue(on=on)
    return answer_or_not_modified(
        {
            "queue": {
                state.value: [tranche_as_json(t) for t in rows] for state, rows in queue.items()
            },
            "upcoming": [
                {
                    "tranche": tranche_as_json(ready.tranche),
                    "blockers": [blocker.translated(_) for blocker in ready.blockers],
                }
                for ready in tranche_queries.next_tranches(on=on)
            ],
        }
    )


@bp.get("/disbursements/paid")
@requires(Permission.VIEW_LEDGER)
@documented(
    Operation(
        area=TokenScope.FINANCE,
        summary="Tranches paid, the latest confirmed first",
        response=page_schema("tranches", TRANCHE_SCHEMA),
        parameters=CURSOR_PARAMETERS,
        not_modified=True,
    )
)
def paid_tranches() -> Any:
    query = (
        sa.select(Tranche)
        .options(joinedload(Tranche.grant))
        .where(Tranche.status == TrancheStatus.PAID, Tranche.confirmed_at.is_not(None))
    )
    return newest_first_json(
        "tranches",
        query,
        moment=Tranche.confirmed_at,
        row_id=Tranche.id,
        as_json=tranche_as_json,
    )
