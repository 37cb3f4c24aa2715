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
from app.ledger.chart import FIXED_ACCOUNTS
from app.platform.extensions import db

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


def _other_objects() -> list[str]:
    """What is left besides tables: triggers and indexes (SQLite), functions and sequences."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            query = (
                "SELECT type || ' ' || name FROM sqlite_master"
                " WHERE type <> 'table' AND tbl_name <> 'alembic_version'"
            )
        else:
            query = (
                "SELECT 'function ' || p.proname FROM pg_proc p"
                " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()"
                " UNION ALL SELECT 'sequence ' || sequence_name FROM information_schema.sequences"
                " WHERE sequence_schema = current_schema()"
            )
        return sorted(conn.execute(sa.text(query)).scalars())


def test_upgrade_downgrade_upgrade(scratch_app):
    with scratch_app.app_context():
        upgrade()
        assert {"users", "audit_events"} <= _tables()
        assert _other_objects()
        downgrade(revision="base")
        assert _tables() == set()
        assert _other_objects() == []
        upgrade()
        assert set(db.metadata.tables) <= _tables()


def test_the_fixed_chart_of_accounts_matches_the_code(scratch_app):
    with scratch_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT key, name, code, type, debits_must_not_exceed_credits,"
                    " credits_must_not_exceed_debits, currency FROM ledger_accounts"
                )
            ).all()
        currency = scratch_app.config["FUNCTIONAL_CURRENCY"]
    in_code = {
        (
            key,
            name,
            template.code,
            template.type.value,
            template.debits_must_not_exceed_credits,
            template.credits_must_not_exceed_debits,
            currency,
        )
        for key, (name, template) in FIXED_ACCOUNTS.items()
    }
    assert {tuple(row) for row in rows} == in_code


def test_models_and_migrations_agree(scratch_app):
    with scratch_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
    assert differences == []
