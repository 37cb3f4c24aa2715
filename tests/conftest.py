"""Test fixtures: one migrated database per run, each test inside a transaction rolled back.

SQLite by default; PostgreSQL when TEST_DATABASE_URL is set (``make test`` runs both).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession

from app import create_app
from app.accounts.models import User
from app.platform.extensions import db, limiter
from config.settings import normalise_database_url
from tests.mail import Mailbox, closed_port, smtp_mailbox

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# .ci/skips.py allows this skip on the SQLite run only: keep the two in step.
POSTGRES_ONLY = "needs PostgreSQL: set TEST_DATABASE_URL (make test runs this suite on it)"


def pytest_configure(config: pytest.Config) -> None:
    # In CI every skip is listed with its reason, whatever options the run was given.
    if IN_CI and not set(config.option.reportchars) & {"a", "A", "s"}:
        config.option.reportchars += "s"


def _test_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _recreate_postgres_database(url: str) -> None:
    """Create the test database if missing and empty it, so every run starts from nothing."""
    target = sa.make_url(url)
    server = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            ).scalar()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    except sa.exc.OperationalError as error:
        pytest.exit(f"PostgreSQL at {target.render_as_string()} is not reachable: {error}", 3)
    finally:
        server.dispose()
    engine = sa.create_engine(target, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


class _ConnectionBoundSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy's Session picks the engine; the test's must use the test connection."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        return self.bind


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own app context, as in production.

    Tests hold an app context open for database access; Flask would otherwise reuse it for
    requests, sharing ``g`` (and Flask-Login's cached user) between requests.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        token = _cv_app.set(None)  # type: ignore[arg-type]
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            # What the request committed is now visible; forget what the test had loaded.
            db.session.expire_all()


def _release_savepoints_rolled_back(dialect: Any) -> None:
    """Release a savepoint as soon as it is rolled back to, as SQLAlchemy assumes it is gone.

    Each request of a test runs in a savepoint of the test's transaction. ``ROLLBACK TO
    SAVEPOINT`` (a request that ends without committing: every page that only reads) keeps the
    savepoint open, so the next request's savepoint nests inside it: after 500 pages the
    transaction is 500 savepoints deep, and PostgreSQL walks that whole stack to decide whether
    each row written earlier in the test is its own. Reading 763 rows then took 13 ms instead
    of 1 ms, and pages timed late in a test looked as if they grew with the data (measured
    2026-12-07, tests/web/test_page_cost_growth.py). Production has no outer transaction.
    """
    rollback_to = dialect.do_rollback_to_savepoint

    def rollback_to_and_release(connection: Any, name: str) -> None:
        rollback_to(connection, name)
        dialect.do_release_savepoint(connection, name)

    dialect.do_rollback_to_savepoint = rollback_to_and_release


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = _test_database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        _recreate_postgres_database(url)
    application = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_STORAGE": str(tmp_path_factory.mktemp("uploads")),
        },
    )
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade()
        _release_savepoints_rolled_back(db.engine.dialect)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def dialect(app: Flask) -> str:
    with app.app_context():
        return db.engine.dialect.name


@pytest.fixture(autouse=True)
def _record_database(record_testsuite_property: Any, dialect: str) -> None:
    # .ci/run reads this from the JUnit report to prove the PostgreSQL run really happened.
    record_testsuite_property("database", dialect)


@pytest.fixture(autouse=True)
def _skip_postgres_only(request: pytest.FixtureRequest, dialect: str) -> None:
    if request.node.get_closest_marker("postgres") and dialect != "postgresql":
        pytest.skip(POSTGRES_ONLY)


@pytest.fixture(autouse=True)
def _limiter_kept() -> Iterator[None]:
    """The limiter is one object for every app: a test that builds another app (production
    settings, a second worker on Redis) binds it to that app's storage. Put the run's back."""
    saved = dict(vars(limiter))
    yield
    vars(limiter).clear()
    vars(limiter).update(saved)


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest, app: Flask) -> Iterator[None]:
    """Run the test in a transaction that is rolled back; requests commit to savepoints."""
    limiter.reset()
    if request.node.get_closest_marker("real_commits"):
        with app.app_context():
            yield
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": _ConnectionBoundSession,
            }
        )
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


def login(client: FlaskClient, user: User) -> None:
    """Sign ``user`` in without going through the form (the form has its own tests)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def sign_in(client: FlaskClient) -> Any:
    def _sign_in(user: User) -> FlaskClient:
        login(client, user)
        return client

    return _sign_in


@pytest.fixture
def mailbox(app: Flask) -> Iterator[Mailbox]:
    """A real SMTP server on a free localhost port; the app sends there for this test only."""
    with smtp_mailbox(app) as received:
        yield received


@pytest.fixture
def dead_mail_server(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """MAIL_SERVER points at a port where nothing listens, as when the relay is down."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", closed_port())
