"""The call questions migration: its tables come up, go down, and come up again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app.platform.extensions import db
from tests.migrations.test_migrations import scratch_app  # noqa: F401 - a fixture

pytestmark = pytest.mark.real_commits

REVISION = "b5d1e7a3c902"
TABLES = {"call_questions", "question_answers"}


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_the_questions_tables_come_up_and_go_down(scratch_app):  # noqa: F811
    with scratch_app.app_context():
        script = ScriptDirectory.from_config(scratch_app.extensions["migrate"].migrate.get_config())
        below = script.get_revision(REVISION).down_revision
        upgrade(revision=REVISION)
        assert _tables() >= TABLES
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("question_answers")}
        assert {"text", "choice", "number", "storage_key"} <= columns
        downgrade(revision=below)
        assert not TABLES & _tables()
        upgrade(revision=REVISION)
        assert _tables() >= TABLES
