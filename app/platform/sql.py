"""Small SQL helpers that differ between PostgreSQL and SQLite: dates and JSON arrays."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.platform.extensions import db


def dialect() -> str:
    return db.session.get_bind().dialect.name


def _utc(column: Any) -> Any:
    # PostgreSQL extracts in the session's time zone; reports count UTC days.
    if dialect() == "postgresql":
        return sa.func.timezone("UTC", column)
    return column


def year_of(column: Any) -> Any:
    """The UTC calendar year of a timestamp (or a date) as an integer expression."""
    return sa.cast(sa.extract("year", _utc(column)), sa.Integer)


def day_of(column: Any) -> Any:
    """The UTC calendar day of a timestamp, for ordering and grouping."""
    return sa.func.date(_utc(column))


def date_year(column: Any) -> Any:
    """The year of a DATE column."""
    return sa.cast(sa.extract("year", column), sa.Integer)


def month_of(column: Any) -> Any:
    """The UTC month (1-12) of a timestamp as an integer expression."""
    return sa.cast(sa.extract("month", _utc(column)), sa.Integer)


def json_elements(column: Any, name: str) -> tuple[Any, Any, Any]:
    """A table-valued expression with one row per element of a JSON array of strings.

    Returns ``(table, value, is_first)``: join ``table`` ON true after the table holding
    ``column``; ``value`` is the element as text, ``is_first`` true for the first element.
    """
    if dialect() == "postgresql":
        table = (
            sa.func.json_array_elements_text(column)
            .table_valued("value", with_ordinality="ordinality")
            .alias(name)
        )
        return table, table.c.value, table.c.ordinality == 1
    table = sa.func.json_each(column).table_valued("value", "key").alias(name)
    return table, table.c.value, table.c.key == 0


def json_length(column: Any) -> Any:
    return sa.func.coalesce(sa.func.json_array_length(column), 0)
