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


def test_gifts_already_stored_are_named_after_their_donor(scratch_app):
    # Before e5b9f00017 a gift kept no name of its own: its receipt named the donor record.
    with scratch_app.app_context():
        upgrade(revision="d4a8e00016")
        now = sa.func.now()
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO donors (id, kind, name, public_recognition, created_at,"
                    " updated_at) VALUES (1, 'individual', 'Camille Durand', false, :now, :now)"
                ),
                {"now": conn.execute(sa.select(now)).scalar_one()},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO gift_subscriptions (id, donor_id, amount, currency, status,"
                    " public_recognition, public_token, created_at, updated_at)"
                    " SELECT 1, 1, 1000, 'USD', 'active', false, 's1', created_at, created_at"
                    " FROM donors"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO gifts (id, donor_id, subscription_id, kind, status, amount,"
                    " currency, fee_amount, public_recognition, public_token, created_at,"
                    " updated_at) SELECT 1, 1, 1, 'monthly', 'succeeded', 1000, 'USD', 0, false,"
                    " 'g1', created_at, created_at FROM donors"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            for table in ("gifts", "gift_subscriptions"):
                named = conn.execute(sa.text(f"SELECT donor_name FROM {table}")).scalars().all()
                assert named == ["Camille Durand"]
        downgrade(revision="d4a8e00016")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("gifts")}
        assert "donor_name" not in columns
        db.engine.dispose()
