"""Conflict of interest in the domain: nothing beyond title and organisation before the
declaration, a declared conflict recuses for good and is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.permissions import can_view_application, can_view_document
from app.audit.models import AuditEvent
from app.notifications.models import Notification, NotificationKind
from app.platform.errors import (
    InvalidTransition,
    PermissionDenied,
    SegregationOfDuties,
    ValidationFailed,
)
from app.platform.extensions import db
from app.reviews import services as reviews
from app.reviews.models import AssignmentStatus
from tests.reviews_support import (
    in_review,
    link_to_organisation,
    manager,
    reviewer,
    scores,
)


@pytest.fixture
def setup(storage):
    fund = manager()
    application = in_review(storage, fund_manager=fund)
    expert = reviewer()
    assignment = reviews.assign_reviewer(actor=fund, application=application, reviewer=expert)
    return fund, application, expert, assignment


def test_a_reviewer_sees_the_application_only_after_declaring_no_conflict(setup):
    _fund, application, expert, assignment = setup
    stranger = reviewer()
    assert not can_view_application(expert, application)
    assert not any(can_view_document(expert, d) for d in application.documents)
    reviews.declare_interest(actor=expert, assignment=assignment, has_conflict=False)
    assert assignment.status == AssignmentStatus.ACTIVE
    assert can_view_application(expert, application)
    assert all(can_view_document(expert, d) for d in application.documents)
    assert not can_view_application(stranger, application)


def test_a_declared_conflict_recuses_is_audited_and_tells_the_fund_manager(setup):
    fund, application, expert, assignment = setup
    with pytest.raises(ValidationFailed):
        reviews.declare_interest(actor=expert, assignment=assignment, has_conflict=True)
    reviews.declare_interest(
        actor=expert, assignment=assignment, has_conflict=True, description="My sister works there."
    )
    assert assignment.status == AssignmentStatus.RECUSED
    assert not can_view_application(expert, application)
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "review_assignment.recused")
    ).scalar_one()
    assert event.actor_id == expert.id
    assert event.changes["conflict"] == [None, "My sister works there."]
    notice = db.session.execute(
        select(Notification).where(
            Notification.user_id == fund.id, Notification.kind == NotificationKind.REVIEWER_RECUSED
        )
    ).scalar_one()
    assert notice.link == f"/reviews/applications/{application.id}/assign"
    # Final: no second declaration, no review.
    with pytest.raises(InvalidTransition):
        reviews.declare_interest(actor=expert, assignment=assignment, has_conflict=False)
    with pytest.raises(PermissionDenied):
        reviews.save_review(
            actor=expert,
            assignment=assignment,
            scores=scores(application.call, (3, 3)),
            recommendation=None,
        )


def test_only_the_reviewer_asked_declares(setup):
    _fund, _application, _expert, assignment = setup
    with pytest.raises(PermissionDenied):
        reviews.declare_interest(actor=reviewer(), assignment=assignment, has_conflict=False)
    with pytest.raises(PermissionDenied):
        reviews.declare_interest(actor=manager(), assignment=assignment, has_conflict=False)


def test_a_reviewer_linked_to_the_applicant_cannot_declare_no_conflict(setup):
    _fund, application, expert, assignment = setup
    link_to_organisation(expert, application)
    with pytest.raises(SegregationOfDuties):
        reviews.declare_interest(actor=expert, assignment=assignment, has_conflict=False)
    assert not can_view_application(expert, application)


def test_no_review_before_the_declaration(setup):
    _fund, application, expert, assignment = setup
    with pytest.raises(PermissionDenied):
        reviews.save_review(
            actor=expert,
            assignment=assignment,
            scores=scores(application.call, (3, 3)),
            recommendation=None,
        )


def test_a_removed_reviewer_loses_access(setup):
    fund, application, expert, assignment = setup
    reviews.declare_interest(actor=expert, assignment=assignment, has_conflict=False)
    reviews.remove_reviewer(actor=fund, assignment=assignment)
    assert not can_view_application(expert, application)


def test_declaring_and_submitting_are_audited(setup):
    _fund, application, expert, assignment = setup
    reviews.declare_interest(actor=expert, assignment=assignment, has_conflict=False)
    reviews.submit_review(
        actor=expert,
        assignment=assignment,
        scores=scores(application.call, (3, 4)),
        recommendation="fund",
    )
    recorded = dict(
        db.session.execute(
            select(AuditEvent.action, AuditEvent.actor_id).where(
                AuditEvent.action.in_(("review_assignment.active", "review.submitted"))
            )
        ).all()
    )
    assert recorded == {"review_assignment.active": expert.id, "review.submitted": expert.id}
