"""Donations in the JSON API (docs/api.md), read only, over the pages' queries and checks.

- The fund's staff who may see every contribution (``view_all_contributions``, as
  /donations/contributions, /donations/pledges and /donations/bank-receipts): card gifts,
  pledges, bank receipts. Token scope ``donations``.
- Finance, who keep the rates (``manage_exchange_rates``, as /donations/exchange-rates): the
  monthly exchange rates. Token scope ``finance``.
- A donor (``view_own_contributions``, as /my/giving): their own gifts, pledges and receipts;
  one receipt, and its printable page as the portal shows it. Token scope ``donations``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template, request

from app.accounts.permissions import Permission, can_view_receipt
from app.donations import services
from app.donations.models import (
    BankReceipt,
    DonationReceipt,
    DonorKind,
    ExchangeRate,
    Gift,
    GiftStatus,
    Pledge,
    PledgeStatus,
)
from app.donations.reports.contributions import (
    ContributionFilter,
    ContributionKind,
    gift_conditions,
)
from app.donations.reports.portal import own_gifts, own_pledges, own_receipts
from app.tokens.models import TokenScope
from app.web.access import login_required, requires
from app.web.api import (
    CURSOR_PARAMETERS,
    IF_NONE_MATCH_PARAMETER,
    MONEY_SCHEMA,
    TIME_SCHEMA,
    Operation,
    answer_or_not_modified,
    api_user,
    bp,
    documented,
    newest_day_first_json,
    newest_first_json,
    page_schema,
)
from app.web.forms import whole_number_arg
from app.web.links import public_url
from app.web.lookup import visible_or_404

DATE_SCHEMA: dict[str, Any] = {"type": "string", "format": "date"}
NULLABLE_TIME: dict[str, Any] = {"anyOf": [TIME_SCHEMA, {"type": "null"}]}
NULLABLE_MONEY: dict[str, Any] = {"anyOf": [MONEY_SCHEMA, {"type": "null"}]}
DONOR_REF_SCHEMA: dict[str, Any] = {
    "type": ["object", "null"],
    "required": ["id", "name", "kind"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "kind": {"type": "string"},
    },
}


def _money(amount: int | None, currency: str) -> dict[str, str] | None:
    return None if amount is None else {"amount_minor": str(amount), "currency": currency}


def _functional() -> str:
    return str(current_app.config["FUNCTIONAL_CURRENCY"])


def _donor(donor: Any) -> dict[str, Any] | None:
    if donor is None:
        return None
    return {"id": donor.id, "name": donor.name, "kind": donor.kind.value}


# --- gifts -----------------------------------------------------------------------------------

GIFT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "id",
        "donor",
        "kind",
        "status",
        "amount",
        "functional_amount",
        "fee",
        "refunded",
        "created_at",
        "succeeded_at",
    ],
    "properties": {
        "id": {"type": "integer"},
        "donor": DONOR_REF_SCHEMA,
        "kind": {"type": "string"},
        "status": {"type": "string"},
        "amount": MONEY_SCHEMA,
        "functional_amount": NULLABLE_MONEY,
        "fee": MONEY_SCHEMA,
        "refunded": MONEY_SCHEMA,
        "created_at": TIME_SCHEMA,
        "succeeded_at": NULLABLE_TIME,
    },
}


def gift_as_json(gift: Gift) -> dict[str, Any]:
    functional = _functional()
    return {
        "id": gift.id,
        "donor": _donor(gift.donor),
        "kind": gift.kind.value,
        "status": gift.status.value,
        "amount": _money(gift.amount, gift.currency),
        "functional_amount": _money(gift.functional_amount, functional),
        "fee": _money(gift.fee_amount, functional),
        "refunded": _money(gift.refunded_amount, gift.currency),
        "created_at": gift.created_at.isoformat(),
        "succeeded_at": gift.succeeded_at.isoformat() if gift.succeeded_at else None,
    }


def _contribution_filters() -> ContributionFilter:
    """The contributions page's filters from the query string (junk ignored, never a 500)."""
    args = request.args
    kind = args.get("kind", "")
    donor_kind = args.get("donor_kind", "")
    currency = args.get("currency", "").strip().upper()
    status = args.get("status", "")
    return ContributionFilter(
        donor_id=whole_number_arg("donor"),
        kind=ContributionKind(kind) if kind in set(ContributionKind) else None,
        year=whole_number_arg("year", maximum=9999),
        status=status if status in {s.value for s in GiftStatus} else None,
        currency=currency if len(currency) == 3 and currency.isalpha() else None,
        donor_kind=DonorKind(donor_kind) if donor_kind in set(DonorKind) else None,
    )


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


