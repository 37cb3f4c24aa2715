"""Board meetings and decisions: quorum, votes, recusal, finality, the reserve list."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.accounts.models import Role
from app.applications.models import ApplicationStatus
from app.audit.models import AuditEvent
from app.calls import services as calls
from app.calls.models import CallStatus
from app.calls.workflow import CALL_WORKFLOW
from app.notifications.models import Notification, NotificationKind
from app.platform.db import utcnow
from app.platform.errors import (
    InvalidTransition,
    PermissionDenied,
    SegregationOfDuties,
    ValidationFailed,
)
from app.platform.extensions import db
from app.reviews import services as reviews
from app.reviews.models import BoardDecision, DecisionOutcome, PanelOutcome, Vote
from tests.factories import user_with
from tests.reviews_support import (
    a_call,
    before_board,
    board_member,
    decide,
    link_to_organisation,
    manager,
    meeting,
    votes,
)
from tests.settings_support import change_settings


def test_a_meeting_records_members_present_and_the_quorum_rule_in_force(app, monkeypatch):
    members = [board_member() for _ in range(3)]
    change_settings(monkeypatch, app, "reviews", board_quorum=2)
    held = meeting(members)
    change_settings(monkeypatch, app, "reviews", board_quorum=3)
    assert held.quorum == 2  # the rule it was held under, whatever the setting says later
    assert [m.id for m in held.members] == sorted(m.id for m in members)
    with pytest.raises(ValidationFailed):
        meeting([user_with(Role.REVIEWER)])
    with pytest.raises(ValidationFailed):
        meeting([])
    with pytest.raises(ValidationFailed):
        reviews.create_meeting(
            actor=manager(), held_on=utcnow().date() + timedelta(days=3), members=members
        )
    with pytest.raises(PermissionDenied):
        meeting(members, actor=user_with(Role.REVIEWER))
    assert meeting(members, actor=members[0]).created_by_id == members[0].id


def test_an_approval_records_amount_conditions_votes_and_tells_the_applicant(storage):
    application = before_board(storage)
    held = meeting()
    decision = reviews.record_decision(
        actor=held.members[0],
        meeting=held,
        application=application,
        outcome=DecisionOutcome.APPROVED,
        votes={**votes(held), held.members[2].id: Vote.ABSTAIN},
        rationale="Ranked first.",
        approved_amount=application.requested_amount - 100_00,
        conditions="Quarterly visits.",
    )
    assert application.status == ApplicationStatus.APPROVED
    assert decision.approved_amount == application.requested_amount - 100_00
    assert [v.vote for v in decision.votes] == [Vote.APPROVE, Vote.APPROVE, Vote.ABSTAIN]
    assert reviews.approved_decision_for(application) == decision
    event = db.session.execute(
        select(AuditEvent).where(
            AuditEvent.action == "application.approved",
            AuditEvent.subject_id == str(application.id),
        )
    ).scalar_one()
    assert event.changes["board_decision_id"] == [None, decision.id]
    applicant = application.organisation.memberships[0].user
    notice = db.session.execute(
        select(Notification).where(
            Notification.user_id == applicant.id,
            Notification.kind == NotificationKind.BOARD_DECISION,
        )
    ).scalar_one()
    assert notice.link == f"/reviews/applications/{application.id}/decision-letter"


def test_decision_refusals(storage):
    application = before_board(storage)
    held = meeting()
    fund = manager()

    def attempt(**overrides):
        values = {
            "actor": fund,
            "meeting": held,
            "application": application,
            "outcome": DecisionOutcome.APPROVED,
            "votes": votes(held),
            "rationale": "Good.",
            "approved_amount": application.requested_amount,
        }
        values.update(overrides)
        return reviews.record_decision(**values)

    with pytest.raises(ValidationFailed, match="cannot exceed"):
        attempt(approved_amount=application.requested_amount + 1)
    with pytest.raises(ValidationFailed, match="amount"):
        attempt(approved_amount=None)
    with pytest.raises(ValidationFailed, match="reasons"):
        attempt(rationale="  ")
    with pytest.raises(ValidationFailed, match="Conditions"):
        attempt(
            outcome=DecisionOutcome.REJECTED,
            votes=votes(held, Vote.REJECT),
            approved_amount=None,
            conditions="Some.",
        )
    with pytest.raises(ValidationFailed, match="vote of"):
        attempt(votes={held.members[0].id: Vote.APPROVE})
    with pytest.raises(ValidationFailed, match="do not carry"):
        attempt(votes=votes(held, Vote.REJECT))
    tie = {
        **votes(held, Vote.ABSTAIN),
        held.members[0].id: Vote.APPROVE,
        held.members[1].id: Vote.REJECT,
    }
    with pytest.raises(ValidationFailed, match="do not carry"):
        attempt(votes=tie)
    other_call = meeting(call=a_call())
    with pytest.raises(ValidationFailed, match="another call"):
        attempt(meeting=other_call)
    for role in (Role.REVIEWER, Role.APPLICANT, Role.FINANCE, Role.AUDITOR, Role.ADMIN):
        with pytest.raises(PermissionDenied):
            attempt(actor=user_with(role))
    assert application.status == ApplicationStatus.RECOMMENDED
    assert db.session.execute(select(BoardDecision)).first() is None


def test_a_decision_is_checked_before_it_is_recorded_and_the_check_writes_nothing(storage):
    application = before_board(storage)
    held = meeting()
    values = {
        "actor": manager(),
        "meeting": held,
        "application": application,
        "outcome": DecisionOutcome.APPROVED,
        "votes": votes(held),
        "rationale": "Good.",
        "approved_amount": application.requested_amount,
    }
    with pytest.raises(ValidationFailed, match="cannot exceed"):
        reviews.check_decision(**{**values, "approved_amount": application.requested_amount + 1})
    with pytest.raises(ValidationFailed, match="do not carry"):
        reviews.check_decision(**{**values, "votes": votes(held, Vote.REJECT)})
    reviews.check_decision(**values)
    assert application.status == ApplicationStatus.RECOMMENDED
    assert db.session.execute(select(BoardDecision)).first() is None


def test_quorum_counts_members_present_who_may_vote(storage, app):
    application = before_board(storage)
    members = [board_member() for _ in range(3)]
    link_to_organisation(members[0], application)
    held = meeting(members)
    assert held.quorum == 3
    with pytest.raises(ValidationFailed, match="No quorum"):
        decide(application, held)
    # With a fourth member present the linked one is recused, and three may vote.
    fourth = board_member()
    bigger = meeting([*members, fourth])
    decision = decide(application, bigger)
    recorded = {v.member_id: v.vote for v in decision.votes}
    assert recorded[members[0].id] == Vote.RECUSED
    assert sum(1 for v in recorded.values() if v == Vote.APPROVE) == 3


def test_a_member_linked_to_the_applicant_cannot_record_its_decision(storage):
    application = before_board(storage)
    held = meeting([board_member() for _ in range(4)])
    linked = held.members[3]
    link_to_organisation(linked, application)
    with pytest.raises(SegregationOfDuties):
        decide(application, held, actor=linked)
    linked_manager = manager()
    link_to_organisation(linked_manager, application)
    with pytest.raises(SegregationOfDuties):
        decide(application, held, actor=linked_manager)


def test_a_decision_is_final(storage, dialect):
    application = before_board(storage)
    held = meeting()
    decision = decide(application, held, DecisionOutcome.REJECTED)
    assert application.status == ApplicationStatus.REJECTED
    with pytest.raises(InvalidTransition):
        decide(application, held, DecisionOutcome.APPROVED)
    # The database refuses to edit or delete the record, whoever asks.
    for statement in (
        "UPDATE board_decisions SET rationale = 'changed' WHERE id = :id",
        "DELETE FROM board_votes WHERE decision_id = :id",
    ):
        nested = db.session.begin_nested()
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.text(statement), {"id": decision.id})
        nested.rollback()
    db.session.expire_all()
    assert db.session.get(BoardDecision, decision.id).rationale == "Ranked high."


def test_a_reserve_can_be_approved_later_at_another_meeting(storage):
    application = before_board(storage)
    first = meeting()
    reserve = decide(application, first, DecisionOutcome.RESERVE)
    assert application.status == ApplicationStatus.RESERVE
    assert reviews.approved_decision_for(application) is None
    reviews.close_meeting(actor=manager(), meeting=first)
    with pytest.raises(InvalidTransition):
        decide(application, first, DecisionOutcome.APPROVED)
    later = meeting()
    approval = decide(application, later, DecisionOutcome.APPROVED, amount=5_000_00)
    assert application.status == ApplicationStatus.APPROVED
    assert reviews.approved_decision_for(application) == approval
    assert reserve.outcome == DecisionOutcome.RESERVE  # the earlier record stays as it was


def test_not_recommended_applications_are_decided_too(storage):
    application = before_board(storage, outcome=PanelOutcome.NOT_RECOMMENDED)
    decide(application, meeting(), DecisionOutcome.REJECTED)
    assert application.status == ApplicationStatus.REJECTED


def test_a_call_is_decided_only_when_every_application_is(storage):
    fund = manager()
    call = a_call(fund)
    application = before_board(storage, fund_manager=fund, call=call)
    calls.close_call(actor=fund, call=call)
    assert CALL_WORKFLOW.available_moves(call, fund) == []
    # The page still offers the button; pressing it says how many applications wait.
    assert CALL_WORKFLOW.available_moves(call, fund, unready=True) == [CallStatus.DECIDED]
    with pytest.raises(ValidationFailed, match="still wait"):
        calls.decide_call(actor=fund, call=call)
    decide(application, meeting(), DecisionOutcome.APPROVED)
    assert CALL_WORKFLOW.available_moves(call, fund) == [CallStatus.DECIDED]
    calls.decide_call(actor=fund, call=call)
    assert call.status == CallStatus.DECIDED
