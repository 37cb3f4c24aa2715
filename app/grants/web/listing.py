"""The fund manager's list of grants as a staff list (app/platform/listing.py): sortable
columns (those with an overdue report first by default), filters (status, country, words,
overdue only), its CSV."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload

from app.accounts.models import Organisation
from app.accounts.permissions import Permission
from app.grants.models import REPORT_OUTSTANDING, Grant, GrantReport, GrantStatus
from app.grants.services.common import today
from app.grants.services.reports import REPORTING_STATES
from app.platform.errors import N_
from app.platform.listing import Filter, ListSpec, Sort, contains_pattern, register_list
from app.platform.money import to_major


def _overdue() -> sa.ColumnElement[bool]:
    """A running grant with a report past its due date (as the dashboard counts them)."""
    late = (
        sa.select(GrantReport.id)
        .where(
            GrantReport.grant_id == Grant.id,
            GrantReport.status.in_(list(REPORT_OUTSTANDING)),
            GrantReport.due_date < today(),
        )
        .exists()
    )
    return sa.and_(Grant.status.in_(list(REPORTING_STATES)), late)


def _status(text: str) -> GrantStatus | None:
    return GrantStatus(text) if text in {s.value for s in GrantStatus} else None


def _country(text: str) -> str | None:
    code = text.strip().upper()
    return code if len(code) == 2 and code.isascii() and code.isalpha() else None


def _yes(text: str) -> bool | None:
    return True if text in ("1", "on", "true", "yes") else None


def _words(text: str) -> str | None:
    return text if text.strip() else None


def _filtered(filters: Mapping[str, Any]) -> sa.Select[Any]:
    query = (
        sa.select(Grant)
        .join(Grant.organisation)
        .options(
            contains_eager(Grant.organisation),
            selectinload(Grant.reports),
            selectinload(Grant.tranches),
        )
    )
    if (status := filters.get("status")) is not None:
        query = query.where(Grant.status == status)
    if (country := filters.get("country")) is not None:
        query = query.where(Organisation.country == country)
    if filters.get("overdue"):
        query = query.where(_overdue())
    if (text := filters.get("q")) is not None:
        pattern = contains_pattern(text.strip())
        query = query.where(
            sa.or_(
                Grant.reference.ilike(pattern, escape="\\"),
                Grant.title.ilike(pattern, escape="\\"),
                Organisation.name.ilike(pattern, escape="\\"),
            )
        )
    return query


def _csv_row(grant: Grant) -> list[Any]:
    return [
        grant.reference,
        grant.title,
        grant.organisation.name,
        grant.organisation.country or "",
        grant.currency,
        to_major(grant.amount, grant.currency),
        to_major(grant.paid_amount, grant.currency),
        grant.status.value,
    ]


GRANTS = register_list(
    ListSpec(
        name="grants",
        endpoint="grants.manage",
        permissions=(Permission.VIEW_ALL_APPLICATIONS,),
        sorts=(
            Sort("overdue", N_("Report overdue first"), lambda: sa.case((_overdue(), 0), else_=1)),
            Sort("reference", N_("Grant"), lambda: Grant.reference, True),
            Sort("organisation", N_("Organisation"), lambda: Organisation.name),
            Sort("amount", N_("Amount"), lambda: Grant.amount, True),
            Sort("status", N_("Status"), lambda: Grant.status),
        ),
        default_sort="overdue",
        filters=(
            Filter(
                "status", _status, N_("“%(value)s” is not a status; the status filter is left out.")
            ),
            Filter(
                "country",
                _country,
                N_("“%(value)s” is not a country code; the country filter is left out."),
            ),
            Filter("overdue", _yes, N_("“%(value)s” is not yes; the overdue filter is left out.")),
            Filter("q", _words, N_("Nothing to search for.")),
        ),
        query=_filtered,
        id_column=lambda: Grant.id,
        csv_file="grants.csv",
        csv_columns=(
            "reference",
            "title",
            "organisation",
            "country",
            "currency",
            "amount",
            "paid",
            "status",
        ),
        csv_row=_csv_row,
    )
)
