"""Keyset pagination: pages that cost the same at row 100,000 as at row 1 (decision 0061).

A page is asked for by the sort key of the row it continues from (``?after=`` going forward,
``?before=`` going back), never by an OFFSET the database would have to count through, and
no total is counted. The query must be ordered by the key, newest first, and an index on the
key's columns (after any equality filter) makes each page an index range scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import request

from app.platform.extensions import db

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class KeysetPage:
    items: list[Any]
    # Cursors for the links: pass ``after=newer_than...`` to go on, ``before=`` to go back.
    next_cursor: str | None
    previous_cursor: str | None
    is_first: bool


def encode(moment: datetime, row_id: int) -> str:
    micros = (moment - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{row_id}"


def decode(cursor: str | None) -> tuple[datetime, int] | None:
    """The (moment, id) of a cursor; None for a missing or malformed one (first page)."""
    if not cursor:
        return None
    micros, _, row_id = cursor.partition(".")
    try:
        moment = _EPOCH + timedelta(microseconds=int(micros))
        return moment, int(row_id)
    except (ValueError, OverflowError):
        return None


def newest_first_page(
    query: sa.Select[Any], *, moment: Any, row_id: Any, per_page: int
) -> KeysetPage:
    """A page of ``query`` (not yet ordered) sorted by (moment, id) descending.

    Reads ``after`` / ``before`` from the request's arguments.
    """
    after = decode(request.args.get("after"))
    before = None if after else decode(request.args.get("before"))
    key = sa.tuple_(moment, row_id)

    def at(cursor: tuple[datetime, int]) -> Any:
        # Bound with the column's own type, so SQLite compares its stored text form.
        return sa.tuple_(sa.literal(cursor[0], moment.type), sa.literal(cursor[1], row_id.type))

    def cursor_of(row: Any) -> str:
        return encode(getattr(row, moment.key), getattr(row, row_id.key))

    if before is not None:
        # Going back: the rows just newer than the cursor, read upwards, shown newest first.
        rows = list(
            db.session.execute(
                query.where(key > at(before))
                .order_by(moment.asc(), row_id.asc())
                .limit(per_page + 1)
            )
            .unique()
            .scalars()
        )
        more_newer = len(rows) > per_page
        rows = list(reversed(rows[:per_page]))
        return _page(rows, cursor_of, newer=more_newer, older=True)
    if after is not None:
        query = query.where(key < at(after))
    rows = list(
        db.session.execute(query.order_by(moment.desc(), row_id.desc()).limit(per_page + 1))
        .unique()
        .scalars()
    )
    more_older = len(rows) > per_page
    return _page(rows[:per_page], cursor_of, newer=after is not None, older=more_older)


def _page(rows: list[Any], cursor_of: Any, *, newer: bool, older: bool) -> KeysetPage:
    if not rows:
        return KeysetPage([], None, None, is_first=not newer)
    return KeysetPage(
        items=rows,
        next_cursor=cursor_of(rows[-1]) if older else None,
        previous_cursor=cursor_of(rows[0]) if newer else None,
        is_first=not newer,
    )