@bp.get("/contributions")
@requires(Permission.VIEW_ALL_CONTRIBUTIONS)
@documented(
    Operation(
        area=TokenScope.DONATIONS,
        summary="Every donor's card gifts, newest first",
        description="The gifts of the contributions page, with its filters (pledges: "
        "GET /api/v1/pledges; bank transfers: GET /api/v1/bank-receipts).",
        response=page_schema("gifts", GIFT_SCHEMA),
        parameters=(
            *CURSOR_PARAMETERS,
            _query("donor", {"type": "integer"}, "A donor's id"),
            _query(
                "kind",
                {"type": "string", "enum": ["one_off_gift", "monthly_gift"]},
                "One-off or monthly gifts",
            ),
            _query("year", {"type": "integer"}, "The year the gift counts in"),
            _query(
                "status",
                {"type": "string", "enum": [s.value for s in GiftStatus]},
                "The gift's status",
            ),
            _query("currency", {"type": "string"}, "ISO 4217 code"),
            _query("donor_kind", {"type": "string"}, "The donor's kind"),
        ),
        not_modified=True,
    )
)
def contributions() -> Any:
    conditions = gift_conditions(_contribution_filters())
    query = sa.select(Gift).where(*conditions) if conditions is not None else None
    if query is None:  # ?kind=pledge: no gift
        return answer_or_not_modified({"gifts": [], "next_cursor": None})
    return newest_first_json(
        "gifts", query, moment=Gift.created_at, row_id=Gift.id, as_json=gift_as_json
    )


# --- pledges ---------------------------------------------------------------------------------

PLEDGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "id",
        "donor",
        "year",
        "status",
        "amount",
        "paid",
        "outstanding",
        "functional_amount",
        "earmark",
        "confirmed_on",
        "created_at",
    ],
    "properties": {
        "id": {"type": "integer"},
        "donor": DONOR_REF_SCHEMA,
        "year": {"type": "integer"},
        "status": {"type": "string", "enum": [s.value for s in PledgeStatus]},
        "amount": MONEY_SCHEMA,
        "paid": MONEY_SCHEMA,
        "outstanding": MONEY_SCHEMA,
        "functional_amount": NULLABLE_MONEY,
        "earmark": {"type": ["string", "null"]},
        "confirmed_on": {"anyOf": [DATE_SCHEMA, {"type": "null"}]},
        "created_at": TIME_SCHEMA,
    },
}


def pledge_as_json(pledge: Pledge) -> dict[str, Any]:
    return {
        "id": pledge.id,
        "donor": _donor(pledge.donor),
        "year": pledge.year,
        "status": pledge.status.value,
        "amount": _money(pledge.amount, pledge.currency),
        "paid": _money(pledge.paid_amount, pledge.currency),
        "outstanding": _money(pledge.outstanding_amount, pledge.currency),
        "functional_amount": _money(pledge.functional_amount, _functional()),
        "earmark": pledge.earmark,
        "confirmed_on": pledge.confirmed_on.isoformat() if pledge.confirmed_on else None,
        "created_at": pledge.created_at.isoformat(),
    }


@bp.get("/pledges")
@requires(Permission.VIEW_ALL_CONTRIBUTIONS)
@documented(
    Operation(
        area=TokenScope.DONATIONS,
        summary="Every donor's pledges, newest first",
        description="As the pledges page lists them; ?status= keeps one status.",
        response=page_schema("pledges", PLEDGE_SCHEMA),
        parameters=(
            *CURSOR_PARAMETERS,
            _query(
                "status",
                {"type": "string", "enum": [s.value for s in PledgeStatus]},
                "Only pledges in this status",
            ),
        ),
        not_modified=True,
    )
)
def pledges() -> Any:
    query = sa.select(Pledge)
    status = request.args.get("status", "")
    if status in {s.value for s in PledgeStatus}:
        query = query.where(Pledge.status == status)
    return newest_first_json(
        "pledges", query, moment=Pledge.created_at, row_id=Pledge.id, as_json=pledge_as_json
    )


