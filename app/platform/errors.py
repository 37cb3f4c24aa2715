"""Domain errors: each carries a sentence the user can act on and the HTTP status it maps to.

Messages are English msgids with ``%(name)s`` placeholders, marked with ``N_`` so Babel extracts
them; the web layer translates them (``DomainError.translated``), keeping the domain free of
request-bound locale lookups.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Any


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here."""
    return message


class Phrase(str):
    """A message parameter that is itself English to translate (marked with ``N_``), with its
    own ``params`` ("Progress report %(number)s"). Its text is the English, filled in (logs,
    the audit trail); a translated message shows it in the reader's language."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, text: str, **params: Any) -> Phrase:
        value = super().__new__(cls, text % params if params else text)
        value.msgid, value.params = text, params
        return value


def _plain(value: StrEnum) -> str:
    return str(value)


# How an enum parameter (a status, a kind) reads in the user's language; the web layer
# installs its vocabulary of labels at start-up (app/web/labels.py).
_describe_enum: list[Callable[[StrEnum], str]] = [_plain]


def describe_enums_with(describe: Callable[[StrEnum], str]) -> None:
    _describe_enum[0] = describe


class Amount(str):
    """Money as a message parameter. Its text is English ("USD 1,234.56"), for logs and the
    audit trail; a translated message shows it in the reader's notation ("USD 1 234,56"), with
    the formatter the web layer installs (``describe_amounts_with``). Made by
    ``app.platform.money.amount_param``."""

    minor: int
    currency: str

    def __new__(cls, text: str, *, minor: int, currency: str) -> Amount:
        value = super().__new__(cls, text)
        value.minor, value.currency = minor, currency
        return value


_describe_amount: list[Callable[[Amount], str]] = [str]

# A calendar date as a message parameter: ISO in the English text (logs), the reader's notation
# in a translated message, with the formatter the web layer installs.
_describe_day: list[Callable[[date], str]] = [date.isoformat]


def describe_days_with(describe: Callable[[date], str]) -> None:
    _describe_day[0] = describe


def describe_amounts_with(describe: Callable[[int, str], str]) -> None:
    _describe_amount[0] = lambda amount: describe(amount.minor, amount.currency)


class DomainError(Exception):
    """A rule of the fund was not met. Shown to the user as a 4xx, never a 500."""

    status_code = 400

    def __init__(self, message: str, **params: Any) -> None:
        self.template = message
        self.params = params
        self.message = message % params if params else message
        super().__init__(self.message)

    def translated(self, gettext: Callable[..., str]) -> str:
        """The message in the user's language, its statuses and phrases translated too."""
        params = {
            name: _describe_amount[0](value)
            if isinstance(value, Amount)
            else _describe_enum[0](value)
            if isinstance(value, StrEnum)
            else gettext(value.msgid, **value.params)
            if isinstance(value, Phrase)
            else _describe_day[0](value)
            if isinstance(value, date) and not isinstance(value, datetime)
            else value
            for name, value in self.params.items()
        }
        return gettext(self.template, **params)


class NotFound(DomainError):
    status_code = 404


class PermissionDenied(DomainError):
    status_code = 403


class SegregationOfDuties(PermissionDenied):
    """The same person may not hold both sides of a control (maker/checker, admin/money)."""


class InvalidTransition(DomainError):
    status_code = 409


class Conflict(DomainError):
    status_code = 409


class ValidationFailed(DomainError):
    status_code = 422
