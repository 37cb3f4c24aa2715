"""Screening: the checklist from the call's rules and the organisation's file, and its outcomes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.applications.models import (
    ApplicationStatus,
    DueDiligenceStatus,
    MessageKind,
    OrganisationProfile,
)
from app.audit.models import AuditEvent
from app.platform.errors import (
    InvalidTransition,
    PermissionDenied,
    SegregationOfDuties,
    ValidationFailed,
)
from app.platform.extensions import db
from app.reviews import queries
from app.reviews import services as reviews
from app.reviews.models import Screening, ScreeningOutcome
from app.reviews.queries.screening import MANUAL_CHECKS, Check
from tests.factories import user_with
from tests.reviews_support import (
    ALL_CHECKS,
    link_to_organisation,
    manager,
    submitted_application,
)


def actions(application) -> list[str]:
    return list(
        db.session.execute(
            select(AuditEvent.action)
            .where(
                AuditEvent.subject_type == "applications",
                AuditEvent.subject_id == str(application.id),
            )
            .order_by(AuditEvent.id)
        ).scalars()
    )


def test_the_checklist_follows_the_call_and_the_verification(storage):
    application = submitted_application(storage)
    items = {item.check: item for item in queries.screening_checklist(application)}
    assert all(items[c].passed for c in Check if c not in MANUAL_CHECKS)
    assert all(items[c].passed is None for c in MANUAL_CHECKS)

    # The organisation's file is re-opened and the amount pushed above the call's cap.
    profile = db.session.get(OrganisationProfile, application.organisation_id)
    profile.status = DueDiligenceStatus.DOCUMENTS_SUBMITTED
    application.requested_amount = application.call.max_amount + 1
    items = {item.check: item for item in queries.screening_checklist(application)}
    assert items[Check.ORGANISATION_VERIFIED].passed is False
    assert items[Check.AMOUNT_WITHIN_CAP].passed is False


def test_eligible_needs_every_check_and_moves_to_review_audited(storage):
    application = submitted_application(storage)
    fund = manager()
    with pytest.raises(ValidationFailed):
        reviews.record_screening(
            actor=fund, application=application, outcome=ScreeningOutcome.ELIGIBLE
        )
    assert application.status == ApplicationStatus.SUBMITTED

    screening = reviews.record_screening(
        actor=fund,
        application=application,
        outcome=ScreeningOutcome.ELIGIBLE,
        confirmed=ALL_CHECKS,
    )
    assert application.status == ApplicationStatus.IN_REVIEW
    assert all(row["passed"] for row in screening.checklist)
    assert screening.screened_by_id == fund.id
    assert actions(application)[-2:] == ["application.screening", "application.in_review"]


def test_ineligible_needs_a_reason_the_applicant_sees(storage):
    application = submitted_application(storage)
    with pytest.raises(ValidationFailed):
        reviews.record_screening(
            actor=manager(), application=application, outcome=ScreeningOutcome.INELIGIBLE
        )
    reviews.record_screening(
        actor=manager(),
        application=application,
        outcome=ScreeningOutcome.INELIGIBLE,
        reason="Research is not direct assistance.",
    )
    assert application.status == ApplicationStatus.INELIGIBLE
    assert queries.ineligibility_reason(application) == "Research is not direct assistance."
    assert actions(application)[-1] == "application.ineligible"


def test_a_request_for_information_reuses_the_thread(storage):
    application = submitted_application(storage)
    reviews.start_screening(actor=manager(), application=application)
    reviews.record_screening(
        actor=manager(),
        application=application,
        outcome=ScreeningOutcome.INFO_REQUESTED,
        question="Is the shelter licensed?",
    )
    assert application.status == ApplicationStatus.INFO_REQUESTED
    assert application.messages[-1].kind == MessageKind.INFORMATION_REQUEST
    assert application.messages[-1].body == "Is the shelter licensed?"
    outcomes = db.session.execute(select(Screening.outcome)).scalars().all()
    assert ScreeningOutcome.INFO_REQUESTED in outcomes


@pytest.mark.parametrize("role", [r for r in Role if r != Role.FUND_MANAGER])
def test_only_the_fund_manager_screens(storage, role):
    application = submitted_application(storage)
    assert not reviews.can_screen(user_with(role), application)
    with pytest.raises(PermissionDenied):
        reviews.record_screening(
            actor=user_with(role),
            application=application,
            outcome=ScreeningOutcome.INELIGIBLE,
            reason="No.",
        )
    with pytest.raises(PermissionDenied):
        reviews.start_screening(actor=user_with(role), application=application)
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_fund_manager_linked_to_the_applicant_cannot_screen_it(storage):
    application = submitted_application(storage)
    fund = manager()
    assert reviews.can_screen(fund, application)
    link_to_organisation(fund, application)
    assert not reviews.can_screen(fund, application)
    with pytest.raises(SegregationOfDuties):
        reviews.record_screening(
            actor=fund, application=application, outcome=ScreeningOutcome.INELIGIBLE, reason="x"
        )
    with pytest.raises(SegregationOfDuties):
        reviews.start_screening(actor=fund, application=application)


def test_only_submitted_applications_are_screened(storage):
    application = submitted_application(storage)
    reviews.record_screening(
        actor=manager(),
        application=application,
        outcome=ScreeningOutcome.ELIGIBLE,
        confirmed=ALL_CHECKS,
    )
    assert not reviews.can_screen(manager(), application)
    with pytest.raises(InvalidTransition):
        reviews.record_screening(
            actor=manager(),
            application=application,
            outcome=ScreeningOutcome.INELIGIBLE,
            reason="Changed my mind.",
        )
