"""The NGO side's operations: due diligence, documents, applications and their message thread.

Every function takes the acting user explicitly, flushes, and leaves the commit to its caller.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.exc import StaleDataError

from app.db import utcnow
from app.domain.accounts import services as accounts
from app.domain.accounts.models import Organisation, OrganisationKind, Role, User, UserRole
from app.domain.accounts.permissions import (
    Permission,
    can_edit_application,
    can_invite_colleague,
    can_manage_organisation,
    can_verify_organisation,
    can_view_application,
    ensure_permission,
    is_member,
)
from app.domain.applications.models import (
    Application,
    ApplicationMessage,
    ApplicationStatus,
    BudgetCategory,
    BudgetLine,
    Document,
    DueDiligenceStatus,
    MessageKind,
    OrganisationProfile,
    PlannedBeneficiary,
    RiskRating,
    WorkplanActivity,
)
from app.domain.applications.uploads import inspect_upload
from app.domain.applications.workflow import APPLICATION_WORKFLOW, ORGANISATION_WORKFLOW
from app.domain.audit.services import record_event
from app.domain.calls.models import Call
from app.domain.categories import (
    APPLICATION_DOCUMENT_KINDS,
    ORGANISATION_DOCUMENT_KINDS,
    AgeGroup,
    AssistanceType,
    DocumentKind,
    FormOfExploitation,
    Sex,
    Situation,
    Theme,
)
from app.domain.errors import (
    N_,
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from app.domain.money import apply_rate, to_major
from app.extensions import db
from app.storage import Storage

_COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_PROJECT_MONTHS = 60  # a sanity bound for typed numbers; the call's cap is the real rule
MAX_COUNT = 10_000_000


@dataclass(frozen=True)
class Problem:
    """Something missing or wrong, as a msgid and its parameters (translated by the web layer)."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)


def _countries(values: Iterable[str]) -> list[str]:
    countries = list(dict.fromkeys(v.strip().upper() for v in values if v and v.strip()))
    bad = [c for c in countries if not _COUNTRY.match(c)]
    if bad:
        raise ValidationFailed(N_("Unknown countries: %(codes)s."), codes=", ".join(bad))
    return countries


def _codes(values: Iterable[str], vocabulary: type[StrEnum]) -> list[str]:
    allowed = {member.value for member in vocabulary}
    chosen = list(dict.fromkeys(values))
    unknown = [value for value in chosen if value not in allowed]
    if unknown:
        raise ValidationFailed(N_("Unknown choices: %(codes)s."), codes=", ".join(unknown))
    return chosen


# --- organisations and due diligence ------------------------------------------------------


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


# Changing one of these after verification sends the file back to the fund for checking.
_SENSITIVE_FIELDS = ("legal_name", "registration_number", "bank_account_holder", "country")


def registration_number_key(value: str) -> str:
    return re.sub(r"[\W_]+", "", value.upper())


