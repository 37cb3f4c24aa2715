"""Staff lists, one rule for all of them: which columns sort, which filters combine, how junk in
the query string is answered, keyset pages on (sort column, id), the count and the CSV rows.

Each list declares a ``ListSpec`` (its sortable columns as a whitelist, its filters with their
parsers, the filtered query, its CSV columns) and registers it by name; the web layer
(app/web/lists.py) reads the request through it, and saved views (app/lists) and the CSV job
find it by name. A sort key or filter value the list does not know is set aside with a message
saying so (the page answers 200 with the rest applied), never a 400 or a 500.

A page is the rows after (or before) the cursor's (sort value, id) in the sort's direction,
never an OFFSET, so each page costs the same whatever its depth when the sort column is indexed
(decision 0061, 0100). Nullable sort columns are declared as ``coalesce(column, '')``: a cursor
never holds NULL.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa

from app.platform.errors import N_
from app.platform.extensions import db

# Arguments that are about where a page is, not what the list is: never saved in a view.
CURSOR_ARGS = ("after", "before", "page")
MAX_TEXT = 200


@dataclass(frozen=True)
class Sort:
    """A column the list may be sorted by: its key in ``?sort=``, its header (msgid), the SQL
    expression (indexed, or the page stays bounded by LIMIT) and its first direction."""

    key: str
    label: str
    column: Callable[[], Any]
    descending_first: bool = False


@dataclass(frozen=True)
class Filter:
    """A filter in the query string: ``parse`` gives the value, or None for a value it refuses
    (the filter is then left out and ``refused`` said on the page)."""

    key: str
    parse: Callable[[str], Any | None]
    refused: str  # msgid, "%(value)s" is the refused text


@dataclass(frozen=True)
class ListSpec:
    name: str
    endpoint: str
    permissions: tuple[Any, ...]  # the Permission values that may see the list
    sorts: tuple[Sort, ...]
    default_sort: str
    filters: tuple[Filter, ...]
    # The filtered rows, unordered: (filters) -> select of the listed entity.
    query: Callable[[Mapping[str, Any]], sa.Select[Any]]
    id_column: Callable[[], Any]
    csv_file: str
    csv_columns: tuple[str, ...]
    csv_row: Callable[[Any], list[Any]]
    # When the header depends on settings (a currency's code), read when the file is written.
    csv_header: Callable[[], tuple[str, ...]] | None = None
    # How many rows match (filters) -> int, read some cheaper way than counting them; None from
    # it, or no function, and the rows are counted.
    count: Callable[[Mapping[str, Any]], int | None] | None = None

    def header(self) -> tuple[str, ...]:
        return self.csv_header() if self.csv_header is not None else self.csv_columns

    def sort(self, key: str) -> Sort | None:
        return next((s for s in self.sorts if s.key == key), None)


@dataclass(frozen=True)
class ListState:
    """What the reader asked for, as understood: sort, direction, filters, and what was refused."""

    sort: Sort
    descending: bool
    filters: dict[str, Any]
    raw_filters: dict[str, str]
    problems: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query string of this state (no cursor), with ``changes``; for links and views."""
        values: dict[str, Any] = dict(self.raw_filters)
        values["sort"] = self.sort.key
        values["dir"] = "desc" if self.descending else "asc"
        values.update({k: str(v) for k, v in changes.items() if v is not None})
        return values

    def query_string(self) -> str:
        return urlencode(sorted(self.args().items()))


_SPECS: dict[str, ListSpec] = {}


def contains_pattern(text: str) -> str:
    """A LIKE pattern for ``text`` anywhere, its own % and _ taken literally (escape "\\")."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def register_list(spec: ListSpec) -> ListSpec:
    _SPECS[spec.name] = spec
    return spec


def spec_named(name: str) -> ListSpec | None:
    return _SPECS.get(name)


def all_specs() -> list[ListSpec]:
    return list(_SPECS.values())


def parse_state(spec: ListSpec, args: Mapping[str, str]) -> ListState:
    """The list's state from a query string; anything it does not know is set aside, said."""
    problems: list[tuple[str, dict[str, str]]] = []
    raw_sort = str(args.get("sort", "") or "")
    sort = spec.sort(raw_sort)
    if sort is None:
        if raw_sort:
            problems.append(
                (
                    N_("This list cannot be sorted by “%(value)s”; it is sorted as usual."),
                    {"value": raw_sort[:40]},
                )
            )
        sort = spec.sort(spec.default_sort)
        assert sort is not None
    raw_dir = str(args.get("dir", "") or "")
    if raw_dir in ("asc", "desc"):
        descending = raw_dir == "desc"
    else:
        if raw_dir:
            problems.append(
                (N_("“%(value)s” is not a direction; use asc or desc."), {"value": raw_dir[:40]})
            )
        descending = sort.descending_first
    filters: dict[str, Any] = {}
    raw_filters: dict[str, str] = {}
    for wanted in spec.filters:
        text = str(args.get(wanted.key, "") or "").strip()[:MAX_TEXT]
        if not text:
            continue
        value = wanted.parse(text)
        if value is None:
            problems.append((wanted.refused, {"value": text[:40]}))
            continue
        filters[wanted.key] = value
        raw_filters[wanted.key] = text
    return ListState(sort, descending, filters, raw_filters, problems)


# --- cursors ---------------------------------------------------------------------------------


