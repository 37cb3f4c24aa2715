"""The results frameworks' migration: it seeds the fund's standard indicators, and its
downgrade takes its tables away and leaves the revision before it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.platform.extensions import db
from tests.migrations.test_migrations import scratch_app  # noqa: F401 - the fixture

pytestmark = pytest.mark.real_commits

REVISION = "b2e7c4d91f06"
TABLES = {
    "results_standard_indicators",
    "results_outcomes",
    "results_outputs",
    "results_indicators",
    "results_targets",
    "results_actuals",
}


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_results_tables_come_with_a_seeded_list_and_go_with_the_downgrade(scratch_app):  # noqa: F811
    with scratch_app.app_context():
        upgrade(revision=REVISION)
        assert _tables() >= TABLES
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT code, unit, sdg_target FROM results_standard_indicators")
            ).all()
        seeded = {code: (unit, sdg) for code, unit, sdg in rows}
        assert seeded["VA-SHELTER"] == ("people", "5.2")
        assert seeded["CASES-REFERRED"] == ("number", "16.2")
        assert {sdg for _unit, sdg in seeded.values()} == {"5.2", "8.7", "16.2"}
        downgrade(revision=f"{REVISION}-1")
        assert not TABLES & _tables()
        assert "grant_reports" in _tables()
        upgrade(revision=REVISION)
        assert _tables() >= TABLES
        db.engine.dispose()
