"""Life cycles of the NGO side: organisation due diligence and grant applications (DESIGN.md §3).

APPLICATION_WORKFLOW holds the moves this area makes (submit, request information, resubmit,
withdraw). The review area adds its own (screening, review, recommendation, Board decision) to
``APPLICATION_WORKFLOW.transitions`` from app/domain/reviews/workflow.py.
"""

from __future__ import annotations

from typing import Any

from app.domain.accounts.permissions import Permission, is_member
from app.domain.applications.models import (
    WITHDRAWABLE_STATUSES,
    Application,
    ApplicationStatus,
    DueDiligenceStatus,
    MessageKind,
    OrganisationProfile,
)
from app.domain.errors import N_, PermissionDenied, SegregationOfDuties, ValidationFailed
from app.domain.workflow import Workflow, transitions


def _guard_member(application: Application, actor: Any) -> None:
    if not is_member(actor, application.organisation_id):
        raise PermissionDenied(N_("Only the organisation's own staff can do this."))


def _guard_not_member(application: Application, actor: Any) -> None:
    if is_member(actor, application.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to this organisation, so another fund manager must handle it.")
        )


def _guard_submit(application: Application, actor: Any) -> None:
    """The rules that hold however the submission arrives; the deadline is checked by the service
    with the time of the request (see services.submit_application)."""
    from app.domain.applications.services import completeness, profile_of

    _guard_member(application, actor)
    profile = profile_of(application.organisation)
    if profile is None or profile.status != DueDiligenceStatus.VERIFIED:
        raise ValidationFailed(
            N_("Only verified organisations can submit. The fund has not verified yours yet.")
        )
    problems = [problem for section in completeness(application) for problem in section.problems]
    if problems:
        # The first thing missing, in the words the completeness list uses.
        raise ValidationFailed(problems[0].message, **problems[0].params)


def _guard_resubmit(application: Application, actor: Any) -> None:
    _guard_submit(application, actor)
    last_request = max(
        (m.id for m in application.messages if m.kind == MessageKind.INFORMATION_REQUEST),
        default=None,
    )
    if last_request is not None and not any(
        m.kind == MessageKind.REPLY and m.id > last_request for m in application.messages
    ):
        raise ValidationFailed(N_("Answer the fund's request for information before you resubmit."))


APPLICATION_WORKFLOW = Workflow(
    name="application",
    transitions=[
        transitions(
            [ApplicationStatus.DRAFT],
            ApplicationStatus.SUBMITTED,
            Permission.APPLY_FOR_GRANT,
            _guard_submit,
        ),
        transitions(
            [ApplicationStatus.INFO_REQUESTED],
            ApplicationStatus.SUBMITTED,
            Permission.APPLY_FOR_GRANT,
            _guard_resubmit,
        ),
        transitions(
            [ApplicationStatus.SUBMITTED, ApplicationStatus.SCREENING, ApplicationStatus.IN_REVIEW],
            ApplicationStatus.INFO_REQUESTED,
            Permission.SCREEN_APPLICATION,
            _guard_not_member,
        ),
        transitions(
            WITHDRAWABLE_STATUSES,
            ApplicationStatus.WITHDRAWN,
            Permission.APPLY_FOR_GRANT,
            _guard_member,
        ),
    ],
)


def _guard_profile_member(profile: OrganisationProfile, actor: Any) -> None:
    if not is_member(actor, profile.organisation_id):
        raise PermissionDenied(N_("Only the organisation's own staff can do this."))


def _guard_ready_for_verification(profile: OrganisationProfile, actor: Any) -> None:
    from app.domain.applications.services import due_diligence_problems

    _guard_profile_member(profile, actor)
    problems = due_diligence_problems(profile)
    if problems:
        raise ValidationFailed(problems[0].message, **problems[0].params)


def _guard_verifier(profile: OrganisationProfile, actor: Any) -> None:
    if is_member(actor, profile.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to this organisation, so another fund manager must verify it.")
        )


def _guard_verify(profile: OrganisationProfile, actor: Any) -> None:
    _guard_verifier(profile, actor)
    if profile.risk_rating is None:
        raise ValidationFailed(N_("Set a risk rating when you verify an organisation."))


ORGANISATION_WORKFLOW = Workflow(
    name="organisation_due_diligence",
    transitions=[
        transitions(
            [DueDiligenceStatus.REGISTERED, DueDiligenceStatus.REJECTED],
            DueDiligenceStatus.DOCUMENTS_SUBMITTED,
            Permission.MANAGE_OWN_ORGANISATION,
            _guard_ready_for_verification,
        ),
        # Changing a verified file (a new bank account holder...) sends it back for checking.
        transitions(
            [DueDiligenceStatus.VERIFIED],
            DueDiligenceStatus.DOCUMENTS_SUBMITTED,
            Permission.MANAGE_OWN_ORGANISATION,
            _guard_profile_member,
        ),
        transitions(
            [DueDiligenceStatus.DOCUMENTS_SUBMITTED],
            DueDiligenceStatus.VERIFIED,
            Permission.VERIFY_ORGANISATION,
            _guard_verify,
        ),
        transitions(
            [DueDiligenceStatus.DOCUMENTS_SUBMITTED, DueDiligenceStatus.VERIFIED],
            DueDiligenceStatus.REJECTED,
            Permission.VERIFY_ORGANISATION,
            _guard_verifier,
        ),
    ],
)
