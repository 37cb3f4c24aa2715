"""Keyset pages of a list kept in its own order: several sort keys, each in its own direction.

The staff lists (app/platform/listing.py) sort by one column the reader picks, then the id. The
lists a page shows in a fixed order of its own (an NGO's grants, those with a report overdue
first, then by stage, the newest first; finance's queue, oldest first) page the same way, never
by OFFSET: the rows after (or before) the cursor's values in that order, so each page costs the
same whatever its depth. The last key must be unique (the id); no key may be NULL (coalesce).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from app.platform.extensions import db
from app.platform.listing import ListPage

_BIGGEST = 2**63 - 1  # a cursor's numbers must fit the database's BIGINT


@dataclass(frozen=True)
class Key:
    """One key of the order: its SQL expression (never NULL), the Python type of its values
    (int, str, date or datetime: a cursor of another kind is refused) and its direction."""

    column: Callable[[], Any]
    kind: type
    descending: bool = False


def _packed(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return ["i", int(value)]
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    if isinstance(value, int):
        return ["i", value]
    return ["s", str(value)]


def encode(values: Sequence[Any]) -> str:
    text = json.dumps([_packed(v) for v in values], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _unpacked(packed: Any, kind: type) -> Any:
    """A cursor's value when it is of the key's kind, else None."""
    if not isinstance(packed, list) or len(packed) != 2:
        return None
    tag, value = packed
    if tag == "t" and kind is datetime and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo is not None else None
    if tag == "d" and kind is date and isinstance(value, str):
        return date.fromisoformat(value)
    if tag == "i" and kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value if -_BIGGEST <= value <= _BIGGEST else None
    if tag == "s" and kind is str and isinstance(value, str) and "\x00" not in value:
        return value
    return None


def decode(cursor: str | None, keys: Sequence[Key]) -> list[Any] | None:
    """The values of a cursor, one per key; None for a missing, malformed or foreign one (the
    first page), so the database is never asked to compare text with a number."""
    if not cursor or len(cursor) > 2000:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        packed = json.loads(text)
        if not isinstance(packed, list) or len(packed) != len(keys):
            return None
        values = [_unpacked(p, key.kind) for p, key in zip(packed, keys, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, OverflowError):
        return None
    return None if any(v is None for v in values) else values


def _beyond(
    columns: Sequence[Any], keys: Sequence[Key], values: Sequence[Any], forward: bool
) -> Any:
    """Rows after the cursor in the order (``forward``), or before it: for each key, the
    earlier keys equal and this one further on."""

    def bound(column: Any, value: Any) -> Any:
        return sa.literal(value, column.type) if isinstance(value, datetime) else sa.literal(value)

    clauses = []
    for index, (column, key, value) in enumerate(zip(columns, keys, values, strict=True)):
        further = column > bound(column, value)
        if key.descending == forward:
            further = column < bound(column, value)
        same = [c == bound(c, v) for c, v in zip(columns[:index], values[:index], strict=True)]
        clauses.append(sa.and_(*same, further))
    return sa.or_(*clauses)


def keyset_page(
    query: sa.Select[Any],
    keys: Sequence[Key],
    *,
    per_page: int,
    after: str | None = None,
    before: str | None = None,
) -> ListPage:
    """A page of ``query`` (a select of one entity, with its load options) in the order of
    ``keys``: the rows after ``after``, or those just before ``before`` (going back)."""
    columns = [key.column() for key in keys]
    listed = query.order_by(None).add_columns(
        *(column.label(f"_key{index}") for index, column in enumerate(columns))
    )

    def ordered(forward: bool) -> list[Any]:
        return [
            column.desc() if key.descending == forward else column.asc()
            for column, key in zip(columns, keys, strict=True)
        ]

    going_on = decode(after, keys)
    going_back = decode(before, keys) if going_on is None and not after else None
    if going_back is not None:
        rows = list(
            db.session.execute(
                listed.where(_beyond(columns, keys, going_back, forward=False))
                .order_by(*ordered(False))
                .limit(per_page + 1)
            ).unique()
        )
        more_before = len(rows) > per_page
        return _page(list(reversed(rows[:per_page])), newer=more_before, older=True)
    if going_on is not None:
        listed = listed.where(_beyond(columns, keys, going_on, forward=True))
    rows = list(db.session.execute(listed.order_by(*ordered(True)).limit(per_page + 1)).unique())
    return _page(rows[:per_page], newer=going_on is not None, older=len(rows) > per_page)


def _page(rows: list[Any], *, newer: bool, older: bool) -> ListPage:
    if not rows:
        return ListPage([], None, None, is_first=not newer)
    return ListPage(
        items=[row[0] for row in rows],
        next_cursor=encode(list(rows[-1][1:])) if older else None,
        previous_cursor=encode(list(rows[0][1:])) if newer else None,
        is_first=not newer,
    )
