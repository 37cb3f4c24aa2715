"""Declarative base with a naming convention, mixins, and money/time column helpers."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic migrations can drop and alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Model(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC datetime is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Money(sa.BigInteger):
    """Integer minor units (cents, yen...). Money never lives in a float."""


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Real transactions and foreign keys on SQLite.

    pysqlite's legacy transaction handling defers BEGIN and breaks SAVEPOINT; we take control
    (SQLAlchemy's documented recipe) so SQLite behaves like PostgreSQL in tests and dev.
    """
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


# A pooled connection returned longer ago than this is checked before it is used again.
PING_AFTER_IDLE_SECONDS = 1.0


def ping_connections_after_idle(
    engine: Engine, idle_seconds: float = PING_AFTER_IDLE_SECONDS
) -> None:
    """Check that a pooled connection is alive before use, if it sat idle in the pool.

    In place of ``pool_pre_ping``, which pings on every checkout: a network round trip for
    every request and every ledger posting. A connection returned less than ``idle_seconds``
    ago was alive then; one idle for longer may have been closed by a database restart, a
    failover or an idle timeout, so it is pinged, and replaced by the pool if it is dead. (A
    restart inside that window fails the requests that meet it, as it fails those in flight.)
    The listeners belong to the pool and survive ``engine.dispose()``.
    """

    @event.listens_for(engine.pool, "checkin")
    def _note_idle_since(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        idle_since = record.info.get("idle_since")  # absent on a connection just made
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards this connection and checks out a fresh one.
            raise sa.exc.DisconnectionError(str(error)) from error


@event.listens_for(Engine, "connect")
def _psycopg_without_automatic_preparation(dbapi_connection: Any, connection_record: Any) -> None:
    """No statements prepared behind our back by psycopg.

    psycopg prepares a query on the server once it has run a few times, and
    answers every ROLLBACK of a connection holding such statements with ``DEALLOCATE ALL``:
    an extra round trip, and it would drop the ledger's own prepared posting statement
    (app/ledger/services/posting_statement.py), which must last as long as the connection.
    """
    if type(dbapi_connection).__module__.startswith("psycopg"):
        dbapi_connection.prepare_threshold = None


@event.listens_for(Engine, "connect")
def _postgresql_without_jit(dbapi_connection: Any, connection_record: Any) -> None:
    """No JIT compilation of queries on PostgreSQL (decision 0127).

    The planner compiles a query whose estimated cost passes ``jit_above_cost`` (100,000), and
    our figures cross it on estimates alone: a set-returning function over a JSON array is
    assumed to give 100 rows, so the grants' countries by their themes were costed at 533,000
    for 5,000 grants. Compiling took 340 ms of a query that runs in 57 ms without it; at the
    large scale /transparency went from 659 to 354 ms, its JSON from 894 to 396 ms and the
    dashboard from 734 to 576 ms once it was off (figures made on every view). No query here
    runs long enough to repay compiling. Set in autocommit, so no transaction rolls it back.
    """
    if not type(dbapi_connection).__module__.startswith("psycopg"):
        return
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.autocommit = autocommit


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Any) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")


def str_enum(enum_cls: type[StrEnum], name: str) -> sa.Enum:
    """A status/kind column: VARCHAR plus CHECK, so adding a value is a small portable migration."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


# The last entry of the ``__table_args__`` of a table whose rows are never updated or deleted
# (history is corrected by new rows). The migrations give each such table triggers that refuse
# UPDATE and DELETE; the flag lets the migration tests find every table that needs them.
APPEND_ONLY: dict[str, Any] = {"info": {"append_only": True}}


def lock_rows(*records: Model) -> None:
    """Lock the records' rows until commit, in the order given, then re-read everything.

    PostgreSQL: ``SELECT ... FOR NO KEY UPDATE`` (foreign keys from new rows still pass).
    SQLite: a write takes the database's single write lock. Afterwards the session forgets
    what it had loaded, so the caller decides on what the winner of any race committed.
    """
    from app.platform.extensions import db  # the extension is built on this module's Model

    db.session.flush()
    postgres = db.session.get_bind().dialect.name == "postgresql"
    for record in records:
        table = cast(sa.Table, type(record).__table__)
        ident = record.id  # type: ignore[attr-defined]
        if postgres:
            db.session.execute(
                sa.select(table.c.id).where(table.c.id == ident).with_for_update(key_share=True)
            )
        else:
            db.session.execute(sa.update(table).where(table.c.id == ident).values(id=table.c.id))
    db.session.expire_all()
