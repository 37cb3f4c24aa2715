"""The two-stage calls migration (decision 0115) comes down and goes up again: the concept notes'
table, the call's concept deadline and its CHECK, and the notification kind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.platform.extensions import db
from tests.migrations.test_migrations import scratch_app  # noqa: F401 - the fixture

pytestmark = pytest.mark.real_commits

REVISION = "455c82350a13"
_SOURCE = next(Path(__file__).parents[2].glob(f"migrations/versions/*_{REVISION}_*.py"))
PREVIOUS = re.search(r'^down_revision = "(\w+)"', _SOURCE.read_text(), re.M).group(1)


def _shape() -> tuple[bool, bool]:
    inspector = sa.inspect(db.engine)
    columns = {c["name"] for c in inspector.get_columns("calls")}
    return "concept_notes" in inspector.get_table_names(), "concept_closes_at" in columns


def test_two_stage_calls_migrate_down_and_up(scratch_app):  # noqa: F811
    with scratch_app.app_context():
        upgrade(revision=REVISION)
        assert _shape() == (True, True)
        downgrade(revision=PREVIOUS)
        assert _shape() == (False, False)
        upgrade(revision=REVISION)
        assert _shape() == (True, True)
        db.engine.dispose()
