"""Counting the SQL a piece of work sends: for tests of query counts and of caches."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from app.platform.extensions import db


@contextmanager
def counting() -> Iterator[list[str]]:
    """The statements sent through SQLAlchemy while the block runs (in the app context)."""
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
