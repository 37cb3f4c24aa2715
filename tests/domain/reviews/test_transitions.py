"""Every review move of an application, allowed and refused per role and per state, audited.

Walks the moves this area adds to APPLICATION_WORKFLOW: from each source state, each role is let
through exactly when the role→permission map grants the move's permission; from every other
state the move is refused whoever asks. Each move that happens leaves an audit event.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.accounts.permissions import ROLE_PERMISSIONS, permissions_for_roles
from app.applications.models import ApplicationStatus
from app.applications.workflow import APPLICATION_WORKFLOW
from app.audit.models import AuditEvent
from app.platform.errors import InvalidTransition, PermissionDenied
from app.platform.extensions import db
from app.reviews.models import (
    AssignmentStatus,
    Recommendation,
    Review,
    ReviewAssignment,
    ReviewStatus,
)
from tests.applications_support import started_application
from tests.factories import user_with
from tests.reviews_support import a_call, reviewer

S = ApplicationStatus
SELECTION_TARGETS = {
    S.SCREENING,
    S.INELIGIBLE,
    S.IN_REVIEW,
    S.RECOMMENDED,
    S.NOT_RECOMMENDED,
    S.APPROVED,
    S.RESERVE,
    S.REJECTED,
}
MOVES = [
    (source, move.target, move.permission)
    for move in APPLICATION_WORKFLOW.transitions
    if move.target in SELECTION_TARGETS
    for source in sorted(move.sources)
]
# Whoever holds a permission of the moves, for the "refused in this state" walk.
EVERYTHING = {Role.FUND_MANAGER}


def test_the_review_moves_are_those_of_the_design():
    assert {(s, t) for s, t, _p in MOVES} == {
        (S.SUBMITTED, S.SCREENING),
        (S.SCREENING, S.INELIGIBLE),
        (S.SCREENING, S.IN_REVIEW),
        (S.IN_REVIEW, S.RECOMMENDED),
        (S.NOT_RECOMMENDED, S.RECOMMENDED),
        (S.IN_REVIEW, S.NOT_RECOMMENDED),
        (S.RECOMMENDED, S.NOT_RECOMMENDED),
        *(
            (s, t)
            for s in (S.RECOMMENDED, S.NOT_RECOMMENDED)
            for t in (S.APPROVED, S.RESERVE, S.REJECTED)
        ),
        (S.RESERVE, S.APPROVED),
        (S.RESERVE, S.REJECTED),
    }


def application_in(status: ApplicationStatus):
    """An application put straight into ``status``, with a submitted review where one is due."""
    application = started_application(call=a_call())
    application.status = status
    assignment = ReviewAssignment(
        application_id=application.id,
        reviewer_id=reviewer().id,
        status=AssignmentStatus.ACTIVE,
        due_on=application.call.closes_at.date(),
    )
    db.session.add(assignment)
    db.session.flush()
    db.session.add(
        Review(
            assignment_id=assignment.id,
            application_id=application.id,
            reviewer_id=assignment.reviewer_id,
            status=ReviewStatus.SUBMITTED,
            recommendation=Recommendation.FUND,
        )
    )
    db.session.flush()
    db.session.refresh(application)
    return application


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize(
    ("source", "target", "permission"), MOVES, ids=lambda v: getattr(v, "value", str(v))
)
def test_each_move_per_role(role, source, target, permission):
    application = application_in(source)
    actor = user_with(role)
    allowed = permission in permissions_for_roles(frozenset({role}))
    # What a page offers is what the move allows.
    assert (target in APPLICATION_WORKFLOW.available_moves(application, actor)) == allowed
    if not allowed:
        with pytest.raises(PermissionDenied):
            APPLICATION_WORKFLOW.transition(application, target, actor=actor)
        assert application.status == source
        return
    APPLICATION_WORKFLOW.transition(application, target, actor=actor)
    assert application.status == target
    event = db.session.execute(
        select(AuditEvent)
        .where(
            AuditEvent.subject_type == "applications",
            AuditEvent.subject_id == str(application.id),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).scalar_one()
    assert event.action == f"application.{target.value}"
    assert event.actor_id == actor.id
    assert event.changes["status"] == [source.value, target.value]


@pytest.mark.parametrize("target", sorted(SELECTION_TARGETS), ids=lambda t: t.value)
def test_each_move_is_refused_from_every_other_state(target):
    sources = {s for s, t, _p in MOVES if t == target}
    actor = user_with(*EVERYTHING)
    for state in ApplicationStatus:
        if state in sources:
            continue
        application = application_in(state)
        with pytest.raises(InvalidTransition):
            APPLICATION_WORKFLOW.transition(application, target, actor=actor)
        assert application.status == state


def test_the_fund_manager_holds_every_review_permission():
    granted = ROLE_PERMISSIONS[Role.FUND_MANAGER]
    assert {p for _s, _t, p in MOVES} <= granted
