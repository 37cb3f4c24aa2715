"""Form helpers shared by every blueprint."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_date, get_date_format
from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from wtforms import DateField, Form, StringField
from wtforms.widgets import TextInput

from app.platform.errors import DomainError
from app.platform.typed_numbers import (
    decimal_symbol,
    example_number,
    group_symbol,
    read_amount,
    read_decimal,
    read_whole_number,
)
from app.web.display import editable_number


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


def reader_locale() -> str:
    """The language the page is shown in, so numbers are read the way they were shown."""
    return str(get_locale() or "en")


class _NumberInput(TextInput):
    """A text box for numbers, never ``type=number``: browsers read and rewrite those in their
    own language, whatever the page's, and silently drop what they cannot read. ``inputmode``
    still brings up the phone's number keyboard; ``data-*`` tell give.js and numbers.js how the
    reader's language writes numbers so the page can show what it understood."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode

    def __call__(self, field: Any, **kwargs: Any) -> Any:
        locale = reader_locale()
        places = 0 if self.mode == "numeric" else 2
        kwargs.setdefault("inputmode", self.mode)
        kwargs.setdefault("autocomplete", "off")
        kwargs.setdefault("spellcheck", "false")
        kwargs.setdefault("data-number-decimal", decimal_symbol(locale))
        kwargs.setdefault("data-number-group", group_symbol(locale))
        kwargs.setdefault("data-number-locale", locale.replace("_", "-"))
        kwargs.setdefault(
            "data-number-hint",
            _("Write it like this: %(example)s.", example=example_number(locale, places)),
        )
        if isinstance(field, AmountField):
            # numbers.js shows "Saved as 1 200,50 $US" under the field as it is typed.
            kwargs.setdefault("data-number-echo", "")
            kwargs.setdefault("data-number-saved-as", _("Saved as %(amount)s", amount="%s"))
            if field.currency_field:
                kwargs.setdefault("data-number-currency-field", field.currency_field)
        return super().__call__(field, **kwargs)


class AmountField(StringField):
    """An amount of money typed in the reader's language (app/platform/typed_numbers.py).

    ``data`` is the text as typed, shown back unchanged when the form has an error; a stored
    amount to show is given as a Decimal of major units (``to_major``). After validation,
    ``minor`` holds the amount in minor units, or the field carries the sentence that says how
    to write it. The currency is the form's ``currency_field`` or, when the form has none (a
    budget is in its application's currency), the form's ``currency_code`` attribute.
    """

    widget = _NumberInput("decimal")

    def __init__(
        self,
        label: Any = None,
        validators: Any = None,
        *,
        currency_field: str | None = None,
        positive: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.currency_field = currency_field
        # Money that moves (a gift, a pledge, a transfer) is more than nothing; a budget's unit
        # cost may be nothing.
        self.positive = positive
        self.minor: int | None = None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if isinstance(self.data, Decimal | int):
            return editable_number(self.data)
        return str(self.data or "")

    def currency(self, form: Form) -> str:
        if self.currency_field is not None:
            return str(form[self.currency_field].data or "")
        return str(getattr(form, "currency_code", "") or "")

    def post_validate(self, form: Form, validation_stopped: bool) -> None:
        self.minor = None
        text = self.data if isinstance(self.data, str) else self._value()
        currency = self.currency(form)
        if validation_stopped or not text.strip() or not currency:
            return
        try:
            minor = read_amount(text, currency=currency, locale=reader_locale())
        except DomainError as error:
            self.errors.append(error.translated(_))
            return
        if self.positive and minor == 0:
            self.errors.append(_("Give an amount above zero."))
            return
        self.minor = minor


class WholeNumberField(StringField):
    """A count, a number of months or a year, typed in the reader's language and kept within
    ``minimum``..``maximum`` (never a database overflow: 400 digits is a sentence)."""

    widget = _NumberInput("numeric")

    def __init__(
        self,
        label: Any = None,
        validators: Any = None,
        *,
        minimum: int = 0,
        maximum: int = INTEGER_MAX,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = str(valuelist[0]) if valuelist else ""
        if not text.strip():
            return
        try:
            self.data = read_whole_number(
                text, locale=reader_locale(), minimum=self.minimum, maximum=self.maximum
            )
        except DomainError as error:
            raise ValueError(error.translated(_))


class LocalDecimalField(StringField):
    """A rate or a weight typed in the reader's language (``0,926`` in French), as a Decimal
    from ``minimum`` up with at most ``places`` decimals."""

    widget = _NumberInput("decimal")

    def __init__(
        self,
        label: Any = None,
        validators: Any = None,
        *,
        minimum: Decimal = Decimal(0),
        maximum: Decimal | None = None,
        places: int = 8,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum, self.places = minimum, maximum, places

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return editable_number(self.data) if isinstance(self.data, Decimal | int) else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = str(valuelist[0]) if valuelist else ""
        if not text.strip():
            return
        locale = reader_locale()
        try:
            value = read_decimal(text, locale=locale, places_in_example=self.places)
        except DomainError as error:
            raise ValueError(error.translated(_))
        decimals = max(0, -int(value.as_tuple().exponent))
        if decimals > self.places:
            raise ValueError(_("Give at most %(places)s decimals.", places=self.places))
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            raise ValueError(
                _(
                    "Give a number from %(minimum)s to %(maximum)s.",
                    minimum=editable_number(self.minimum),
                    maximum=editable_number(self.maximum),
                )
                if self.maximum is not None
                else _("Give a number from %(minimum)s up.", minimum=editable_number(self.minimum))
            )
        self.data = value


class DayField(DateField):
    """A calendar day. Browsers' date boxes send it as 2027-01-15; typed by hand (an old
    browser, a pasted text) it is read the reader's way: 15/01/2027 in French, 1/15/27 in
    English. Day, month and year are never guessed: what does not fit that order is refused with
    the form expected."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = " ".join(str(v) for v in valuelist).strip()
        self.data = None
        if not text:
            raise ValueError(_("Give a date."))
        try:
            self.data = date.fromisoformat(text)
            return
        except ValueError:
            pass
        locale = reader_locale()
        day = read_local_day(text, locale=locale)
        if day is None:
            example = format_date(date(2027, 1, 15), "short", locale=locale)
            raise ValueError(
                _("Give the date as %(example)s (15 January 2027) or 2027-01-15.", example=example)
            )
        self.data = day


def read_local_day(text: str, *, locale: str) -> date | None:
    """``text`` in the locale's short date order (day, month, year for French), or None.
    A two-digit year is in this century."""
    pattern = get_date_format("short", locale=locale).pattern
    order = [char for char in re.sub(r"'[^']*'", "", pattern) if char in "dMy"]
    order = [char for i, char in enumerate(order) if i == 0 or order[i - 1] != char]
    parts = re.findall(r"\d+", text)
    if (
        sorted(order) != ["M", "d", "y"]
        or len(parts) != 3
        or re.search("[^\\d\\s./\\-\u200f年月日]", text)
    ):
        return None
    values = dict(zip(order, (int(part) for part in parts), strict=True))
    year = values["y"] + 2000 if len(parts[order.index("y")]) <= 2 else values["y"]
    try:
        return date(year, values["M"], values["d"])
    except ValueError:
        return None
