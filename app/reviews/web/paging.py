"""Pages of the selection overview's calls and of the Board's packs and meetings: the staff
lists' keyset rule (app/platform/listing.py: the rows after or before a cursor on (sort column,
id), never an OFFSET), in one fixed order, so each page costs the same whatever the number of
calls or meetings. No sort choices, CSV or saved views here: these are work overviews; the
fund manager's full list of calls is /calls/manage.

A page with two lists (the Board's) gives each its own cursor arguments (``prefix``), and a
link to another page of one list keeps where the other is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app, request, url_for

from app.accounts.permissions import Permission
from app.calls.web.listing import CALLS
from app.platform.errors import N_
from app.platform.listing import (
    CURSOR_ARGS,
    ListPage,
    ListSpec,
    Sort,
    page_of,
    parse_state,
)
from app.reviews.models import BoardMeeting


def _nothing(_filters: Any) -> sa.Select[Any]:
    raise NotImplementedError  # the caller gives the query; never registered as a list


# The Board's meetings, latest first: never registered (no CSV, no saved views).
MEETINGS = ListSpec(
    name="board_meetings",
    endpoint="reviews.board",
    permissions=(Permission.VIEW_BOARD_PACK,),
    sorts=(Sort("held_on", N_("Date"), lambda: BoardMeeting.held_on, True),),
    default_sort="held_on",
    filters=(),
    query=_nothing,
    id_column=lambda: BoardMeeting.id,
    csv_file="",
    csv_columns=(),
    csv_row=lambda _row: [],
)


@dataclass(frozen=True)
class Paged:
    """A page of one list on an overview, and the links to the pages around it."""

    page: ListPage
    endpoint: str
    prefix: str
    values: dict[str, Any]

    @property
    def paged(self) -> bool:
        """Whether there is more than this page (the shared pager, macros/pager.html, is shown)."""
        page = self.page
        return bool(page.previous_cursor or page.next_cursor or not page.is_first)

    def page_url(self, **cursor: str) -> str:
        """This list's page at ``cursor`` (none: its first page), the rest of the query kept."""
        args: dict[str, Any] = {
            key: value
            for key, value in request.args.items()
            if key not in {self.prefix + name for name in CURSOR_ARGS}
        }
        args.update({self.prefix + name: value for name, value in cursor.items()})
        return url_for(self.endpoint, **self.values, **args)


def paged(
    spec: ListSpec, query: sa.Select[Any], *, endpoint: str, prefix: str = "", **values: Any
) -> Paged:
    """The page of ``query`` the request's ``<prefix>after`` / ``<prefix>before`` ask for, in the
    spec's default order, ``PAGE_SIZE`` rows."""
    state = parse_state(spec, {})
    page = page_of(
        spec,
        state,
        query,
        per_page=current_app.config["PAGE_SIZE"],
        after=request.args.get(prefix + "after"),
        before=request.args.get(prefix + "before"),
    )
    return Paged(page, endpoint, prefix, values)


def calls_page(query: sa.Select[Any], *, endpoint: str, prefix: str = "") -> Paged:
    """A page of calls, latest deadline first (as the fund manager's list of calls)."""
    return paged(CALLS, query, endpoint=endpoint, prefix=prefix)


def meetings_page(query: sa.Select[Any], *, endpoint: str, prefix: str = "") -> Paged:
    """A page of the Board's meetings, latest first."""
    return paged(MEETINGS, query, endpoint=endpoint, prefix=prefix)
