"""Numbers typed by people, read the way the reader's language writes them.

This is the one place where text a person typed becomes an amount of money, a rate or a count.
A French donor writes ``50,00`` or ``1 234,56``; an English one ``1,234.56``; a Spanish one
``1.234,56``; a Russian one ``1 234,56``; a Chinese one ``1,234.56``; an Arabic one
``1,234.56`` (CLDR's Arabic writes Latin digits) or the same in Arabic-Indic digits with the
Arabic separators. The symbols come from CLDR through Babel (the same data the pages are
formatted with), so what the app shows a reader it also reads back.

The grammar is strict on purpose: a number that a reader of another language would read
differently is refused with a sentence that shows how to write it, never guessed. In English
``1,5`` (a group of one digit) and ``50.000,00`` are refused; ``1.234`` is refused as an amount
of dollars (three decimals could be a European thousands group); in French ``50.00`` is refused
(the point is not a French separator).

Babel's own ``parse_decimal(strict=True)`` was tried first and lets through what a person would
not expect (in French it reads ``50.00`` as 50 but refuses ``1 234,56`` typed with an ordinary
space), so the grammar is written here, with Babel's symbols, and tested against Babel's own
formatting for every offered language (tests/domain/test_typed_numbers.py).

Machine input (the API, CSV files with a documented format, webhooks) does not come here: it
has one fixed format, read by ``app.platform.money.to_minor``.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

from app.platform.errors import N_, ValidationFailed
from app.platform.money import MAX_MINOR_UNITS, currency_exponent

# Anything longer is not a number a person means (the largest amount, 10^13 dollars with groups
# and decimals, is 22 characters); refused before any arithmetic.
MAX_TYPED_LENGTH = 40

# The spaces people and CLDR put between groups of digits: ordinary, no-break (Russian), narrow
# no-break (French), thin. Any of them is a group mark in every language: "1 234,56" and
# "1 234.56" cannot be read two ways.
_SPACES = {" ", "\u00a0", "\u202f", "\u2009"}
# Direction marks Babel puts around Arabic and Hebrew numbers; invisible, so never meaningful.
_INVISIBLE = {"\u200e", "\u200f", "\u061c"}
_MINUS = {"-", "\u2212"}
# Arabic's own decimal and group separators, whichever notation the locale prefers.
_ARABIC_DECIMAL, _ARABIC_GROUP = "\u066b", "\u066c"
_SPACE_MARK = " "
# A Chinese input method left in full width types the full-width digits, point and comma
# (U+FF10-FF19, U+FF0E, U+FF0C): the digits are digits to unicodedata, the point and comma are
# the ASCII ones.
_FULL_WIDTH = {"\uff0e": ".", "\uff0c": ","}

_GROUPED = re.compile(r"\d{1,3}(?:(?P<mark>[^\d])\d{3})+")


def decimal_symbol(locale: str) -> str:
    return str(get_decimal_symbol(locale))


def group_symbol(locale: str) -> str:
    return str(get_group_symbol(locale))


def example_number(locale: str, places: int = 2) -> str:
    """How the reader's language writes one thousand two hundred and thirty-four (and 56 cents
    when ``places`` allows), for the sentences that say how to write a number."""
    value = Decimal("1234." + "5678901234"[:places]) if places else Decimal(1234)
    return str(format_decimal(value, locale=locale, decimal_quantization=False))


def _refuse(typed: str, locale: str, places: int) -> ValidationFailed:
    return ValidationFailed(
        N_("We cannot read %(typed)s as a number. Write it like this: %(example)s."),
        typed=typed,
        example=example_number(locale, places),
    )


def _normalised(typed: str, locale: str) -> str:
    """The text with other scripts' digits made ASCII, invisible marks dropped and every kind of
    space made one; anything else is kept for the grammar to judge."""
    decimal, group = decimal_symbol(locale), group_symbol(locale)
    characters = []
    for character in typed.strip():
        if character in _INVISIBLE:
            continue
        if character in _SPACES:
            characters.append(_SPACE_MARK)
        elif character == _ARABIC_DECIMAL:
            characters.append(decimal)
        elif character == _ARABIC_GROUP:
            characters.append(group)
        elif character in _FULL_WIDTH:
            characters.append(_FULL_WIDTH[character])
        elif character.isdigit() and unicodedata.decimal(character, None) is not None:
            characters.append(str(unicodedata.decimal(character)))
        else:
            characters.append(character)
    return "".join(characters)


def read_decimal(typed: str, *, locale: str, places_in_example: int = 2) -> Decimal:
    """What a reader of ``locale`` means by ``typed``, exactly; refuses anything they could read
    two ways. Signed: the callers say whether a negative number makes sense."""
    text = _normalised(typed, locale)
    if not text:
        raise ValidationFailed(N_("Please give a number."))
    if len(text) > MAX_TYPED_LENGTH:
        raise _refuse(typed, locale, places_in_example)
    negative = text[0] in _MINUS
    if negative or text[0] == "+":
        text = text[1:].lstrip(_SPACE_MARK)
    decimal, group = decimal_symbol(locale), group_symbol(locale)
    whole, separator, fraction = text.partition(decimal)
    if separator and not fraction.isdigit():
        raise _refuse(typed, locale, places_in_example)
    if whole == "" and not separator:
        raise _refuse(typed, locale, places_in_example)
    if whole and not whole.isdigit():
        grouped = _GROUPED.fullmatch(whole)
        if grouped is None or grouped["mark"] not in {group, _SPACE_MARK}:
            raise _refuse(typed, locale, places_in_example)
        if len({mark for mark in whole if not mark.isdigit()}) != 1:
            raise _refuse(typed, locale, places_in_example)
        whole = "".join(digit for digit in whole if digit.isdigit())
    if not (whole or "0").isascii() or not fraction.isascii():
        raise _refuse(typed, locale, places_in_example)
    value = Decimal(f"{whole or '0'}.{fraction or '0'}")
    return -value if negative else value


def read_amount(typed: str, *, currency: str, locale: str) -> int:
    """An amount of money typed in the reader's language, as minor units of ``currency``.

    Refused with a sentence: anything that is not a number, a negative amount, more decimals
    than the currency has (``1.234`` dollars: a person who wrote it may have meant 1,234), and
    amounts no contribution or grant could be.
    """
    places = currency_exponent(currency)
    if not typed.strip():
        raise ValidationFailed(N_("Please give an amount."))
    value = read_decimal(typed, locale=locale, places_in_example=places)
    if value < 0:
        raise ValidationFailed(N_("An amount cannot be negative."))
    scaled = value.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise ValidationFailed(
            N_(
                "%(typed)s has more decimals than %(currency)s has. "
                "Write it like this: %(example)s."
            ),
            typed=typed,
            currency=currency,
            example=example_number(locale, places),
        )
    if scaled > MAX_MINOR_UNITS:
        raise ValidationFailed(N_("%(typed)s is more than this system accepts."), typed=typed)
    return int(scaled)


def read_whole_number(typed: str, *, locale: str, minimum: int = 0, maximum: int) -> int:
    """A count, a number of months or a year typed in the reader's language ("1 200" in French,
    "1,200" in English), within ``minimum``..``maximum``."""
    value = read_decimal(typed, locale=locale, places_in_example=0)
    if value != value.to_integral_value():
        raise ValidationFailed(
            N_("%(typed)s is not a whole number. Write it like this: %(example)s."),
            typed=typed,
            example=example_number(locale, 0),
        )
    if not minimum <= value <= maximum:
        raise ValidationFailed(
            N_("Give a whole number from %(minimum)s to %(maximum)s."),
            minimum=format_decimal(minimum, locale=locale),
            maximum=format_decimal(maximum, locale=locale),
        )
    return int(value)