def encode_cursor(value: Any, row_id: int) -> str:
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, datetime):
        packed = ["t", value.isoformat(), row_id]
    elif isinstance(value, date):
        packed = ["d", value.isoformat(), row_id]
    elif isinstance(value, int):
        packed = ["i", value, row_id]
    else:
        packed = ["s", str(value), row_id]
    text = json.dumps(packed, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


_BIGGEST = 2**63 - 1  # a cursor's numbers must fit the database's BIGINT


def _fits(number: Any) -> bool:
    return (
        isinstance(number, int) and not isinstance(number, bool) and -_BIGGEST <= number <= _BIGGEST
    )


def decode_cursor(cursor: str | None, expected: type | None = None) -> tuple[Any, int] | None:
    """The (sort value, id) of a cursor; None for a missing or malformed one (first page), and
    for one whose value is not of the ``expected`` kind (a cursor made by hand for another
    sort), so the database is never asked to compare text with a number."""
    if not cursor or len(cursor) > 1000:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        tag, value, row_id = json.loads(text)
        if not _fits(row_id):
            return None
        decoded: Any = None
        if tag == "t" and isinstance(value, str):
            decoded = datetime.fromisoformat(value)
            if decoded.tzinfo is None:
                return None
        elif tag == "d" and isinstance(value, str):
            decoded = date.fromisoformat(value)
        elif (tag == "i" and _fits(value)) or (
            tag == "s" and isinstance(value, str) and "\x00" not in value
        ):
            decoded = value
        else:
            return None
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, OverflowError):
        return None
    if expected is not None and not isinstance(decoded, expected):
        return None
    if isinstance(decoded, datetime) and expected is date:
        return None
    return decoded, row_id


def _kind_of(column: Any) -> type | None:
    """What Python type a sort column's values have, to check cursors against; None when the
    type does not say (any decodable cursor is then tried)."""
    kind: type | None = None
    for type_ in (column.type, getattr(column.type, "impl", None)):
        try:
            found = getattr(type_, "python_type", object)
        except NotImplementedError:
            continue
        if found is not object:  # a TypeDecorator says object: its impl knows
            kind = found
            break
    if kind is None:
        return None
    if issubclass(kind, str):
        return str
    if issubclass(kind, datetime):
        return datetime
    if issubclass(kind, date):
        return date
    if issubclass(kind, int):
        return int
    return None


@dataclass(frozen=True)
class ListPage:
    items: list[Any]
    next_cursor: str | None
    previous_cursor: str | None
    is_first: bool


def page_of(
    spec: ListSpec,
    state: ListState,
    query: sa.Select[Any],
    *,
    per_page: int,
    after: str | None = None,
    before: str | None = None,
) -> ListPage:
    """A page of ``query`` (the spec's filtered select, with any load options) in the state's
    sort, keyset on (sort column, id): the rows after ``after``, or those just before
    ``before`` (going back), shown in the sort's order."""
    column, row_id = state.sort.column(), spec.id_column()
    key = sa.tuple_(column, row_id)
    kind = _kind_of(column)
    going_back = decode_cursor(before, kind) if not after else None
    going_on = decode_cursor(after, kind)

    def at(cursor: tuple[Any, int]) -> Any:
        value = cursor[0]
        bound = sa.literal(value, column.type) if isinstance(value, datetime) else sa.literal(value)
        return sa.tuple_(bound, sa.literal(cursor[1]))

    def ordered(descending: bool) -> tuple[Any, Any]:
        if descending:
            return column.desc(), row_id.desc()
        return column.asc(), row_id.asc()

    listed = query.add_columns(column.label("_sort_value"), row_id.label("_row_id"))
    if going_back is not None:
        # The rows just before the cursor in the sort's order, read the other way, then turned.
        beyond = key > at(going_back) if state.descending else key < at(going_back)
        rows = list(
            db.session.execute(
                listed.where(beyond).order_by(*ordered(not state.descending)).limit(per_page + 1)
            ).unique()
        )
        more_before = len(rows) > per_page
        rows = list(reversed(rows[:per_page]))
        return _page(rows, newer=more_before, older=True)
    if going_on is not None:
        listed = listed.where(key < at(going_on) if state.descending else key > at(going_on))
    rows = list(
        db.session.execute(listed.order_by(*ordered(state.descending)).limit(per_page + 1)).unique()
    )
    more = len(rows) > per_page
    return _page(rows[:per_page], newer=going_on is not None, older=more)


def _page(rows: list[Any], *, newer: bool, older: bool) -> ListPage:
    if not rows:
        return ListPage([], None, None, is_first=not newer)
    return ListPage(
        items=[row[0] for row in rows],
        next_cursor=encode_cursor(rows[-1][1], rows[-1][2]) if older else None,
        previous_cursor=encode_cursor(rows[0][1], rows[0][2]) if newer else None,
        is_first=not newer,
    )


def count_of(spec: ListSpec, state: ListState) -> int:
    """How many rows match the filters (one statement)."""
    if spec.count is not None and (known := spec.count(state.filters)) is not None:
        return known
    inner = spec.query(state.filters).order_by(None).with_only_columns(spec.id_column())
    return int(
        db.session.execute(sa.select(sa.func.count()).select_from(inner.subquery())).scalar_one()
    )


def all_rows(spec: ListSpec, state: ListState, *, batch: int = 500) -> Iterator[Any]:
    """Every row of the list in its sort, page after page (keyset), for the CSV."""
    cursor: str | None = None
    while True:
        page = page_of(spec, state, spec.query(state.filters), per_page=batch, after=cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def state_from_query_string(spec: ListSpec, query_string: str) -> ListState:
    """The state a saved view or a CSV job holds (its query string, in the list's normal form)."""
    return parse_state(spec, dict(parse_qsl(query_string, keep_blank_values=False)))
