"""The demo (`make run`) shows a grant with a results framework and actuals, and the public
page's standard indicators with a small total hidden."""

from __future__ import annotations

import sqlalchemy as sa

from app.grants.models import Grant
from app.reporting.results import public_standard_totals
from app.results import services as results


def test_the_demo_has_grants_with_frameworks_and_actuals(runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    grant = sa.select(Grant).where(Grant.title == "Psychosocial care in Chiapas")
    from app.platform.extensions import db

    chiapas = db.session.scalar(grant)
    assert chiapas is not None
    progress = results.grant_progress(chiapas)
    assert len(progress.rows) == 3
    assert any(row.achieved for row in progress.rows)
    totals = {t.code: t.total for t in public_standard_totals()}
    assert totals.get("CH-ASSISTED", "missing") is None  # 3 children: "<5"
    assert (totals.get("FW-TRAINED") or 0) >= 5
    assert runner.invoke(args=["demo"]).exit_code == 0  # twice: nothing added
    assert len(results.framework_indicators(chiapas.application)) == 3
