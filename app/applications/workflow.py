"""Life cycles of the NGO side: organisation due diligence and grant applications (DESIGN.md §3).

APPLICATION_WORKFLOW declares every move of an application, and its guard, here and only here:
the applicant's (submit, resubmit, withdraw) and the fund's (request information, screening,
review, recommendation, Board decision). Importing this module changes no other module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from app.accounts.permissions import Permission, is_member
from app.applications.models import (
    WITHDRAWABLE_STATUSES,
    Application,
    ApplicationStatus,
    ConceptStatus,
    DueDiligenceStatus,
    MessageKind,
    OrganisationProfile,
)
from app.platform.errors import N_, PermissionDenied, SegregationOfDuties, ValidationFailed
from app.workflow import Workflow, transitions


def _guard_member(application: Application, actor: Any) -> None:
    if not is_member(actor, application.organisation_id):
        raise PermissionDenied(N_("Only the organisation's own staff can do this."))


def _guard_not_member(application: Application, actor: Any) -> None:
    if is_member(actor, application.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to this organisation, so another fund manager must handle it.")
        )


def ensure_invited(application: Application) -> None:
    """Stage two of a two-stage call is for the applications the fund invited (decision 0115)."""
    if application.awaits_invitation:
        if application.concept_status == ConceptStatus.SUBMITTED:
            raise ValidationFailed(
                N_(
                    "This call has two stages: a full proposal can be submitted only when the "
                    "fund has invited it, on its concept note. Your concept note is waiting for "
                    "the fund's answer: your organisation is not yet invited."
                )
            )
        raise ValidationFailed(
            N_(
                "This call has two stages: a full proposal can be submitted only when the fund "
                "has invited it, on its concept note. Your organisation has not been invited."
            )
        )


def _guard_submit(application: Application, actor: Any) -> None:
    """The rules that hold however the submission arrives; the deadline is checked by the service
    with the time of the request (see services.submit_application)."""
    from app.applications.services import completeness, profile_of

    _guard_member(application, actor)
    ensure_invited(application)
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


S = ApplicationStatus

# Outcomes of the Board, in the order they are offered.
BOARD_OUTCOMES = (S.APPROVED, S.RESERVE, S.REJECTED)


class ReviewProgress(NamedTuple):
    """How far the expert review of one application has gone."""

    submitted: int  # reviews submitted by reviewers still on the application
    outstanding: int  # reviewers still on it whose review is not submitted yet


def _not_connected(application: Application) -> ReviewProgress:
    raise RuntimeError("No review progress source: create_app() connects the reviews area.")


# Who reviews what is the reviews area's knowledge, and that area builds on this one: importing
# it here would make the two areas import each other. So the recommendation check asks a
# function that create_app() hands over once, at start-up (count_reviews_with), in plain sight.
_review_progress: Callable[[Application], ReviewProgress] = _not_connected


def count_reviews_with(progress: Callable[[Application], ReviewProgress]) -> None:
    """Tell the recommendation guard how to count an application's reviews (start-up only)."""
    global _review_progress
    _review_progress = progress


def ensure_fund_side(application: Application, actor: Any) -> None:
    """The applicant's own staff take no part in selecting it (also guards reviewer moves)."""
    if is_member(actor, application.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to the applicant organisation, so you take no part in its selection.")
        )


def _reviews_complete(application: Application, actor: Any) -> None:
    """A recommendation rests on the reviews: at least one, and none still outstanding."""
    progress = _review_progress(application)
    if not progress.submitted:
        raise ValidationFailed(N_("No review has been submitted for this application yet."))
    if progress.outstanding:
        raise ValidationFailed(
            N_(
                "%(count)s review(s) are still outstanding. Wait for them, or remove the "
                "reviewer, before you recommend."
            ),
            count=progress.outstanding,
        )


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
        # Selection (the reviews area's services make these moves).
        transitions([S.SUBMITTED], S.SCREENING, Permission.SCREEN_APPLICATION, ensure_fund_side),
        transitions([S.SCREENING], S.INELIGIBLE, Permission.SCREEN_APPLICATION, ensure_fund_side),
        transitions([S.SCREENING], S.IN_REVIEW, Permission.SCREEN_APPLICATION, ensure_fund_side),
        transitions(
            [S.IN_REVIEW, S.NOT_RECOMMENDED],
            S.RECOMMENDED,
            Permission.PREPARE_BOARD_PACK,
            ensure_fund_side,
            ready=_reviews_complete,
        ),
        transitions(
            [S.IN_REVIEW, S.RECOMMENDED],
            S.NOT_RECOMMENDED,
            Permission.PREPARE_BOARD_PACK,
            ensure_fund_side,
            ready=_reviews_complete,
        ),
        *(
            transitions(
                [S.RECOMMENDED, S.NOT_RECOMMENDED],
                outcome,
                Permission.RECORD_BOARD_DECISION,
                ensure_fund_side,
            )
            for outcome in BOARD_OUTCOMES
        ),
        # "A reserve-list application can later be approved when money frees up" (or, when
        # the cycle ends without that, turned down).
        transitions([S.RESERVE], S.APPROVED, Permission.RECORD_BOARD_DECISION, ensure_fund_side),
        transitions([S.RESERVE], S.REJECTED, Permission.RECORD_BOARD_DECISION, ensure_fund_side),
    ],
)


def _concept_ready(application: Application, actor: Any) -> None:
    """A concept note goes to the fund complete: what the concept page lists as missing."""
    from app.applications.services.concepts import concept_problems

    problems = concept_problems(application)
    if problems:
        raise ValidationFailed(problems[0].message, **problems[0].params)


C = ConceptStatus

# Stage one of a two-stage call (decision 0115): the state is the application's concept_status
# (its concept note's), so each move is audited under the application.
CONCEPT_WORKFLOW = Workflow(
    name="concept_note",
    state_attr="concept_status",
    transitions=[
        transitions(
            [C.DRAFT], C.SUBMITTED, Permission.APPLY_FOR_GRANT, _guard_member, ready=_concept_ready
        ),
        # Only the fund manager screens concept notes (SCREEN_APPLICATION), never for their own
        # organisation.
        transitions([C.SUBMITTED], C.INVITED, Permission.SCREEN_APPLICATION, ensure_fund_side),
        transitions([C.SUBMITTED], C.DECLINED, Permission.SCREEN_APPLICATION, ensure_fund_side),
    ],
)


def _guard_profile_member(profile: OrganisationProfile, actor: Any) -> None:
    if not is_member(actor, profile.organisation_id):
        raise PermissionDenied(N_("Only the organisation's own staff can do this."))


def _guard_ready_for_verification(profile: OrganisationProfile, actor: Any) -> None:
    from app.applications.services import due_diligence_problems

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
