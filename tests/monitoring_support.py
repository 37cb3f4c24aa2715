"""Helpers for the monitoring tests: a grant with a done visit, a finding and a recommendation;
another approved application of the same organisation."""

from __future__ import annotations

from datetime import timedelta

from app.accounts.models import Organisation, User
from app.applications.models import Application
from app.grants.models import Grant
from app.monitoring import services as monitoring
from app.monitoring.models import (
    ActivityKind,
    FindingSeverity,
    MonitoringActivity,
    MonitoringRecommendation,
)
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.grants_support import approved_application, manager


def done_visit(
    grant: Grant,
    fm: User | None = None,
    *,
    kind: ActivityKind = ActivityKind.VISIT,
    staff_notes: str = "Staff-only: the director seemed evasive.",
) -> MonitoringActivity:
    fm = fm or manager()
    today = utcnow().date()
    activity = monitoring.plan_activity(
        actor=fm, grant=grant, kind=kind, planned_on=today, assignee="Ann Field"
    )
    return monitoring.record_activity(
        actor=fm,
        activity=activity,
        done_on=today,
        summary="Visit of the shelter; files checked.",
        staff_notes=staff_notes,
    )


def recommendation_on(
    grant: Grant,
    fm: User | None = None,
    *,
    severity: FindingSeverity = FindingSeverity.HIGH,
    kind: ActivityKind = ActivityKind.SPOT_CHECK,
    text: str = "Keep receipts for every cash payment.",
    due_in_days: int = 30,
) -> MonitoringRecommendation:
    fm = fm or manager()
    activity = done_visit(grant, fm, kind=kind)
    finding = monitoring.add_finding(
        actor=fm,
        activity=activity,
        severity=severity,
        description="Cash payments without receipts.",
    )
    return monitoring.add_recommendation(
        actor=fm,
        finding=finding,
        text=text,
        due_on=utcnow().date() + timedelta(days=due_in_days),
    )


def application_of(organisation: Organisation) -> Application:
    """A new Board-approved application, by ``organisation``."""
    application = approved_application()
    application.organisation = organisation
    application.organisation_id = organisation.id
    db.session.flush()
    return application
