"""The fund's list of all applications as a staff list (app/platform/listing.py): its sortable
columns, its filters (call, status, country, words), its CSV."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, load_only

from app.accounts.models import Organisation
from app.accounts.permissions import Permission
from app.applications.models import Application, ApplicationStatus
from app.calls.models import Call
from app.platform.errors import N_
from app.platform.listing import Filter, ListSpec, Sort, contains_pattern, register_list
from app.platform.money import to_major


def _whole(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None


def _status(text: str) -> ApplicationStatus | None:
    return ApplicationStatus(text) if text in {s.value for s in ApplicationStatus} else None


def country_code(text: str) -> str | None:
    code = text.strip().upper()
    return code if len(code) == 2 and code.isascii() and code.isalpha() else None


def words(text: str) -> str | None:
    return text if text.strip() else None


def _filtered(filters: Mapping[str, Any]) -> sa.Select[Any]:
    query = (
        sa.select(Application)
        .join(Application.organisation)
        .join(Application.call)
        .options(
            contains_eager(Application.organisation).load_only(
                Organisation.id, Organisation.name, Organisation.country
            ),
            contains_eager(Application.call)
            .load_only(Call.id, Call.reference)
            .lazyload(Call.criteria),
            load_only(
                Application.id,
                Application.title,
                Application.status,
                Application.currency,
                Application.requested_amount,
                Application.updated_at,
                Application.call_id,
                Application.organisation_id,
            ),
        )
    )
    if (call_id := filters.get("call_id")) is not None:
        query = query.where(Application.call_id == call_id)
    if (status := filters.get("status")) is not None:
        query = query.where(Application.status == status)
    if (country := filters.get("country")) is not None:
        query = query.where(Organisation.country == country)
    if (text := filters.get("q")) is not None:
        reference = text.strip().upper().removeprefix("APP-")
        pattern = contains_pattern(text.strip())
        matches: list[sa.ColumnElement[bool]] = [
            Application.title.ilike(pattern, escape="\\"),
            Organisation.name.ilike(pattern, escape="\\"),
        ]
        if reference.isdigit() and len(reference) < 10:
            matches.append(Application.id == int(reference))
        query = query.where(sa.or_(*matches))
    return query


def _csv_row(application: Application) -> list[Any]:
    return [
        application.reference,
        application.title,
        application.organisation.name,
        application.organisation.country or "",
        application.call.reference,
        application.currency,
        to_major(application.requested_amount, application.currency),
        application.status.value,
        application.updated_at,
    ]


APPLICATIONS = register_list(
    ListSpec(
        name="applications",
        endpoint="applications.all",
        permissions=(Permission.VIEW_ALL_APPLICATIONS,),
        sorts=(
            Sort("updated", N_("Last change"), lambda: Application.updated_at, True),
            Sort("title", N_("Application"), lambda: Application.title),
            Sort("organisation", N_("Organisation"), lambda: Organisation.name),
            Sort("country", N_("Country"), lambda: sa.func.coalesce(Organisation.country, "")),
            Sort("call", N_("Call"), lambda: Call.reference),
            Sort("requested", N_("Requested"), lambda: Application.requested_amount, True),
            Sort("status", N_("Status"), lambda: Application.status),
        ),
        default_sort="updated",
        filters=(
            Filter(
                "call_id", _whole, N_("“%(value)s” is not a call; the call filter is left out.")
            ),
            Filter(
                "status", _status, N_("“%(value)s” is not a status; the status filter is left out.")
            ),
            Filter(
                "country",
                country_code,
                N_("“%(value)s” is not a country code; the country filter is left out."),
            ),
            Filter("q", words, N_("Nothing to search for.")),
        ),
        query=_filtered,
        id_column=lambda: Application.id,
        csv_file="applications.csv",
        csv_columns=(
            "reference",
            "title",
            "organisation",
            "country",
            "call",
            "currency",
            "requested",
            "status",
            "updated_at",
        ),
        csv_row=_csv_row,
    )
)


def listed_countries() -> list[str]:
    """The countries of the fund's organisations, for the country filter (one statement)."""
    from app.platform.extensions import db

    found = db.session.execute(
        sa.select(Organisation.country)
        .where(Organisation.country.is_not(None))
        .distinct()
        .order_by(Organisation.country)
    ).scalars()
    return [code for code in found if code]
