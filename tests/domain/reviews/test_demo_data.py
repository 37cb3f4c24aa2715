"""The reviews demo: the closed call fully reviewed and decided, the open call partly screened."""

from __future__ import annotations

from sqlalchemy import func, select

from app.applications.models import Application, ApplicationStatus
from app.calls.models import Call, CallStatus
from app.platform.extensions import db
from app.reviews import queries
from app.reviews.models import AssignmentStatus, BoardDecision, ReviewAssignment, Screening
from devtools.seed.calls_and_applications import (
    CLOSED_CALL,
    OPEN_CALL,
    load_demo_calls_and_applications,
)
from devtools.seed.people import load_demo_users
from devtools.seed.reviews import load_demo_reviews

S = ApplicationStatus


def load() -> None:
    load_demo_users()
    load_demo_calls_and_applications()
    load_demo_reviews()


def test_the_demo_reviews_load_twice_and_tell_the_story():
    load()
    decisions = db.session.scalar(select(func.count()).select_from(BoardDecision))
    load()
    assert db.session.scalar(select(func.count()).select_from(BoardDecision)) == decisions

    closed = db.session.execute(select(Call).where(Call.reference == CLOSED_CALL)).scalar_one()
    assert closed.status == CallStatus.DECIDED
    assert queries.undecided_count(closed) == 0
    statuses = [
        a.status
        for a in db.session.execute(
            select(Application).where(Application.call_id == closed.id)
        ).scalars()
    ]
    assert statuses.count(S.RESERVE) == 1
    assert {S.APPROVED, S.REJECTED, S.INELIGIBLE} <= set(statuses)
    recused = (
        db.session.execute(
            select(ReviewAssignment).where(ReviewAssignment.status == AssignmentStatus.RECUSED)
        )
        .scalars()
        .all()
    )
    assert len(recused) == 1 and recused[0].conflict_description
    ranking = queries.call_ranking(closed)
    assert all(r.score.weighted is not None for r in ranking.rows)
    for row in ranking.rows:
        decision = queries.latest_decision(row.application)
        assert decision is not None and len(decision.votes) >= decision.meeting.quorum

    opened = db.session.execute(select(Call).where(Call.reference == OPEN_CALL)).scalar_one()
    open_statuses = [
        a.status
        for a in db.session.execute(
            select(Application).where(Application.call_id == opened.id)
        ).scalars()
    ]
    assert S.IN_REVIEW in open_statuses and S.SUBMITTED in open_statuses
    assert db.session.execute(
        select(Screening.id).join(Application).where(Application.call_id == opened.id)
    ).first()
