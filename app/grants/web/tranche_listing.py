"""Finance's list of every tranche (to pay and paid) as a staff list (app/platform/listing.py):
each column shown sorts, filters (state, overdue, country, currency, words) combine, its count,
saved views and the CSV of exactly what is shown."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from app.accounts.models import Organisation
from app.accounts.permissions import Permission
from app.grants.models import Grant, Tranche, TrancheStatus
from app.grants.services.common import today
from app.grants.services.reports import REPORTING_STATES
from app.grants.tranche_queries import UNPAID_TRANCHES
from app.platform.db import UTCDateTime
from app.platform.errors import N_
from app.platform.listing import Filter, ListSpec, Sort, contains_pattern, register_list
from app.platform.money import to_major

# ``state``: a tranche status, or "overdue" (as the dashboard counts them), or "unpaid".
OVERDUE, UNPAID = "overdue", "unpaid"
STATES = [OVERDUE, UNPAID, *(s.value for s in TrancheStatus)]
_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def _state(text: str) -> str | None:
    return text if text in STATES else None


def _country(text: str) -> str | None:
    code = text.strip().upper()
    return code if len(code) == 2 and code.isascii() and code.isalpha() else None


def _currency(text: str) -> str | None:
    code = text.strip().upper()
    return code if len(code) == 3 and code.isascii() and code.isalpha() else None


def _words(text: str) -> str | None:
    return text if text.strip() else None


def _filtered(filters: Mapping[str, Any]) -> sa.Select[Any]:
    query = (
        sa.select(Tranche)
        .join(Grant, Grant.id == Tranche.grant_id)
        .join(Organisation, Organisation.id == Grant.organisation_id)
        .options(
            contains_eager(Tranche.grant).contains_eager(Grant.organisation),
            # A row shows the grant's reference and currency, never its application (joined
            # by default): not read.
            contains_eager(Tranche.grant).lazyload(Grant.application),
        )
    )
    state = filters.get("state")
    if state == OVERDUE:
        query = query.where(
            Grant.status.in_(list(REPORTING_STATES)),
            Tranche.status.in_(UNPAID_TRANCHES),
            Tranche.planned_date < today(),
        )
    elif state == UNPAID:
        query = query.where(Tranche.status.in_(UNPAID_TRANCHES))
    elif state is not None:
        query = query.where(Tranche.status == TrancheStatus(state))
    if (country := filters.get("country")) is not None:
        query = query.where(Organisation.country == country)
    if (currency := filters.get("currency")) is not None:
        query = query.where(Grant.currency == currency)
    if (text := filters.get("q")) is not None:
        pattern = contains_pattern(text.strip())
        query = query.where(
            sa.or_(
                Grant.reference.ilike(pattern, escape="\\"),
                Organisation.name.ilike(pattern, escape="\\"),
                Tranche.bank_reference.ilike(pattern, escape="\\"),
            )
        )
    return query


def _csv_row(tranche: Tranche) -> list[Any]:
    grant = tranche.grant
    return [
        tranche.reference,
        grant.organisation.name,
        grant.organisation.country or "",
        tranche.planned_date,
        grant.currency,
        to_major(tranche.amount, grant.currency),
        tranche.status.value,
        tranche.confirmed_at or "",
        tranche.bank_reference or "",
    ]


TRANCHES = register_list(
    ListSpec(
        name="tranches",
        endpoint="grants.disbursements",
        permissions=(Permission.VIEW_LEDGER,),
        sorts=(
            Sort("planned", N_("Planned"), lambda: Tranche.planned_date),
            Sort("reference", N_("Tranche"), lambda: Grant.reference),
            Sort("organisation", N_("Organisation"), lambda: Organisation.name),
            Sort("amount", N_("Amount"), lambda: Tranche.amount, True),
            Sort("status", N_("Status"), lambda: Tranche.status),
            Sort(
                "paid",
                N_("Paid on"),
                lambda: sa.func.coalesce(
                    Tranche.confirmed_at, sa.literal(_NEVER, UTCDateTime()), type_=UTCDateTime()
                ),
                True,
            ),
        ),
        default_sort="planned",
        filters=(
            Filter(
                "state", _state, N_("“%(value)s” is not a state; the state filter is left out.")
            ),
            Filter(
                "country",
                _country,
                N_("“%(value)s” is not a country code; the country filter is left out."),
            ),
            Filter(
                "currency",
                _currency,
                N_("“%(value)s” is not a currency code; the currency filter is left out."),
            ),
            Filter("q", _words, N_("Nothing to search for.")),
        ),
        query=_filtered,
        id_column=lambda: Tranche.id,
        csv_file="tranches.csv",
        csv_columns=(
            "tranche",
            "organisation",
            "country",
            "planned",
            "currency",
            "amount",
            "status",
            "paid_at",
            "bank_reference",
        ),
        csv_row=_csv_row,
    )
)