def holder_key(value: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", value.casefold()).split())


def profile_of(organisation: Organisation) -> OrganisationProfile | None:
    return db.session.get(OrganisationProfile, organisation.id)


def organisations_of(user: User) -> list[Organisation]:
    """The NGOs (organisations with a due-diligence file) ``user`` belongs to."""
    ids = accounts.organisation_ids_of(user)
    if not ids:
        return []
    return list(
        db.session.execute(
            select(Organisation)
            .join(OrganisationProfile, OrganisationProfile.organisation_id == Organisation.id)
            .where(Organisation.id.in_(ids))
            .order_by(Organisation.name)
        ).scalars()
    )


def _clean_details(details: DueDiligenceDetails) -> dict[str, Any]:
    name = details.name.strip()
    if not name:
        raise ValidationFailed(N_("Give the organisation's name."))
    country = details.country.strip().upper()
    if not _COUNTRY.match(country):
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
        "countries_of_operation": _countries(details.countries_of_operation),
        "registration_number": details.registration_number.strip(),
        "registration_date": details.registration_date,
        "assistance_since_year": year,
        "un_partner_portal_id": details.un_partner_portal_id.strip(),
        "survivor_led": bool(details.survivor_led),
        "psea_policy": bool(details.psea_policy),
        "bank_account_holder": details.bank_account_holder.strip(),
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
    profile = _profile_or_404(organisation)
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


def _profile_or_404(organisation: Organisation) -> OrganisationProfile:
    profile = profile_of(organisation)
    if profile is None:
        raise NotFound(N_("This organisation has no due-diligence file."))
    return profile


def organisation_documents(organisation: Organisation) -> list[Document]:
    return list(
        db.session.execute(
            select(Document)
            .where(Document.organisation_id == organisation.id, Document.application_id.is_(None))
            .order_by(Document.kind, Document.id)
        ).scalars()
    )


def required_organisation_documents(profile: OrganisationProfile) -> dict[str, int]:
    required = dict(current_app.config["ORGANISATION_REQUIRED_DOCUMENTS"])
    if profile.psea_policy:
        required.setdefault(DocumentKind.PSEA_POLICY.value, 1)
    return required


def due_diligence_problems(profile: OrganisationProfile) -> list[Problem]:
    """What the organisation must still give before the fund can verify it."""
    organisation = profile.organisation
    problems = []
    for value, message in (
        (profile.legal_name, N_("Give the organisation's legal name.")),
        (profile.registration_number, N_("Give the registration number.")),
        (profile.registration_date, N_("Give the date of registration.")),
        (profile.assistance_since_year, N_("Give the year you began assisting victims.")),
        (profile.countries_of_operation, N_("Choose the countries where you work.")),
        (profile.un_partner_portal_id, N_("Give your UN Partner Portal ID.")),
        (profile.bank_account_holder, N_("Give the name of the bank account holder.")),
        (organisation.contact_email, N_("Give a contact e-mail address.")),
    ):
        if not value:
            problems.append(Problem(message))
    have = Counter(doc.kind.value for doc in organisation_documents(organisation))
    for kind, count in required_organisation_documents(profile).items():
        if have[kind] < count:
            problems.append(
                Problem(N_("Upload the document: %(kind)s."), {"kind": kind})
                if count == 1
                else Problem(
                    N_("Upload %(count)s documents of this kind: %(kind)s."),
                    {"kind": kind, "count": count},
                )
            )
    return problems


def submit_for_verification(*, actor: User, organisation: Organisation) -> OrganisationProfile:
    profile = _profile_or_404(organisation)
    ORGANISATION_WORKFLOW.transition(profile, DueDiligenceStatus.DOCUMENTS_SUBMITTED, actor=actor)
    profile.submitted_at = utcnow()
    profile.rejection_reason = None
    db.session.flush()
    return profile


def verify_organisation(
    *, actor: User, organisation: Organisation, risk_rating: RiskRating
) -> OrganisationProfile:
    """The fund verifies the file and rates the risk (it drives tranches and reporting)."""
    profile = _profile_or_404(organisation)
    profile.risk_rating = RiskRating(risk_rating)
    ORGANISATION_WORKFLOW.transition(
        profile,
        DueDiligenceStatus.VERIFIED,
        actor=actor,
        changes={"risk_rating": [None, profile.risk_rating.value]},
    )
    profile.decided_at = utcnow()
    profile.decided_by_id = actor.id
    profile.rejection_reason = None
    db.session.flush()
    return profile


def reject_organisation(
    *, actor: User, organisation: Organisation, reason: str
) -> OrganisationProfile:
    """Refuse the file with a reason the NGO sees; it may correct and submit again."""
    profile = _profile_or_404(organisation)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(N_("Say why, so the organisation knows what to correct."))
    ORGANISATION_WORKFLOW.transition(
        profile, DueDiligenceStatus.REJECTED, actor=actor, reason=reason[:200]
    )
    profile.rejection_reason = reason
    profile.decided_at = utcnow()
    profile.decided_by_id = actor.id
    db.session.flush()
    return profile


def set_risk_rating(
    *, actor: User, organisation: Organisation, risk_rating: RiskRating
) -> OrganisationProfile:
    profile = _profile_or_404(organisation)
    if not can_verify_organisation(actor, organisation):
        raise PermissionDenied(N_("You cannot rate this organisation."))
    new = RiskRating(risk_rating)
    if profile.risk_rating != new:
        record_event(
            actor=actor,
            action="organisation.risk_rated",
            subject=organisation,
            summary=f"{organisation.name}: risk {new.value}",
            changes={"risk_rating": [profile.risk_rating, new.value]},
        )
        profile.risk_rating = new
    db.session.flush()
    return profile


def invite_colleague(
    *, actor: User, organisation: Organisation, email: str, full_name: str
) -> tuple[User, bool]:
    """An owner adds a colleague; returns (the user, whether a new account was opened).

    A new account has no password yet: the caller e-mails a link to choose one.
    """
    if not can_invite_colleague(actor, organisation):
        raise PermissionDenied(N_("Only an owner of the organisation can add colleagues."))
    email = accounts.normalise_email(email)
    user = accounts.find_user_by_email(email)
    created = False
    if user is None:
        if not full_name.strip():
            raise ValidationFailed(N_("Give your colleague's name."))
        user = User(email=email, full_name=full_name.strip(), password_hash=None, is_active=True)
        user.role_grants.append(UserRole(role=Role.APPLICANT, granted_by_id=actor.id))
        db.session.add(user)
        db.session.flush()
        record_event(actor=actor, action="user.invited", subject=user, summary=f"invited {email}")
        created = True
    elif user.is_staff:
        # A member of the fund's staff inside an applicant would sit on both sides.
        raise PermissionDenied(N_("This person works for the fund and cannot join an applicant."))
    elif not user.has_role(Role.APPLICANT):
        user.role_grants.append(UserRole(role=Role.APPLICANT, granted_by_id=actor.id))
    accounts.add_member(actor=actor, organisation=organisation, user=user)
    return user, created


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


def organisation_files_query(
    status: DueDiligenceStatus | None = None, *, only: Iterable[int] | None = None
) -> Any:
    """Due-diligence files for the fund manager, those waiting for a decision first (a select,
    for a paginated list); ``only`` keeps the files of these organisations."""
    query = select(OrganisationProfile).join(OrganisationProfile.organisation)
    if status is not None:
        query = query.where(OrganisationProfile.status == status)
    if only is not None:
        query = query.where(OrganisationProfile.organisation_id.in_(list(only)))
    waiting_first = (OrganisationProfile.status == DueDiligenceStatus.DOCUMENTS_SUBMITTED).desc()
    return query.order_by(waiting_first, Organisation.name, Organisation.id)


def organisation_files(status: DueDiligenceStatus | None = None) -> list[OrganisationProfile]:
    """Due-diligence files for the fund manager, those waiting for a decision first."""
    return list(db.session.execute(organisation_files_query(status)).scalars())


# --- documents ----------------------------------------------------------------------------


def upload_document(
    *,
    actor: User,
    organisation: Organisation,
    kind: DocumentKind,
    filename: str,
    data: bytes,
    storage: Storage,
    application: Application | None = None,
) -> Document:
    """Check and store a file for the organisation's file or for one of its applications."""
    kind = DocumentKind(kind)
    if application is not None:
        if application.organisation_id != organisation.id:
            raise NotFound(N_("We could not find that application."))
        if not can_edit_application(actor, application):
            raise PermissionDenied(N_("This application can no longer be changed."))
        if kind not in APPLICATION_DOCUMENT_KINDS:
            raise ValidationFailed(N_("This kind of document belongs to the organisation's file."))
    else:
        if not can_manage_organisation(actor, organisation):
            raise PermissionDenied(N_("Only the organisation's own staff can add documents."))
        if kind not in ORGANISATION_DOCUMENT_KINDS:
            raise ValidationFailed(N_("This kind of document belongs to an application."))
    inspected = inspect_upload(
        data, filename, max_bytes=int(current_app.config["UPLOAD_MAX_BYTES"])
    )
    document = Document(
        organisation_id=organisation.id,
        application=application,
        kind=kind,
        filename=inspected.filename,
        content_type=inspected.content_type,
        size_bytes=inspected.size_bytes,
        sha256=inspected.sha256,
        storage_key=storage.save(data),
        uploaded_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    record_event(
        actor=actor,
        action="document.uploaded",
        subject=document,
        summary=f"{kind.value} uploaded: {inspected.filename}",
        changes={"sha256": [None, inspected.sha256]},
    )
    return document


def remove_document(*, actor: User, document: Document) -> str:
    """Remove an attachment of a draft, or a document of a file the fund is not checking.

    Returns the storage key: the caller deletes the bytes once the removal is committed.
    """
    if document.application is not None:
        allowed = can_edit_application(actor, document.application)
    else:
        profile = profile_of(document.organisation)
        allowed = (
            can_manage_organisation(actor, document.organisation)
            and profile is not None
            and profile.status in (DueDiligenceStatus.REGISTERED, DueDiligenceStatus.REJECTED)
        )
    if not allowed:
        raise PermissionDenied(N_("This document can no longer be removed."))
    record_event(
        actor=actor,
        action="document.removed",
        subject=document,
        summary=f"{document.kind.value} removed: {document.filename}",
    )
    key = document.storage_key
    db.session.delete(document)
    db.session.flush()
    return key


# --- applications -------------------------------------------------------------------------


class Section(StrEnum):
    SUMMARY = "summary"
    LOCATIONS = "locations"
    FOCUS = "focus"
    BENEFICIARIES = "beneficiaries"
    WORKPLAN = "workplan"
    BUDGET = "budget"
    ATTACHMENTS = "attachments"


@dataclass(frozen=True)
class SectionCheck:
    section: Section
    problems: list[Problem]

    @property
    def complete(self) -> bool:
        return not self.problems


@dataclass
class SummaryData:
    title: str
    summary: str
    language: str | None
    duration_months: int | None


@dataclass
class LocationsData:
    countries: Sequence[str]
    locations: str


@dataclass
class FocusData:
    situations: Sequence[str]
    forms_of_exploitation: Sequence[str]
    assistance_types: Sequence[str]


@dataclass
class BeneficiariesData:
    target_groups: Sequence[str]
    target_groups_notes: str
    counts: dict[tuple[Sex, AgeGroup], int]


@dataclass
class ActivityData:
    description: str
    start_month: int
    end_month: int


@dataclass
class WorkplanData:
    activities: Sequence[ActivityData]


@dataclass
class BudgetLineData:
    category: BudgetCategory
    description: str
    quantity: int
    unit_cost: int


@dataclass
class BudgetData:
    lines: Sequence[BudgetLineData]


SectionData = (
    SummaryData | LocationsData | FocusData | BeneficiariesData | WorkplanData | BudgetData
)


class EditConflict(Conflict):
    """Someone saved the application after this person opened it."""


def psc_rate() -> Decimal:
    return Decimal(str(current_app.config["PSC_RATE"]))


def start_application(
    *, actor: User, call: Call, organisation: Organisation, now: datetime | None = None
) -> Application:
    """Open a draft for an open call. Verification is needed to submit, not to prepare."""
    ensure_permission(actor, Permission.APPLY_FOR_GRANT)
    if not is_member(actor, organisation.id) or profile_of(organisation) is None:
        raise PermissionDenied(N_("You can apply only for an organisation you belong to."))
    if not call.is_open_at(now or utcnow()):
        raise ValidationFailed(N_("This call is not open for applications."))
    application = Application(
        call=call,
        organisation=organisation,
        status=ApplicationStatus.DRAFT,
        currency=call.currency,
        psc_rate=psc_rate(),
        language=call.languages[0] if len(call.languages) == 1 else None,
        created_by_id=actor.id,
        updated_by_id=actor.id,
    )
    db.session.add(application)
    db.session.flush()
    record_event(
        actor=actor,
        action="application.started",
        subject=application,
        summary=f"{organisation.name} started an application to {call.reference}",
    )
    return application


def _check_version(application: Application, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != application.version_id:
        raise _conflict(application)


def _conflict(application: Application) -> EditConflict:
    name = application.updated_by.full_name if application.updated_by else None
    if name:
        return EditConflict(
            N_(
                "%(name)s saved this application after you opened it, so your changes were "
                "not saved. Reload the page to see the latest version, then make your changes "
                "again."
            ),
            name=name,
        )
    return EditConflict(
        N_(
            "Someone saved this application after you opened it, so your changes were not "
            "saved. Reload the page to see the latest version, then make your changes again."
        )
    )


def _flush_or_conflict(application: Application) -> None:
    try:
        db.session.flush()
    except StaleDataError:
        # Another transaction bumped the version between our read and our write.
        raise EditConflict(
            N_(
                "Someone saved this application at the same moment, so your changes were not "
                "saved. Reload the page to see the latest version, then make your changes again."
            )
        )


def save_section(
    *,
    actor: User,
    application: Application,
    data: SectionData,
    expected_version: int | None,
) -> Application:
    """Save one section of a draft. ``expected_version`` is the version the form was built on:
    if a colleague saved in between, the save is refused instead of overwriting their work."""
    if not can_edit_application(actor, application):
        raise PermissionDenied(N_("This application can no longer be changed."))
    _check_version(application, expected_version)
    section = _apply(application, data)
    # Touching the row makes every save, even of child rows only, bump the version.
    application.updated_at = utcnow()
    application.updated_by_id = actor.id
    _flush_or_conflict(application)
    record_event(
        actor=actor,
        action="application.section_saved",
        subject=application,
        summary=f"{section.value} section saved",
        changes={"version": [expected_version, application.version_id]},
    )
    return application


def _apply(application: Application, data: SectionData) -> Section:
    if isinstance(data, SummaryData):
        duration = data.duration_months
        if duration is not None and not 1 <= duration <= MAX_PROJECT_MONTHS:
            raise ValidationFailed(
                N_("The duration must be between 1 and %(max)s months."), max=MAX_PROJECT_MONTHS
            )
        application.title = data.title.strip()[:300]
        application.summary = data.summary.strip()
        application.language = data.language or None
        application.duration_months = duration
        return Section.SUMMARY
    if isinstance(data, LocationsData):
        application.countries = _countries(data.countries)
        application.locations = data.locations.strip()
        return Section.LOCATIONS
    if isinstance(data, FocusData):
        application.situations = _codes(data.situations, Situation)
        application.forms_of_exploitation = _codes(data.forms_of_exploitation, FormOfExploitation)
        application.assistance_types = _codes(data.assistance_types, AssistanceType)
        return Section.FOCUS
    if isinstance(data, BeneficiariesData):
        application.target_groups = _codes(data.target_groups, Theme)
        application.target_groups_notes = data.target_groups_notes.strip()
        existing = {(row.sex, row.age_group): row for row in application.beneficiaries}
        for (sex, age), count in data.counts.items():
            if not 0 <= count <= MAX_COUNT:
                raise ValidationFailed(N_("Planned numbers of people cannot be negative."))
            key = (Sex(sex), AgeGroup(age))
            if key in existing:
                existing[key].count = count  # updated in place: (sex, age) is unique
            else:
                application.beneficiaries.append(
                    PlannedBeneficiary(sex=key[0], age_group=key[1], count=count)
                )
        return Section.BENEFICIARIES
    if isinstance(data, WorkplanData):
        activities = []
        for position, activity in enumerate(data.activities):
            if not activity.description.strip():
                raise ValidationFailed(N_("Describe each activity of the workplan."))
            if not 1 <= activity.start_month <= activity.end_month <= MAX_PROJECT_MONTHS:
                raise ValidationFailed(
                    N_("%(activity)s must start in month 1 or later and end after it starts."),
                    activity=activity.description.strip()[:60],
                )
            activities.append(
                WorkplanActivity(
                    position=position,
                    description=activity.description.strip(),
                    start_month=activity.start_month,
                    end_month=activity.end_month,
                )
            )
        application.activities = activities
        return Section.WORKPLAN
    lines = []
    for position, line in enumerate(data.lines):
        if not line.description.strip():
            raise ValidationFailed(N_("Describe each budget line."))
        if line.quantity < 1 or line.unit_cost < 0:
            raise ValidationFailed(
                N_("%(line)s: the quantity must be at least 1 and the cost not negative."),
                line=line.description.strip()[:60],
            )
        lines.append(
            BudgetLine(
                position=position,
                category=BudgetCategory(line.category),
                description=line.description.strip()[:300],
                quantity=line.quantity,
                unit_cost=line.unit_cost,
            )
        )
    application.budget_lines = lines
    _refresh_money(application)
    return Section.BUDGET


def _refresh_money(application: Application) -> None:
    """Requested amount = the budget's total; the PSC is added on top at the configured rate."""
    application.requested_amount = sum(line.amount for line in application.budget_lines)
    application.psc_rate = psc_rate()
    application.psc_amount = apply_rate(application.requested_amount, application.psc_rate)


def budget_by_category(application: Application) -> dict[BudgetCategory, int]:
    totals: dict[BudgetCategory, int] = {}
    for line in application.budget_lines:
        totals[line.category] = totals.get(line.category, 0) + line.amount
    return totals


def application_documents_count(application: Application) -> Counter[str]:
    """Documents counted towards the call's list: the application's and the organisation's."""
    have = Counter(doc.kind.value for doc in application.documents)
    have.update(doc.kind.value for doc in organisation_documents(application.organisation))
    return have


def completeness(application: Application) -> list[SectionCheck]:
    """Section by section, what is still missing before the application can be submitted."""
    call = application.call
    checks: dict[Section, list[Problem]] = {section: [] for section in Section}

    summary = checks[Section.SUMMARY]
    if not application.title:
        summary.append(Problem(N_("Give the project a title.")))
    if not application.summary:
        summary.append(Problem(N_("Summarise the project.")))
    if not application.language:
        summary.append(Problem(N_("Say in which language the proposal is written.")))
    elif call.languages and application.language not in call.languages:
        summary.append(Problem(N_("This call does not accept proposals in that language.")))
    if not application.duration_months:
        summary.append(Problem(N_("Give the project's duration in months.")))
    elif application.duration_months > call.max_duration_months:
        summary.append(
            Problem(
                N_("The project lasts %(months)s months; this call allows at most %(max)s."),
                {"months": application.duration_months, "max": call.max_duration_months},
            )
        )

    locations = checks[Section.LOCATIONS]
    if not application.countries:
        locations.append(Problem(N_("Choose the country or countries where you will work.")))
    outside = [c for c in application.countries if c not in call.eligible_countries]
    if call.eligible_countries and outside:
        locations.append(
            Problem(
                N_("This call does not cover: %(countries)s."),
                {"countries": ", ".join(outside)},
            )
        )
    if not application.locations:
        locations.append(Problem(N_("Name the places (regions, towns) where you will work.")))

    focus = checks[Section.FOCUS]
    if not application.situations:
        focus.append(Problem(N_("Choose the situation(s) the project responds to.")))
    if not application.forms_of_exploitation:
        focus.append(Problem(N_("Choose the forms of exploitation the project addresses.")))
    if not application.assistance_types:
        focus.append(Problem(N_("Choose the types of assistance you will give.")))

    people = checks[Section.BENEFICIARIES]
    if not application.target_groups:
        people.append(Problem(N_("Choose the groups the project will reach.")))
    if application.planned_total <= 0:
        people.append(Problem(N_("Give the planned number of people assisted, by sex and age.")))

    workplan = checks[Section.WORKPLAN]
    if not application.activities:
        workplan.append(Problem(N_("Add at least one activity to the workplan.")))
    if application.duration_months:
        late = [a for a in application.activities if a.end_month > application.duration_months]
        if late:
            workplan.append(
                Problem(
                    N_("%(count)s activities end after the project's last month (%(months)s)."),
                    {"count": len(late), "months": application.duration_months},
                )
            )

    budget = checks[Section.BUDGET]
    if not application.budget_lines:
        budget.append(Problem(N_("Add the budget lines.")))
    elif application.requested_amount <= 0:
        budget.append(Problem(N_("The budget's total must be more than zero.")))
    if application.requested_amount > call.max_amount:
        budget.append(
            Problem(
                N_("The budget's total is above this call's maximum grant of %(max)s."),
                {"max": f"{call.currency} {to_major(call.max_amount, call.currency):,}"},
            )
        )

    attachments = checks[Section.ATTACHMENTS]
    have = application_documents_count(application)
    for kind, count in call.required_documents.items():
        if have[kind] < count:
            attachments.append(
                Problem(
                    N_("Attach %(missing)s more document(s) of this kind: %(kind)s."),
                    {"missing": count - have[kind], "kind": kind},
                )
            )
    return [SectionCheck(section, problems) for section, problems in checks.items()]


def completeness_percent(checks: Sequence[SectionCheck]) -> int:
    return round(100 * sum(1 for c in checks if c.complete) / len(checks)) if checks else 0


def submit_application(
    *, actor: User, application: Application, now: datetime | None = None
) -> Application:
    """Submit a complete draft before the deadline (judged here, in UTC), or resubmit after a
    request for information (the deadline does not apply: the fund asked for it)."""
    now = now or utcnow()
    if application.status == ApplicationStatus.DRAFT:
        call = application.call
        if now >= call.closes_at:
            raise ValidationFailed(
                N_(
                    "The deadline for this call was %(deadline)s UTC. Applications cannot be "
                    "submitted after the deadline."
                ),
                deadline=call.closes_at.strftime("%Y-%m-%d %H:%M:%S"),
            )
        if not call.is_open_at(now):
            raise ValidationFailed(N_("This call is not open for applications."))
    if not application.is_editable:
        raise InvalidTransition(N_("This application has already been submitted."))
    _refresh_money(application)
    first = application.status == ApplicationStatus.DRAFT
    APPLICATION_WORKFLOW.transition(
        application,
        ApplicationStatus.SUBMITTED,
        actor=actor,
        changes={"requested_amount": [None, application.requested_amount]},
    )
    if first:
        application.submitted_at = now
    application.updated_by_id = actor.id
    _flush_or_conflict(application)
    return application


def withdraw_application(*, actor: User, application: Application, reason: str = "") -> Application:
    APPLICATION_WORKFLOW.transition(
        application, ApplicationStatus.WITHDRAWN, actor=actor, reason=reason.strip()[:200] or None
    )
    application.withdrawn_at = utcnow()
    application.updated_by_id = actor.id
    _flush_or_conflict(application)
    return application


def request_information(*, actor: User, application: Application, question: str) -> Application:
    """The fund asks the NGO a question; the NGO answers in the thread and resubmits."""
    question = question.strip()
    if not question:
        raise ValidationFailed(N_("Write the question for the organisation."))
    APPLICATION_WORKFLOW.transition(application, ApplicationStatus.INFO_REQUESTED, actor=actor)
    application.messages.append(
        ApplicationMessage(kind=MessageKind.INFORMATION_REQUEST, author_id=actor.id, body=question)
    )
    _flush_or_conflict(application)
    return application


def reply_to_information_request(
    *, actor: User, application: Application, body: str
) -> ApplicationMessage:
    if not can_view_application(actor, application) or not is_member(
        actor, application.organisation_id
    ):
        raise PermissionDenied(N_("Only the organisation's own staff can answer."))
    if application.status != ApplicationStatus.INFO_REQUESTED:
        raise InvalidTransition(N_("The fund has not asked for information on this application."))
    body = body.strip()
    if not body:
        raise ValidationFailed(N_("Write your answer."))
    message = ApplicationMessage(kind=MessageKind.REPLY, author_id=actor.id, body=body)
    application.messages.append(message)
    db.session.flush()
    record_event(
        actor=actor,
        action="application.information_provided",
        subject=application,
        summary="the organisation answered a request for information",
    )
    return message


# --- queries ------------------------------------------------------------------------------


def applications_of(user: User) -> list[Application]:
    ids = accounts.organisation_ids_of(user)
    if not ids:
        return []
    return list(
        db.session.execute(
            select(Application)
            .where(Application.organisation_id.in_(ids))
            .order_by(Application.updated_at.desc(), Application.id.desc())
        ).scalars()
    )


def application_for(organisation_ids: Iterable[int], call: Call) -> Application | None:
    """The organisation's latest application to ``call`` that is not withdrawn, if any."""
    ids = list(organisation_ids)
    if not ids:
        return None
    return db.session.execute(
        select(Application)
        .where(
            Application.call_id == call.id,
            Application.organisation_id.in_(ids),
            Application.status != ApplicationStatus.WITHDRAWN,
        )
        .order_by(Application.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def filter_applications(
    *, call_id: int | None = None, status: ApplicationStatus | None = None
) -> Any:
    """A select of applications for the fund's list, unordered (the caller pages it)."""
    query = select(Application)
    if call_id is not None:
        query = query.where(Application.call_id == call_id)
    if status is not None:
        query = query.where(Application.status == status)
    return query


def list_applications(
    *, call_id: int | None = None, status: ApplicationStatus | None = None
) -> Any:
    """A select of applications for the fund's list, newest first."""
    return filter_applications(call_id=call_id, status=status).order_by(
        Application.updated_at.desc(), Application.id.desc()
    )
