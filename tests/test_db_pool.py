"""Pooled connections: pinged before use only after sitting idle, replaced when dead."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.platform.db import ping_connections_after_idle
from app.platform.extensions import db


@pytest.fixture
def make_engine(app: Flask) -> Iterator[Any]:
    """A separate engine on the test database, with the idle ping at a chosen threshold."""
    engines: list[sa.Engine] = []

    def make(idle_seconds: float) -> tuple[sa.Engine, list[Any]]:
        with app.app_context():
            url = db.engine.url
        engine = sa.create_engine(url)
        pings: list[Any] = []
        real_ping = engine.dialect.do_ping

        def counted_ping(dbapi_connection: Any) -> bool:
            pings.append(dbapi_connection)
            return real_ping(dbapi_connection)

        engine.dialect.do_ping = counted_ping  # type: ignore[method-assign]
        ping_connections_after_idle(engine, idle_seconds=idle_seconds)
        engines.append(engine)
        return engine, pings

    yield make
    for engine in engines:
        engine.dispose()


def test_a_connection_used_a_moment_ago_is_not_pinged(make_engine: Any) -> None:
    engine, pings = make_engine(60)
    for _ in range(3):
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT 1")).scalar() == 1
    assert pings == []


def test_a_connection_that_sat_idle_is_pinged_before_use(make_engine: Any) -> None:
    engine, pings = make_engine(0)
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    assert pings == [], "a connection just made needs no ping"
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT 1")).scalar() == 1
    assert len(pings) == 1


@pytest.mark.postgres
def test_a_connection_closed_by_the_server_while_idle_is_replaced(make_engine: Any) -> None:
    engine, pings = make_engine(0)
    with engine.connect() as connection:
        first_pid = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    # As a database restart or an idle timeout would: the server ends the pooled connection.
    killer = sa.create_engine(engine.url)
    with killer.connect() as other:
        other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid})
    killer.dispose()
    with engine.connect() as connection:
        pid = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    assert pid != first_pid
    assert pings, "the dead connection was found by the ping, not by the query"


@pytest.mark.postgres
def test_postgresql_connections_never_jit_compile_even_after_a_rollback(app: Flask) -> None:
    # Compiling took 340 ms of a 57 ms query on the public figures (decision 0127).
    with app.app_context():
        engine = sa.create_engine(db.engine.url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SHOW jit")).scalar() == "off"
            conn.rollback()
            assert conn.execute(sa.text("SHOW jit")).scalar() == "off"
        with engine.begin() as conn:  # the same connection, back from the pool
            assert conn.execute(sa.text("SHOW jit")).scalar() == "off"
    finally:
        engine.dispose()
