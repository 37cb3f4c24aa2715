"""The fund's list of organisations (their due-diligence files) as a staff list
(app/platform/listing.py): sortable columns, filters (status, country, words, possible
duplicates), its CSV."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from app.accounts.models import Organisation
from app.accounts.permissions import Permission
from app.applications.models import DueDiligenceStatus, OrganisationProfile, RiskRating
from app.applications.services.duplicates import possibly_duplicated
from app.platform.errors import N_
from app.platform.listing import Filter, ListSpec, Sort, contains_pattern, register_list


def _status(text: str) -> DueDiligenceStatus | None:
    return DueDiligenceStatus(text) if text in {s.value for s in DueDiligenceStatus} else None


def _risk(text: str) -> RiskRating | None:
    return RiskRating(text) if text in {r.value for r in RiskRating} else None


def _country(text: str) -> str | None:
    code = text.strip().upper()
    return code if len(code) == 2 and code.isascii() and code.isalpha() else None


def _yes(text: str) -> bool | None:
    return True if text in ("1", "on", "true", "yes") else None


def _words(text: str) -> str | None:
    return text if text.strip() else None


def _filtered(filters: Mapping[str, Any]) -> sa.Select[Any]:
    query = (
        sa.select(OrganisationProfile)
        .join(OrganisationProfile.organisation)
        .options(contains_eager(OrganisationProfile.organisation))
    )
    if (status := filters.get("status")) is not None:
        query = query.where(OrganisationProfile.status == status)
    if (risk := filters.get("risk")) is not None:
        query = query.where(OrganisationProfile.risk_rating == risk)
    if (country := filters.get("country")) is not None:
        query = query.where(Organisation.country == country)
    if filters.get("flagged"):
        query = query.where(possibly_duplicated())
    if (text := filters.get("q")) is not None:
        pattern = contains_pattern(text.strip())
        query = query.where(
            sa.or_(
                Organisation.name.ilike(pattern, escape="\\"),
                OrganisationProfile.legal_name.ilike(pattern, escape="\\"),
                OrganisationProfile.registration_number.ilike(pattern, escape="\\"),
            )
        )
    return query


def _csv_row(profile: OrganisationProfile) -> list[Any]:
    organisation = profile.organisation
    return [
        organisation.id,
        organisation.name,
        organisation.country or "",
        profile.status.value,
        profile.risk_rating.value if profile.risk_rating else "",
        profile.registration_number,
        profile.submitted_at,
    ]


ORGANISATIONS = register_list(
    ListSpec(
        name="organisations",
        endpoint="organisations.index",
        permissions=(Permission.VERIFY_ORGANISATION,),
        sorts=(
            # Files waiting for a decision first (the fund manager's queue), then by name.
            Sort(
                "waiting",
                N_("Waiting first"),
                lambda: sa.case(
                    (OrganisationProfile.status == DueDiligenceStatus.DOCUMENTS_SUBMITTED, 0),
                    else_=1,
                ),
            ),
            Sort("name", N_("Organisation"), lambda: Organisation.name),
            Sort("country", N_("Country"), lambda: sa.func.coalesce(Organisation.country, "")),
            Sort("status", N_("Status"), lambda: OrganisationProfile.status),
            Sort(
                "risk",
                N_("Risk"),
                lambda: sa.func.coalesce(
                    sa.type_coerce(OrganisationProfile.risk_rating, sa.String()), ""
                ),
            ),
        ),
        default_sort="waiting",
        filters=(
            Filter(
                "status", _status, N_("“%(value)s” is not a status; the status filter is left out.")
            ),
            Filter("risk", _risk, N_("“%(value)s” is not a risk rating; that filter is left out.")),
            Filter(
                "country",
                _country,
                N_("“%(value)s” is not a country code; the country filter is left out."),
            ),
            Filter(
                "flagged", _yes, N_("“%(value)s” is not yes; the duplicates filter is left out.")
            ),
            Filter("q", _words, N_("Nothing to search for.")),
        ),
        query=_filtered,
        id_column=lambda: OrganisationProfile.organisation_id,
        csv_file="organisations.csv",
        csv_columns=(
            "organisation_id",
            "name",
            "country",
            "status",
            "risk",
            "registration_number",
            "submitted_at",
        ),
        csv_row=_csv_row,
    )
)