# --- bank receipts ---------------------------------------------------------------------------

BANK_RECEIPT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "id",
        "donor",
        "value_date",
        "amount",
        "functional_amount",
        "fx_rate",
        "bank_reference",
        "payer_name",
        "allocated",
        "unapplied",
        "created_at",
    ],
    "properties": {
        "id": {"type": "integer"},
        "donor": DONOR_REF_SCHEMA,
        "value_date": DATE_SCHEMA,
        "amount": MONEY_SCHEMA,
        "functional_amount": MONEY_SCHEMA,
        "fx_rate": {"type": "string", "description": "Functional units per unit, exact"},
        "bank_reference": {"type": "string"},
        "payer_name": {"type": ["string", "null"]},
        "allocated": MONEY_SCHEMA,
        "unapplied": MONEY_SCHEMA,
        "created_at": TIME_SCHEMA,
    },
}


def bank_receipt_as_json(receipt: BankReceipt) -> dict[str, Any]:
    return {
        "id": receipt.id,
        "donor": _donor(receipt.donor),
        "value_date": receipt.value_date.isoformat(),
        "amount": _money(receipt.amount, receipt.currency),
        "functional_amount": _money(receipt.functional_amount, _functional()),
        "fx_rate": str(receipt.fx_rate),
        "bank_reference": receipt.bank_reference,
        "payer_name": receipt.payer_name,
        "allocated": _money(receipt.allocated_amount, receipt.currency),
        "unapplied": _money(receipt.unapplied_amount, receipt.currency),
        "created_at": receipt.created_at.isoformat(),
    }


@bp.get("/bank-receipts")
@requires(Permission.VIEW_ALL_CONTRIBUTIONS)
@documented(
    Operation(
        area=TokenScope.DONATIONS,
        summary="Bank transfers received, latest value date first",
        description="As the bank receipts page lists them, with what is applied to pledges "
        "and what is not. The cursor is the value date and id (YYYY-MM-DD.id).",
        response=page_schema("bank_receipts", BANK_RECEIPT_SCHEMA),
        parameters=CURSOR_PARAMETERS,
        not_modified=True,
    )
)
def bank_receipts() -> Any:
    return newest_day_first_json(
        "bank_receipts",
        sa.select(BankReceipt),
        day=BankReceipt.value_date,
        row_id=BankReceipt.id,
        as_json=bank_receipt_as_json,
    )


# --- exchange rates --------------------------------------------------------------------------

RATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "currency", "month", "rate", "functional_currency"],
    "properties": {
        "id": {"type": "integer"},
        "currency": {"type": "string"},
        "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
        "rate": {
            "type": "string",
            "description": "Units of the functional currency per unit of currency, exact",
        },
        "functional_currency": {"type": "string"},
    },
}


def rate_as_json(rate: ExchangeRate) -> dict[str, Any]:
    return {
        "id": rate.id,
        "currency": rate.currency,
        "month": rate.month.strftime("%Y-%m"),
        "rate": str(rate.rate),
        "functional_currency": _functional(),
    }


@bp.get("/exchange-rates")
@requires(Permission.MANAGE_EXCHANGE_RATES)
@documented(
    Operation(
        area=TokenScope.FINANCE,
        summary="The monthly exchange rates, latest month first",
        description="The rates of the exchange rates page. The cursor is the month's first "
        "day and the id.",
        response=page_schema("exchange_rates", RATE_SCHEMA),
        parameters=CURSOR_PARAMETERS,
        not_modified=True,
    )
)
def exchange_rates() -> Any:
    return newest_day_first_json(
        "exchange_rates",
        sa.select(ExchangeRate),
        day=ExchangeRate.month,
        row_id=ExchangeRate.id,
        as_json=rate_as_json,
    )


# --- a donor's own ---------------------------------------------------------------------------

RECEIPT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "reference", "issued_at", "received_from", "amount", "gift_id", "url"],
    "properties": {
        "id": {"type": "integer"},
        "reference": {"type": "string"},
        "issued_at": TIME_SCHEMA,
        "received_from": {"type": ["string", "null"]},
        "amount": MONEY_SCHEMA,
        "gift_id": {"type": ["integer", "null"]},
        "url": {
            "type": "string",
            "description": "The receipt's page on the site, to print or save as PDF",
        },
    },
}


