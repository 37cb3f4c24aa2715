"""The demo shows monitoring: a visit with recommendations, one overdue on the work queue."""

from __future__ import annotations

import sqlalchemy as sa

from app.monitoring.models import MonitoringActivity, MonitoringRecommendation
from app.platform.extensions import db


def test_the_demo_has_a_visit_with_recommendations(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    activities = db.session.execute(sa.select(MonitoringActivity)).scalars().all()
    assert len(activities) == 2
    recommendations = db.session.execute(sa.select(MonitoringRecommendation)).scalars().all()
    assert sorted(r.status.value for r in recommendations) == ["open", "responded"]
    # Safe to run twice.
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert db.session.execute(sa.select(sa.func.count(MonitoringActivity.id))).scalar_one() == 2
