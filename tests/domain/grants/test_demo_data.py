"""The demo grants: every stage, one closed with a refund, one with an overdue report, and a
ledger that still verifies; loading twice changes nothing."""

from __future__ import annotations

import sqlalchemy as sa

from app.grants.models import Grant, GrantStatus, TrancheStatus
from app.grants.queries import is_overdue
from app.grants.services import today
from app.ledger.verify import verify_ledger
from app.platform.extensions import db
from app.reviews.models import BoardDecision


def test_the_demo_shows_grants_at_every_stage(runner):
    assert runner.invoke(args=["demo", "--quiet"]).exit_code == 0
    grants = list(db.session.execute(sa.select(Grant)).scalars())
    assert {g.status for g in grants} == set(GrantStatus)
    closed = [g for g in grants if g.status == GrantStatus.CLOSED]
    assert any(g.refunds for g in closed)
    assert any(is_overdue(r, today()) for g in grants for r in g.reports)
    states = {t.status for g in grants for t in g.tranches}
    assert {TrancheStatus.REQUESTED, TrancheStatus.SENT, TrancheStatus.PAID} <= states
    # Each grant carries out a decision of a quorate Board meeting, with every member's vote.
    for grant in grants:
        decision = db.session.get(BoardDecision, grant.board_decision_id)
        assert decision is not None and decision.votes
        assert len(decision.meeting.members) >= decision.meeting.quorum
    report = verify_ledger()
    assert report.ok, report.problems
    count = len(grants)
    assert runner.invoke(args=["demo", "--quiet"]).exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Grant)) == count
    assert verify_ledger().ok
