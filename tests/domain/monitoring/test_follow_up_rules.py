"""The monitoring rules the user tester's report asked for: nothing planned in the past, the
proposed plan from today on without what is already planned or done near it, the grantee told of
a recommendation made or reopened and the fund of its answer, and the rating form offering the
decision just made."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.applications.models import RiskRating
from app.monitoring import performance
from app.monitoring import services as monitoring
from app.monitoring.models import ActivityKind
from app.monitoring.planning import ProposedActivity, pending_proposals
from app.notifications.models import Notification, NotificationKind
from app.platform.db import utcnow
from app.platform.errors import ValidationFailed
from app.platform.extensions import db
from tests.grants_support import USD, active_grant, fund, manager, signatory
from tests.monitoring_support import done_visit, recommendation_on

TODAY = date(2027, 6, 1)
VISIT = ActivityKind.VISIT
CHECK = ActivityKind.SPOT_CHECK


@pytest.fixture
def grant():
    fund(500_000 * USD)
    return active_grant()


def _proposal(kind: ActivityKind, day: date) -> ProposedActivity:
    return ProposedActivity(kind, day, "Half way through", {})


def _pending(plan, existing=()):
    return [
        (p.kind, p.planned_on)
        for p in pending_proposals(
            plan, existing=list(existing), today=TODAY, spot_check_lead_days=14
        )
    ]


def test_a_visit_whose_date_has_passed_is_proposed_today():
    assert _pending([_proposal(VISIT, TODAY - timedelta(days=200))]) == [(VISIT, TODAY)]


def test_a_visit_done_recently_stands_for_the_one_proposed():
    plan = [_proposal(VISIT, TODAY - timedelta(days=200))]
    assert _pending(plan, [(VISIT, TODAY - timedelta(days=30))]) == []
    # Near the proposed date, ahead of it, too.
    ahead = [_proposal(VISIT, TODAY + timedelta(days=100))]
    assert _pending(ahead, [(VISIT, TODAY + timedelta(days=130))]) == []
    # A spot check is no visit; a visit long ago does not count.
    assert _pending(plan, [(CHECK, TODAY), (VISIT, TODAY - timedelta(days=400))]) == [
        (VISIT, TODAY)
    ]


def test_two_past_visits_are_proposed_once_and_future_ones_keep_their_date():
    plan = [
        _proposal(VISIT, TODAY - timedelta(days=400)),
        _proposal(VISIT, TODAY - timedelta(days=40)),
        _proposal(VISIT, TODAY + timedelta(days=320)),
    ]
    assert _pending(plan) == [(VISIT, TODAY), (VISIT, TODAY + timedelta(days=320))]


def test_a_spot_check_before_a_tranche_already_due_is_dropped():
    plan = [
        _proposal(CHECK, TODAY - timedelta(days=20)),  # its tranche was due 6 days ago
        _proposal(CHECK, TODAY - timedelta(days=5)),  # its tranche is due in 9 days: check now
    ]
    assert _pending(plan) == [(CHECK, TODAY)]


def test_the_proposed_plan_of_a_grant_that_started_long_ago_starts_today(grant):
    today = utcnow().date()
    grant.start_date = today - timedelta(days=600)
    grant.end_date = today + timedelta(days=100)
    db.session.flush()
    proposed = [(p.kind, p.planned_on) for p in monitoring.proposed_plan(grant)]
    assert (VISIT, today) in proposed and min(day for _, day in proposed) == today
    done_visit(grant)
    assert VISIT not in {p.kind for p in monitoring.proposed_plan(grant)}


def test_accepting_the_plan_leaves_nothing_more_proposed(grant):
    created = monitoring.accept_plan(actor=manager(), grant=grant)
    assert created and all(a.planned_on >= utcnow().date() for a in created)
    assert monitoring.proposed_plan(grant) == []
    with pytest.raises(ValidationFailed):
        monitoring.accept_plan(actor=manager(), grant=grant)


def test_nothing_is_planned_before_today(grant):
    with pytest.raises(monitoring.DateRefused) as refused:
        monitoring.plan_activity(
            actor=manager(),
            grant=grant,
            kind=VISIT,
            planned_on=utcnow().date() - timedelta(days=1),
        )
    assert refused.value.field == "planned_on"
    # Done in the past is recorded as such.
    activity = monitoring.plan_activity(
        actor=manager(), grant=grant, kind=VISIT, planned_on=utcnow().date()
    )
    past = utcnow().date() - timedelta(days=40)
    monitoring.record_activity(actor=manager(), activity=activity, done_on=past)
    assert activity.done_on == past


MONITORING_KINDS = (NotificationKind.MONITORING_RECOMMENDATION, NotificationKind.MONITORING_ANSWER)


def _told(user) -> list[Notification]:
    return list(
        db.session.execute(
            sa.select(Notification)
            .where(Notification.user_id == user.id, Notification.kind.in_(MONITORING_KINDS))
            .order_by(Notification.id)
        ).scalars()
    )


def test_the_grantee_is_told_of_a_recommendation_and_the_fund_of_its_answer(grant):
    fm = manager()
    other_fm = manager()
    ngo = signatory(grant)
    recommendation = recommendation_on(grant, fm)
    told = _told(ngo)
    assert [n.kind for n in told] == [NotificationKind.MONITORING_RECOMMENDATION]
    assert told[0].link == f"/monitoring/recommendations/{recommendation.id}"
    assert told[0].params["reference"] == grant.reference
    monitoring.respond_to_recommendation(actor=ngo, recommendation=recommendation, response="Ok")
    assert [n.kind for n in _told(fm)] == [NotificationKind.MONITORING_ANSWER]
    assert [n.kind for n in _told(other_fm)] == [NotificationKind.MONITORING_ANSWER]
    monitoring.reopen_recommendation(
        actor=fm, recommendation=recommendation, reason="The log of May is missing."
    )
    assert [n.kind for n in _told(ngo)] == [NotificationKind.MONITORING_RECOMMENDATION] * 2


def test_a_past_due_date_is_refused_next_to_its_field(grant):
    recommendation = recommendation_on(grant)
    monitoring.respond_to_recommendation(
        actor=signatory(grant), recommendation=recommendation, response="Ok"
    )
    with pytest.raises(monitoring.DateRefused) as refused:
        monitoring.reopen_recommendation(
            actor=manager(),
            recommendation=recommendation,
            reason="Not yet.",
            due_on=utcnow().date() - timedelta(days=1),
        )
    assert refused.value.field == "due_on"


def test_the_rating_form_offers_the_decision_until_the_score_changes(grant):
    fm = manager()
    for _ in range(3):
        recommendation_on(grant, fm)
    organisation = grant.organisation
    on = utcnow().date()
    scored = performance.partner_score(organisation, on=on)
    assert scored.proposed == RiskRating.HIGH
    assert performance.rating_to_offer(scored, performance.ratings_of(organisation)) == (
        RiskRating.HIGH
    )
    performance.confirm_rating(actor=fm, organisation=organisation, rating=RiskRating.MEDIUM, on=on)
    scored = performance.partner_score(organisation, on=on)
    history = performance.ratings_of(organisation)
    assert performance.rating_to_offer(scored, history) == RiskRating.MEDIUM
    recommendation_on(grant, fm)  # a new high finding: the score moves, the proposal is offered
    scored = performance.partner_score(organisation, on=on)
    assert performance.rating_to_offer(scored, history) == RiskRating.HIGH
