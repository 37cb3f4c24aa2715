"""NGOs that may be one organisation registered twice."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
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


def flagged_organisation_ids() -> set[int]:
    """Every NGO that shares a registration number, account holder or e-mail with another."""
    mine, other = aliased(OrganisationProfile), aliased(OrganisationProfile)
    by_profile = select(mine.organisation_id).join(
        other,
        and_(
            mine.organisation_id != other.organisation_id,
            or_(
                and_(
                    mine.registration_number_key != "",
                    mine.registration_number_key == other.registration_number_key,
                ),
                and_(
                    mine.bank_account_holder_key != "",
                    mine.bank_account_holder_key == other.bank_account_holder_key,
                ),
            ),
        ),
    )
    org_a, org_b = aliased(Organisation), aliased(Organisation)
    by_email = (
        select(org_a.id)
        .join(OrganisationProfile, OrganisationProfile.organisation_id == org_a.id)
        .join(
            org_b,
            and_(
                org_a.id != org_b.id,
                org_a.contact_email.is_not(None),
                func.lower(org_a.contact_email) == func.lower(org_b.contact_email),
            ),
        )
        .join(other, other.organisation_id == org_b.id)
    )
    ids = set(db.session.execute(by_profile).scalars())
    ids |= set(db.session.execute(by_email).scalars())
    return ids
