"""Migrations build the schema from nothing, come down to nothing, and agree with the models."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db

pytestmark = pytest.mark.real_commits


@pytest.fixture
def scratch_app(app: Flask, dialect: str, tmp_path) -> Iterator[Flask]:
    """An app on an empty database of the same kind as the test run's."""
    if dialect == "postgresql":
        base = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        name = f"{base.database}_mig_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'migrations.db'}"
    scratch = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})
    try:
        yield scratch
    finally:
        with scratch.app_context():
            db.engine.dispose()
        if dialect == "postgresql":
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(scratch_app):
    with scratch_app.app_context():
        upgrade()
        assert {"users", "audit_events"} <= _tables()
        downgrade(revision="base")
        assert _tables() == set()
        upgrade()
        assert set(db.metadata.tables) <= _tables()


def test_models_and_migrations_agree(scratch_app):
    with scratch_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
    assert differences == []
