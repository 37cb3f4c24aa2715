"""Form helpers shared by every blueprint."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from flask import request
from flask_sqlalchemy.pagination import Pagination
from wtforms import DecimalField


def is_safe_redirect(target: str | None) -> bool:
    """Only same-site paths: an open redirect after login is a phishing tool."""
    if not target:
        return False
    # Browsers read "\" as "/" and drop tabs and newlines, turning "/\evil" into "//evil".
    if "\\" in target or any(ord(char) < 32 for char in target):
        return False
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return parts.netloc == request.host and parts.scheme in {"http", "https"}
    return target.startswith("/") and not target.startswith("//")


# The largest value of an ``integer`` column (ids, years): a bigger number in an address could
# only be junk, and the database would refuse it with an error instead of finding nothing.
INTEGER_MAX = 2**31 - 1


def whole_number(value: str, *, maximum: int = INTEGER_MAX) -> int | None:
    """``value`` as a whole number from 0 to ``maximum`` (an id, a year, a cursor), else None."""
    if not value.isascii() or not value.isdigit() or len(value) > len(str(maximum)):
        return None
    number = int(value)
    return number if number <= maximum else None


def whole_number_arg(name: str, *, maximum: int = INTEGER_MAX) -> int | None:
    """A whole-number query argument; None for anything else, so junk gives the unfiltered
    page, never a 500."""
    return whole_number(request.args.get(name, ""), maximum=maximum)


def page_number() -> int:
    """The ``page`` query argument, forgiving of junk (never a 500)."""
    return max(1, whole_number_arg("page", maximum=1_000_000) or 1)


class NumberedPage(Pagination):
    """A page of rows found some other way than one query (merged lists), for the ``pager``
    macro: the same attributes as Flask-SQLAlchemy's pages (``pages``, ``iter_pages``...)."""

    def __init__(self, items: list[Any], *, total: int, page: int, per_page: int) -> None:
        self._found, self._matching = items, total
        super().__init__(page=page, per_page=per_page, max_per_page=None, error_out=False)

    def _query_items(self) -> list[Any]:
        return self._found

    def _query_count(self) -> int:
        return self._matching


class FiniteDecimalField(DecimalField):
    """A DecimalField that refuses NaN, sNaN and Infinity with a form error.

    WTForms accepts them as Decimals, and NumberRange then crashes on "sNaN" (a 500) while
    "Infinity" passes and breaks the money arithmetic further on.
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        value: Any = self.data
        if isinstance(value, Decimal) and not value.is_finite():
            self.data: Decimal | None = None
            raise ValueError(self.gettext("Not a valid decimal value."))
