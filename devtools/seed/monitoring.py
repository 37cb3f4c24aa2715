"""Demo monitoring: a visit to the Psychosocial care grant in Chiapas with a finding and two
recommendations (one answered by the NGO, one overdue: on the fund manager's work queue), and
a planned spot check. Safe to run twice: a grant already monitored is left alone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.grants.models import Grant, GrantStatus
from app.monitoring import services as monitoring
from app.monitoring.models import ActivityKind, FindingSeverity, MonitoringActivity
from app.platform.db import utcnow
from app.platform.extensions import db

DEMO_GRANT_TITLE = "Psychosocial care in Chiapas"


def load_demo_monitoring() -> int:
    """Record the demo visit; returns how many activities were created."""
    manager = db.session.execute(
        select(User).where(User.email == "fund_manager@demo.test")
    ).scalar_one_or_none()
    grant = db.session.execute(
        select(Grant).where(Grant.title == DEMO_GRANT_TITLE, Grant.status == GrantStatus.ACTIVE)
    ).scalar_one_or_none()
    if manager is None or grant is None:
        return 0
    if db.session.execute(
        select(MonitoringActivity.id).where(MonitoringActivity.grant_id == grant.id)
    ).first():
        return 0
    today = utcnow().date()
    visit = monitoring.plan_activity(
        actor=manager,
        grant=grant,
        kind=ActivityKind.VISIT,
        planned_on=today,  # planned from today on, recorded with the day it was done
        assignee="Fatima Manager",
    )
    monitoring.record_activity(
        actor=manager,
        activity=visit,
        done_on=today - timedelta(days=20),
        summary="We met the counselling team and read a sample of anonymised case files.",
        staff_notes="Staff only: the finance officer is leaving in March; follow the handover.",
    )
    finding = monitoring.add_finding(
        actor=manager,
        activity=visit,
        severity=FindingSeverity.MEDIUM,
        description="Counselling sessions are not logged consistently across the two sites.",
    )
    monitoring.add_recommendation(
        actor=manager,
        finding=finding,
        text="Use one session log at both sites and send us a month of it.",
        due_on=today + timedelta(days=30),
    )
    overdue = monitoring.add_recommendation(
        actor=manager,
        finding=finding,
        text="Name the person responsible for the session logs.",
        due_on=today,
    )
    # Due a week ago: the demo's work queue shows an overdue follow-up.
    overdue.due_on = today - timedelta(days=7)
    ngo = next((m.user for m in grant.organisation.memberships), None)
    if ngo is not None:
        first = finding.recommendations[0]
        monitoring.respond_to_recommendation(
            actor=ngo,
            recommendation=first,
            response="Both sites now use the shared log; April's pages are attached.",
        )
    monitoring.plan_activity(
        actor=manager,
        grant=grant,
        kind=ActivityKind.SPOT_CHECK,
        planned_on=today + timedelta(days=45),
        assignee="Audit firm",
    )
    db.session.flush()
    return 2
