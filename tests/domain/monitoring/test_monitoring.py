"""Monitoring rules: who may plan and record, the recommendation's life, the plan proposed from
risk and size, the partner score's lines and the rating a person confirms, which the
organisation's next grant follows."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.accounts.permissions import Permission, has_permission
from app.applications.models import OrganisationProfile, RiskRating
from app.audit.models import AuditEvent
from app.grants.models import GrantRefund, ReportKind
from app.monitoring import performance
from app.monitoring import services as monitoring
from app.monitoring.models import (
    ActivityKind,
    ActivityStatus,
    FindingSeverity,
    PartnerRating,
    RecommendationStatus,
)
from app.monitoring.planning import propose_plan
from app.platform.db import utcnow
from app.platform.errors import (
    InvalidTransition,
    PermissionDenied,
    SegregationOfDuties,
    ValidationFailed,
)
from app.platform.extensions import db
from tests.applications_support import applicant_of
from tests.factories import user_with
from tests.grants_support import USD, active_grant, award, fund, manager, report_of, signatory
from tests.monitoring_support import application_of, done_visit, recommendation_on


@pytest.fixture
def grant():
    fund(500_000 * USD)
    return active_grant()


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars()
    )


def test_permissions_by_role():
    holders = {
        permission: {role for role in Role if has_permission(user_with(role), permission)}
        for permission in (
            Permission.VIEW_MONITORING,
            Permission.MANAGE_MONITORING,
            Permission.CONFIRM_RISK_RATING,
        )
    }
    assert holders[Permission.VIEW_MONITORING] == {Role.FUND_MANAGER, Role.FINANCE, Role.AUDITOR}
    assert holders[Permission.MANAGE_MONITORING] == {Role.FUND_MANAGER}
    assert holders[Permission.CONFIRM_RISK_RATING] == {Role.FUND_MANAGER}


@pytest.mark.parametrize("role", [Role.FINANCE, Role.AUDITOR, Role.APPLICANT, Role.BOARD])
def test_only_the_fund_manager_plans_a_visit(grant, role):
    with pytest.raises(PermissionDenied):
        monitoring.plan_activity(
            actor=user_with(role),
            grant=grant,
            kind=ActivityKind.VISIT,
            planned_on=utcnow().date(),
        )


def test_a_visit_is_planned_recorded_and_audited(grant):
    fm = manager()
    activity = done_visit(grant, fm)
    assert activity.status == ActivityStatus.DONE
    assert [e.subject_id for e in _events("monitoring.planned")] == [str(activity.id)]
    recorded = _events("monitoring.recorded")
    assert [e.subject_id for e in recorded] == [str(activity.id)]
    # The staff's notes stay out of the log, which people outside monitoring read.
    assert "evasive" not in str(recorded[0].changes) + recorded[0].summary


def test_a_visit_cannot_be_recorded_ahead_or_twice(grant):
    fm = manager()
    activity = monitoring.plan_activity(
        actor=fm, grant=grant, kind=ActivityKind.VISIT, planned_on=utcnow().date()
    )
    with pytest.raises(ValidationFailed):
        monitoring.record_activity(
            actor=fm, activity=activity, done_on=utcnow().date() + timedelta(days=1)
        )
    monitoring.record_activity(actor=fm, activity=activity, done_on=utcnow().date())
    with pytest.raises(InvalidTransition):
        monitoring.record_activity(actor=fm, activity=activity, done_on=utcnow().date())


def test_a_finding_needs_the_activity_done(grant):
    fm = manager()
    activity = monitoring.plan_activity(
        actor=fm, grant=grant, kind=ActivityKind.VISIT, planned_on=utcnow().date()
    )
    with pytest.raises(InvalidTransition):
        monitoring.add_finding(
            actor=fm, activity=activity, severity=FindingSeverity.LOW, description="x"
        )


def test_recommendation_open_responded_closed_reopened(grant):
    fm = manager()
    recommendation = recommendation_on(grant, fm)
    ngo = signatory(grant)
    assert recommendation.status == RecommendationStatus.OPEN
    # The fund manager cannot close what the grantee has not answered.
    with pytest.raises(InvalidTransition):
        monitoring.close_recommendation(actor=fm, recommendation=recommendation)
    # Only the grantee's staff answer, and not with nothing.
    with pytest.raises(PermissionDenied):
        monitoring.respond_to_recommendation(
            actor=fm, recommendation=recommendation, response="Done."
        )
    other_ngo = applicant_of(active_grant().organisation)
    with pytest.raises(PermissionDenied):
        monitoring.respond_to_recommendation(
            actor=other_ngo, recommendation=recommendation, response="Done."
        )
    with pytest.raises(ValidationFailed):
        monitoring.respond_to_recommendation(
            actor=ngo, recommendation=recommendation, response="  "
        )
    monitoring.respond_to_recommendation(
        actor=ngo, recommendation=recommendation, response="A receipt book is in use."
    )
    assert recommendation.status == RecommendationStatus.RESPONDED
    assert recommendation.responded_by_id == ngo.id
    # The grantee cannot close it itself.
    with pytest.raises(PermissionDenied):
        monitoring.close_recommendation(actor=ngo, recommendation=recommendation)
    with pytest.raises(ValidationFailed):
        monitoring.reopen_recommendation(actor=fm, recommendation=recommendation, reason="")
    new_due = utcnow().date() + timedelta(days=60)
    monitoring.reopen_recommendation(
        actor=fm, recommendation=recommendation, reason="Show us the book.", due_on=new_due
    )
    assert recommendation.status == RecommendationStatus.OPEN
    assert recommendation.due_on == new_due
    monitoring.respond_to_recommendation(
        actor=ngo, recommendation=recommendation, response="Scanned pages attached."
    )
    monitoring.close_recommendation(actor=fm, recommendation=recommendation)
    assert recommendation.status == RecommendationStatus.CLOSED
    assert recommendation.finding.is_closed
    actions = [
        e.action
        for e in db.session.execute(
            sa.select(AuditEvent)
            .where(AuditEvent.subject_type == "monitoring_recommendations")
            .order_by(AuditEvent.id)
        ).scalars()
    ]
    assert actions == [
        "monitoring.recommendation_made",
        "monitoring_recommendation.responded",
        "monitoring_recommendation.open",
        "monitoring_recommendation.responded",
        "monitoring_recommendation.closed",
    ]
    # Closed can be reopened too.
    monitoring.reopen_recommendation(actor=fm, recommendation=recommendation, reason="Relapse.")
    assert recommendation.status == RecommendationStatus.OPEN


def test_a_member_of_the_grantee_cannot_follow_up_its_own_recommendation(grant):
    fm = manager()
    recommendation = recommendation_on(grant, fm)
    monitoring.respond_to_recommendation(
        actor=signatory(grant), recommendation=recommendation, response="Done."
    )
    insider = user_with(Role.FUND_MANAGER)
    from app.accounts.models import Membership

    db.session.add(Membership(user=insider, organisation=grant.organisation))
    db.session.flush()
    with pytest.raises(SegregationOfDuties):
        monitoring.close_recommendation(actor=insider, recommendation=recommendation)


def test_overdue_open_recommendations_are_counted(grant):
    fm = manager()
    today = utcnow().date()
    late = recommendation_on(grant, fm)
    answered = recommendation_on(grant, fm)
    recommendation_on(grant, fm)  # not due yet
    late.due_on = today - timedelta(days=1)
    answered.due_on = today - timedelta(days=1)
    monitoring.respond_to_recommendation(
        actor=signatory(grant), recommendation=answered, response="Done."
    )
    db.session.flush()
    assert monitoring.count_overdue(on=today) == 1
    assert monitoring.follow_up_list(state="overdue", on=today) == [late]


def test_plan_for_a_low_risk_small_grant_is_one_visit(grant):
    plan = propose_plan(grant, large_grant_amount=10**12, spot_check_lead_days=14)
    assert [p.kind for p in plan] == [ActivityKind.VISIT]
    assert grant.start_date < plan[0].planned_on < grant.end_date


def test_plan_for_a_high_risk_grant_visits_each_year_and_checks_before_later_tranches():
    fund(500_000 * USD)
    grant = active_grant(risk=RiskRating.HIGH, months=24)
    plan = propose_plan(grant, large_grant_amount=10**12, spot_check_lead_days=14)
    visits = [p for p in plan if p.kind == ActivityKind.VISIT]
    checks = [p for p in plan if p.kind == ActivityKind.SPOT_CHECK]
    assert len(visits) == 2
    later = [t for t in grant.tranches if t.number > 1]
    assert len(later) == 3
    assert [c.planned_on for c in checks] == [t.planned_date - timedelta(days=14) for t in later]


def test_a_large_low_risk_grant_is_planned_like_a_high_risk_one(grant):
    plan = propose_plan(grant, large_grant_amount=grant.amount, spot_check_lead_days=7)
    assert ActivityKind.SPOT_CHECK in {p.kind for p in plan}


def test_accepting_the_plan_creates_planned_activities_once(grant):
    fm = manager()
    created = monitoring.accept_plan(actor=fm, grant=grant)
    assert created and all(a.status == ActivityStatus.PLANNED for a in created)
    with pytest.raises(ValidationFailed):
        monitoring.accept_plan(actor=fm, grant=grant)


def test_a_clean_partner_scores_100_and_is_proposed_low_risk(grant):
    scored = performance.partner_score(grant.organisation, on=utcnow().date())
    assert scored.score == 100
    assert scored.proposed == RiskRating.LOW


def test_score_lines_for_late_reports_findings_audits_and_refunds(grant):
    fm = manager()
    today = utcnow().date()
    report = report_of(grant, ReportKind.PROGRESS)
    report.due_date = today - timedelta(days=40)  # overdue and not submitted: -10
    open_high = recommendation_on(grant, fm, severity=FindingSeverity.HIGH)  # -20 open
    closed_medium = recommendation_on(grant, fm, severity=FindingSeverity.MEDIUM)
    monitoring.respond_to_recommendation(
        actor=signatory(grant), recommendation=closed_medium, response="Fixed."
    )
    monitoring.close_recommendation(actor=fm, recommendation=closed_medium)  # -4 closed
    done_visit(grant, fm, kind=ActivityKind.AUDIT)  # clean audit: +5
    recommendation_on(grant, fm, severity=FindingSeverity.LOW, kind=ActivityKind.AUDIT)  # -5
    db.session.add(
        GrantRefund(
            grant_id=grant.id,
            amount=grant.amount // 5,  # 20 % of the grant (nothing paid yet): -5
            bank_reference="REF-1",
            received_on=today,
        )
    )
    db.session.flush()
    db.session.refresh(grant)
    scored = performance.partner_score(grant.organisation, on=today)
    points = sorted(line.points for line in scored.lines if line.points)
    assert points == [-20, -10, -5, -5, -4, 5]
    assert scored.score == 100 - 20 - 10 - 5 - 5 - 4 + 5
    assert scored.proposed == RiskRating.MEDIUM  # 61: between 60 and 80
    labels = {line.label for line in scored.lines}
    assert "%(reference)s, %(kind)s of %(date)s: no finding" in labels
    assert open_high.finding.is_closed is False


def test_score_proposes_high_risk_below_the_medium_threshold():
    assert (
        performance.proposed_rating(59, low_risk_score=80, medium_risk_score=60) == RiskRating.HIGH
    )
    assert (
        performance.proposed_rating(80, low_risk_score=80, medium_risk_score=60) == RiskRating.LOW
    )


@pytest.mark.parametrize("role", [Role.FINANCE, Role.AUDITOR, Role.APPLICANT, Role.ADMIN])
def test_only_a_holder_of_the_permission_confirms_a_rating(grant, role):
    with pytest.raises(PermissionDenied):
        performance.confirm_rating(
            actor=user_with(role),
            organisation=grant.organisation,
            rating=RiskRating.HIGH,
            on=utcnow().date(),
        )


def test_confirmed_rating_is_audited_and_the_next_grant_follows_it(grant):
    fm = manager()
    organisation = grant.organisation
    assert len(grant.tranches) == 2  # low risk: two tranches
    for _ in range(2):
        recommendation_on(grant, fm, severity=FindingSeverity.HIGH)
    scored = performance.partner_score(organisation, on=utcnow().date())
    assert scored.score == 60 and scored.proposed == RiskRating.MEDIUM
    recommendation_on(grant, fm, severity=FindingSeverity.LOW)
    scored = performance.partner_score(organisation, on=utcnow().date())
    assert scored.proposed == RiskRating.HIGH

    decision = performance.confirm_rating(
        actor=fm, organisation=organisation, rating=scored.proposed, on=utcnow().date()
    )
    profile = db.session.get(OrganisationProfile, organisation.id)
    assert profile is not None and profile.risk_rating == RiskRating.HIGH
    assert decision.previous == RiskRating.LOW and decision.score == scored.score
    event = _events("organisation.risk_confirmed")[0]
    assert event.changes["risk_rating"] == ["low", "high"]
    assert event.changes["score"] == [None, scored.score]
    # The grant already awarded keeps its schedule; the next one follows the new rating.
    assert grant.risk_rating == RiskRating.LOW and len(grant.tranches) == 2
    next_grant = award(application_of(organisation), fm)
    assert next_grant.risk_rating == RiskRating.HIGH
    assert len(next_grant.tranches) == 4


def test_keeping_the_rating_is_a_decision_on_record(grant):
    fm = manager()
    performance.confirm_rating(
        actor=fm, organisation=grant.organisation, rating=RiskRating.LOW, on=utcnow().date()
    )
    rows = db.session.execute(sa.select(PartnerRating)).scalars().all()
    assert [(r.previous, r.confirmed) for r in rows] == [(RiskRating.LOW, RiskRating.LOW)]
    assert _events("organisation.risk_confirmed")
