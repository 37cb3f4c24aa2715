"""The fund's verification of an NGO's due-diligence file, and its risk rating."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from app.accounts.models import Organisation, User
from app.accounts.permissions import can_verify_organisation
from app.applications.models import DueDiligenceStatus, OrganisationProfile, RiskRating
from app.applications.services.checks import Problem
from app.applications.services.organisations import profile_or_404
from app.applications.services.queries import organisation_documents
from app.applications.workflow import ORGANISATION_WORKFLOW
from app.audit.services import record_event
from app.platform.categories import DocumentKind
from app.platform.db import utcnow
from app.platform.errors import N_, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.platform.settings import settings

# Refuses while the organisation has an undecided or confirmed sanctions match. Screening builds
# on this area, so app/bootstrap.py hands the check over at start-up.
_sanctions_hold: list[Callable[[Organisation], None]] = []


def check_sanctions_with(check: Callable[[Organisation], None]) -> None:
    _sanctions_hold[:] = [check]


def required_organisation_documents(profile: OrganisationProfile) -> dict[str, int]:
    required = dict(settings().calls.organisation_required_documents)
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
    profile = profile_or_404(organisation)
    ORGANISATION_WORKFLOW.transition(profile, DueDiligenceStatus.DOCUMENTS_SUBMITTED, actor=actor)
    profile.submitted_at = utcnow()
    profile.rejection_reason = None
    db.session.flush()
    return profile


def verify_organisation(
    *, actor: User, organisation: Organisation, risk_rating: RiskRating
) -> OrganisationProfile:
    """The fund verifies the file and rates the risk (it drives tranches and reporting)."""
    profile = profile_or_404(organisation)
    for check in _sanctions_hold:
        check(organisation)
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
    profile = profile_or_404(organisation)
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
    profile = profile_or_404(organisation)
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