def receipt_as_json(receipt: DonationReceipt) -> dict[str, Any]:
    return {
        "id": receipt.id,
        "reference": receipt.reference,
        "issued_at": receipt.issued_at.isoformat(),
        "received_from": receipt.donor_name,
        "amount": _money(receipt.amount, receipt.currency),
        "gift_id": receipt.gift_id,
        "url": public_url("donations.receipt", receipt_id=receipt.id),
    }


def _my_donor_ids() -> list[int]:
    return [donor.id for donor in services.donors_of(api_user())]


@bp.get("/my/gifts")
@requires(Permission.VIEW_OWN_CONTRIBUTIONS)
@documented(
    Operation(
        area=TokenScope.DONATIONS,
        summary="My gifts, newest first",
        description="The gifts of My giving: yours and your organisations'.",
        response=page_schema("gifts", GIFT_SCHEMA),
        parameters=CURSOR_PARAMETERS,
        not_modified=True,
    )
)
def my_gifts() -> Any:
    return newest_first_json(
        "gifts",
        own_gifts(_my_donor_ids()),
        moment=Gift.created_at,
        row_id=Gift.id,
        as_json=gift_as_json,
    )


@bp.get("/my/pledges")
@requires(Permission.VIEW_OWN_CONTRIBUTIONS)
@documented(
    Operation(
        area=TokenScope.DONATIONS,
        summary="My pledges, newest first",
        description="The pledges of My giving: yours and your organisations'.",
        response=page_schema("pledges", PLEDGE_SCHEMA),
        parameters=CURSOR_PARAMETERS,
        not_modified=True,
    )
)
def my_pledges() -> Any:
    return newest_first_json(
        "pledges",
        own_pledges(_my_donor_ids()),
        moment=Pledge.created_at,
        row_id=Pledge.id,
        as_json=pledge_as_json,
    )


@bp.get("/my/receipts")
@requires(Permission.VIEW_OWN_CONTRIBUTIONS)
@documented(
    Operation(
        area=TokenScope.DONATIONS,
        summary="My receipts, newest first",
        description="The receipts of My giving, each with its page's address.",
        response=page_schema("receipts", RECEIPT_SCHEMA),
        parameters=CURSOR_PARAMETERS,
        not_modified=True,
        links={
            "FirstReceipt": {
                "operationId": "receipt",
                "parameters": {"receipt_id": "$response.body#/receipts/0/id"},
            }
        },
    )
)
def my_receipts() -> Any:
    return newest_first_json(
        "receipts",
        own_receipts(_my_donor_ids()),
        moment=DonationReceipt.issued_at,
        row_id=DonationReceipt.id,
        as_json=receipt_as_json,
    )


_RECEIPT_ID: dict[str, Any] = {
    "name": "receipt_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}


@bp.get("/receipts/<int:receipt_id>")
@login_required
@documented(
    Operation(
        area=TokenScope.DONATIONS,
        summary="One receipt",
        description="A receipt its donor (or the fund's staff who see every contribution) may "
        "see, as its page does; anyone else's is 404.",
        response=RECEIPT_SCHEMA,
        parameters=(_RECEIPT_ID, IF_NONE_MATCH_PARAMETER),
        problems=(404,),
        not_modified=True,
    )
)
def receipt(receipt_id: int) -> Any:
    record = visible_or_404(DonationReceipt, receipt_id, can_view_receipt)
    return answer_or_not_modified(receipt_as_json(record))


@bp.get("/receipts/<int:receipt_id>/document")
@login_required
@documented(
    Operation(
        area=TokenScope.DONATIONS,
        summary="One receipt's printable page (HTML), as the site shows it",
        response={"type": "string"},
        response_media_type="text/html",
        parameters=(_RECEIPT_ID,),
        problems=(404,),
    )
)
def receipt_document(receipt_id: int) -> Any:
    record = visible_or_404(DonationReceipt, receipt_id, can_view_receipt)
    response = current_app.make_response(render_template("donations/receipt.html", receipt=record))
    response.headers["Content-Disposition"] = (
        f'attachment; filename="receipt-{record.reference}.html"'
    )
    return response
