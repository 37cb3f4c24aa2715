"""NGOs that may be one organisation registered twice."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from app.accounts.models import Organisation
from app.applications.models import OrganisationProfile
from app.applications.services.queries import profile_of
from app.platform.extensions import db


@dataclass(frozen=True)
class DuplicateMatch:
    organisation: Organisation
    reasons: tuple[str, ...]  # "registration_number", "bank_account_holder", "contact_email"


def possible_duplicates(organisation: Organisation) -> list[DuplicateMatch]:
    """Other NGOs sharing a registration number, bank account holder or contact e-mail."""
    profile = profile_of(organisation)
    found: dict[int, list[str]] = {}
    if profile is not None:
        for column, value, reason in (
            (
                OrganisationProfile.registration_number_key,
                profile.registration_number_key,
                "registration_number",
            ),
            (
                OrganisationProfile.bank_account_holder_key,
                profile.bank_account_holder_key,
                "bank_account_holder",
            ),
        ):
            if not value:
                continue
            for other_id in db.session.execute(
                select(OrganisationProfile.organisation_id).where(
                    column == value, OrganisationProfile.organisation_id != organisation.id
                )
            ).scalars():
                found.setdefault(other_id, []).append(reason)
    if organisation.contact_email:
        for other_id in db.session.execute(
            select(Organisation.id)
            .join(OrganisationProfile, OrganisationProfile.organisation_id == Organisation.id)
            .where(
                func.lower(Organisation.contact_email) == organisation.contact_email.lower(),
                Organisation.id != organisation.id,
            )
        ).scalars():
            found.setdefault(other_id, []).append("contact_email")
    return [
        DuplicateMatch(db.session.get_one(Organisation, other_id), tuple(reasons))
        for other_id, reasons in sorted(found.items())
    ]


def possibly_duplicated(
    profile: Any = OrganisationProfile, organisation: Any = Organisation
) -> ColumnElement[bool]:
    """True for a file sharing a registration number, account holder or contact e-mail with
    another NGO's file: a condition on ``profile`` (and its ``organisation``, joined in the
    query), checked row by row with one index lookup per clause, for a list's filter and for
    the flags of a page's rows."""
    other, other_organisation = aliased(OrganisationProfile), aliased(Organisation)

    def shared(column: str) -> ColumnElement[bool]:
        mine = getattr(profile, column)
        return and_(
            mine != "",
            exists().where(
                getattr(other, column) == mine,
                other.organisation_id != profile.organisation_id,
            ),
        )

    same_email = and_(
        organisation.contact_email.is_not(None),
        exists()
        .where(
            func.lower(other_organisation.contact_email) == func.lower(organisation.contact_email),
            other_organisation.id != organisation.id,
        )
        .where(other.organisation_id == other_organisation.id),
    )
    return or_(shared("registration_number_key"), shared("bank_account_holder_key"), same_email)


def flagged_among(organisation_ids: Iterable[int]) -> set[int]:
    """Which of these NGOs (a page's rows) may be registered twice: one query, whatever the
    number of NGOs in the fund (one even for an empty page, so a page's statements are the
    same whatever it shows)."""
    query = (
        select(OrganisationProfile.organisation_id)
        .join(Organisation, Organisation.id == OrganisationProfile.organisation_id)
        .where(
            OrganisationProfile.organisation_id.in_(list(organisation_ids)), possibly_duplicated()
        )
    )
    return set(db.session.execute(query).scalars())


def flagged_organisation_ids() -> set[int]:
    """Every NGO that shares a registration number, account holder or e-mail with another."""
    query = (
        select(OrganisationProfile.organisation_id)
        .join(Organisation, Organisation.id == OrganisationProfile.organisation_id)
        .where(possibly_duplicated())
    )
    return set(db.session.execute(query).scalars())
