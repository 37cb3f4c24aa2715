"""Registering an NGO and keeping its due-diligence file."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.accounts import services as accounts
from app.accounts.models import Organisation, OrganisationKind, User
from app.accounts.permissions import Permission, can_manage_organisation, ensure_permission
from app.applications.models import DueDiligenceStatus, OrganisationProfile
from app.applications.services.checks import COUNTRY_CODE, clean_countries
from app.applications.services.queries import profile_of
from app.applications.workflow import ORGANISATION_WORKFLOW
from app.audit.services import record_event
from app.platform.db import utcnow
from app.platform.errors import N_, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from app.platform.extensions import db


@dataclass
class DueDiligenceDetails:
    name: str
    country: str
    contact_email: str = ""
    legal_name: str = ""
    countries_of_operation: Sequence[str] = ()
    registration_number: str = ""
    registration_date: date | None = None
    assistance_since_year: int | None = None
    un_partner_portal_id: str = ""
    survivor_led: bool = False
    psea_policy: bool = False
    bank_account_holder: str = ""
    director_name: str = ""


# Changing one of these after verification sends the file back to the fund for checking.
_SENSITIVE_FIELDS = (
    "legal_name",
    "registration_number",
    "bank_account_holder",
    "director_name",
    "country",
)


def registration_number_key(value: str) -> str:
    return re.sub(r"[\W_]+", "", value.upper())


def holder_key(value: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", value.casefold()).split())


def _clean_details(details: DueDiligenceDetails) -> dict[str, Any]:
    name = details.name.strip()
    if not name:
        raise ValidationFailed(N_("Give the organisation's name."))
    country = details.country.strip().upper()
    if not COUNTRY_CODE.match(country):
        raise ValidationFailed(N_("Choose the country where the organisation is registered."))
    email = accounts.normalise_email(details.contact_email)
    if email and ("@" not in email or email.startswith("@") or email.endswith("@")):
        raise ValidationFailed(N_("%(email)s is not an e-mail address."), email=email)
    today = utcnow().date()
    if details.registration_date is not None and details.registration_date > today:
        raise ValidationFailed(N_("The registration date cannot be in the future."))
    year = details.assistance_since_year
    if year is not None and not 1900 <= year <= today.year:
        raise ValidationFailed(
            N_("Give the year the organisation began assisting victims (1900 to %(year)s)."),
            year=today.year,
        )
    return {
        "name": name,
        "country": country,
        "contact_email": email or None,
        "legal_name": details.legal_name.strip(),
        "countries_of_operation": clean_countries(details.countries_of_operation),
        "registration_number": details.registration_number.strip(),
        "registration_date": details.registration_date,
        "assistance_since_year": year,
        "un_partner_portal_id": details.un_partner_portal_id.strip(),
        "survivor_led": bool(details.survivor_led),
        "psea_policy": bool(details.psea_policy),
        "bank_account_holder": details.bank_account_holder.strip(),
        "director_name": details.director_name.strip(),
    }


def _apply_details(
    organisation: Organisation, profile: OrganisationProfile, values: dict[str, Any]
) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for attr, value in values.items():
        target: Any = organisation if attr in ("name", "country", "contact_email") else profile
        before = getattr(target, attr)
        if before != value:
            changes[attr] = [_jsonable(before), _jsonable(value)]
            setattr(target, attr, value)
    profile.registration_number_key = registration_number_key(profile.registration_number)
    profile.bank_account_holder_key = holder_key(profile.bank_account_holder)
    return changes


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def register_organisation(*, actor: User, details: DueDiligenceDetails) -> OrganisationProfile:
    """An applicant registers their NGO and becomes its owner."""
    ensure_permission(actor, Permission.MANAGE_OWN_ORGANISATION)
    values = _clean_details(details)
    organisation = accounts.create_organisation(
        actor=actor, name=values["name"], kind=OrganisationKind.NGO, country=values["country"]
    )
    profile = OrganisationProfile(organisation=organisation, status=DueDiligenceStatus.REGISTERED)
    db.session.add(profile)
    if not values["contact_email"]:
        values["contact_email"] = actor.email
    _apply_details(organisation, profile, values)
    db.session.flush()
    record_event(
        actor=actor,
        action="organisation.registered",
        subject=organisation,
        summary=f"{organisation.name} registered for due diligence",
    )
    return profile


def update_due_diligence(
    *, actor: User, organisation: Organisation, details: DueDiligenceDetails
) -> OrganisationProfile:
    """Save the due-diligence file. Changing a verified file sends it back for checking."""
    profile = profile_or_404(organisation)
    if not can_manage_organisation(actor, organisation):
        raise PermissionDenied(N_("Only the organisation's own staff can change its file."))
    if profile.status == DueDiligenceStatus.DOCUMENTS_SUBMITTED:
        raise InvalidTransition(
            N_("The fund is checking this file; you can change it again once it has decided.")
        )
    changes = _apply_details(organisation, profile, _clean_details(details))
    if changes:
        record_event(
            actor=actor,
            action="organisation.due_diligence_updated",
            subject=organisation,
            summary=f"{organisation.name}: due-diligence file updated",
            changes=changes,
        )
        if profile.status == DueDiligenceStatus.VERIFIED and set(changes) & set(_SENSITIVE_FIELDS):
            ORGANISATION_WORKFLOW.transition(
                profile,
                DueDiligenceStatus.DOCUMENTS_SUBMITTED,
                actor=actor,
                reason="verified details changed",
            )
            profile.submitted_at = utcnow()
    db.session.flush()
    return profile


def profile_or_404(organisation: Organisation) -> OrganisationProfile:
    profile = profile_of(organisation)
    if profile is None:
        raise NotFound(N_("This organisation has no due-diligence file."))
    return profile
