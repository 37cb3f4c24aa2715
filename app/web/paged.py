"""A list a page shows in its own order, a page of it at a time (app/platform/keyset.py): where
its cursor is in the query string, and the links of its pager (templates/macros/pager.html).

A page showing several such lists (finance's queue, one per state) names each one: its cursor
arguments are then ``<name>_after`` and ``<name>_before``, so moving in one list keeps the place
reached in the others and every other argument of the page (its filters)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import current_app, request

from app.platform.keyset import Key, keyset_page
from app.platform.listing import ListPage

CURSORS = ("after", "before")


@dataclass(frozen=True)
class PagedList:
    page: ListPage
    name: str = ""  # "" for the page's own list: ?after= and ?before=

    def argument(self, which: str) -> str:
        return f"{self.name}_{which}" if self.name else which

    @property
    def items(self) -> list[Any]:
        return self.page.items

    @property
    def paged(self) -> bool:
        """Whether there is more than this page (the pager is shown)."""
        page = self.page
        return bool(page.previous_cursor or page.next_cursor or not page.is_first)

    def page_url(self, **cursor: str) -> str:
        """This page's address with this list moved to ``cursor`` (after= or before=; none:
        its first page), everything else in the query string kept."""
        own = {self.argument(which) for which in CURSORS}
        args = [(k, v) for k, v in request.args.items(multi=True) if k not in own]
        args += [(self.argument(which), value) for which, value in cursor.items() if value]
        # The path as requested and the arguments as given, encoded again: nothing in the
        # query string can change where the link goes (no url_for(_external=...) from it).
        base = request.script_root + request.path
        return f"{base}?{urlencode(args)}" if args else base


def paged_list(query: sa.Select[Any], keys: Sequence[Key], *, name: str = "") -> PagedList:
    """The page of ``query`` in the order of ``keys`` the request asks for (PAGE_SIZE rows)."""
    empty = PagedList(ListPage([], None, None, is_first=True), name)
    page = keyset_page(
        query,
        keys,
        per_page=current_app.config["PAGE_SIZE"],
        after=request.args.get(empty.argument("after")),
        before=request.args.get(empty.argument("before")),
    )
    return PagedList(page, name)
