"""Amounts typed by people, read the way their language writes them (app/platform/typed_numbers.py).

A French donor typing ``50,00`` was charged USD 5,000: these tests type numbers as readers of
each offered language do, and check that nothing is ever read as another amount than the one a
person reading it would expect.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.platform.errors import ValidationFailed
from app.platform.money import MAX_MINOR_UNITS, to_minor
from app.platform.typed_numbers import (
    example_number,
    read_amount,
    read_decimal,
    read_whole_number,
)
from config.settings import Base

# Every language the app offers (the six of the United Nations), and German, whose grouping
# point is another notation a donor may type in.
LOCALES = sorted({*Base.LANGUAGES, "de"})
CURRENCIES = ["USD", "EUR", "JPY", "KWD", "CHF"]


@pytest.mark.parametrize(
    ("locale", "typed", "minor"),
    [
        ("fr", "50,00", 5000),
        ("fr", "1 234,56", 123456),
        ("fr", "1\u202f234,56", 123456),  # narrow no-break space, as CLDR writes French
        ("fr", "1\u00a0234,56", 123456),  # no-break space, as many keyboards type it
        ("fr", "1234,56", 123456),
        ("fr", "1 234 567,89", 123456789),
        ("es", "1234,56", 123456),
        ("es", "1.234,56", 123456),
        ("es", "1 234,56", 123456),
        ("es", "50,00", 5000),
        ("en", "1,234.56", 123456),
        ("en", "1234.56", 123456),
        ("en", "1 234.56", 123456),
        ("en", "50", 5000),
        ("en", " 50.5 ", 5050),
        ("en", "0.07", 7),
        ("ar", "\u0665\u0660\u066b\u0660\u0660", 5000),  # Arabic-Indic digits and separator
        ("ar", "\u200f50.00", 5000),  # the direction mark Babel writes before Arabic numbers
        ("ru", "1\u00a0234,56", 123456),  # CLDR's Russian groups with a no-break space
        ("ru", "1 234,56", 123456),
        ("ru", "1234,56", 123456),
        ("ru", "50", 5000),
        ("zh", "1,234.56", 123456),
        ("zh", "1234.56", 123456),
        ("zh", "\uff11\uff12\uff13\uff14\uff0e\uff15\uff16", 123456),  # full-width input
        ("zh", "\uff11\uff0c\uff12\uff13\uff14\uff0e\uff15\uff16", 123456),
        # CLDR's Arabic writes Latin digits with "." and ","; people also type Arabic-Indic
        # digits with the Arabic separators, grouped or not.
        ("ar", "\u0661\u066c\u0662\u0663\u0664\u066b\u0665\u0666", 123456),
        ("ar", "\u0661\u0662\u0663\u0664\u066b\u0665\u0666", 123456),
        ("ar", "1234.56", 123456),
        ("ar", "1,234.56", 123456),
    ],
)
def test_amounts_are_read_as_their_writer_means(locale: str, typed: str, minor: int) -> None:
    assert read_amount(typed, currency="USD", locale=locale) == minor


@pytest.mark.parametrize(
    ("locale", "typed"),
    [
        ("en", "1.234"),  # three decimals: perhaps a European "one thousand two hundred..."
        ("en", "50.000,00"),
        ("en", "1,5"),
        ("en", "12,34,567"),
        ("en", "1,234.5.6"),
        ("en", "1,234 567.00"),  # two kinds of group mark
        ("fr", "50.00"),  # the point is not a French separator: never guessed
        ("fr", "1.234,56"),
        ("fr", "1,234"),  # 1.234 dollars: more decimals than the dollar has
        ("es", "50.00"),  # the point groups thousands in Spanish: "50.00" is no grouping
        ("es", "1,234"),
        ("en", "abc"),
        ("en", "12a"),
        ("en", "1e5"),
        ("en", "NaN"),
        ("en", "Infinity"),
        ("en", "-5"),
        ("en", "\u22125"),
        ("en", "10000000000000000"),  # 10^16: more than any gift or grant
        ("en", "1" * 400),
        ("en", "."),
        ("en", "5."),
        ("en", "$50"),
        ("fr", "50,00 €"),
        ("ru", "1.234,56"),  # the point is not a Russian separator
        ("ru", "1234.56"),
        ("ru", "1,234.56"),
        ("zh", "1.234"),  # three decimals: perhaps a European "one thousand two hundred..."
        ("zh", "1.234,56"),
        ("ar", "1234,56"),  # the comma groups in Arabic as CLDR writes it
        ("ar", "1,234,5"),
    ],
)
def test_what_a_reader_could_read_two_ways_is_refused(locale: str, typed: str) -> None:
    with pytest.raises(ValidationFailed):
        read_amount(typed, currency="USD", locale=locale)


def test_a_refusal_shows_how_to_write_the_number() -> None:
    with pytest.raises(ValidationFailed) as refused:
        read_amount("50.00", currency="USD", locale="fr")
    assert refused.value.params["example"] == "1\u202f234,56"
    assert "50.00" in refused.value.message
    with pytest.raises(ValidationFailed) as refused:
        read_amount("1.234", currency="USD", locale="en")
    assert refused.value.params["example"] == "1,234.56"
    assert "USD" in refused.value.message


@pytest.mark.parametrize(
    ("locale", "typed", "example"),
    [
        ("ru", "1234.56", "1\u00a0234,56"),
        ("zh", "1.234,56", "1,234.56"),
        ("ar", "1234,56", "1,234.56"),
    ],
)
def test_a_refusal_in_the_new_languages_shows_their_notation(
    locale: str, typed: str, example: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        read_amount(typed, currency="USD", locale=locale)
    assert refused.value.params["example"] == example


def test_currencies_without_cents_refuse_decimals_and_three_decimal_currencies_take_them() -> None:
    assert read_amount("3 000", currency="JPY", locale="fr") == 3000
    with pytest.raises(ValidationFailed):
        read_amount("3000,5", currency="JPY", locale="fr")
    assert read_amount("1.234", currency="KWD", locale="en") == 1234


def test_empty_and_negative_amounts_say_so() -> None:
    with pytest.raises(ValidationFailed, match="Please give an amount"):
        read_amount("  ", currency="USD", locale="en")
    with pytest.raises(ValidationFailed, match="cannot be negative"):
        read_amount("-1", currency="USD", locale="en")


def test_the_largest_accepted_amount_is_the_system_limit() -> None:
    largest = str(MAX_MINOR_UNITS // 100)
    assert read_amount(largest, currency="USD", locale="en") == MAX_MINOR_UNITS
    with pytest.raises(ValidationFailed, match="more than this system accepts"):
        read_amount(largest + ".01", currency="USD", locale="en")


@settings(max_examples=300, deadline=None)
@given(
    locale=st.sampled_from(LOCALES),
    currency=st.sampled_from(CURRENCIES),
    minor=st.integers(min_value=0, max_value=MAX_MINOR_UNITS),
)
def test_any_amount_babel_writes_for_a_reader_reads_back_the_same(
    locale: str, currency: str, minor: int
) -> None:
    from app.platform.money import currency_exponent, to_major

    major = to_major(minor, currency)
    places = currency_exponent(currency)
    written = format_decimal(major, locale=locale, format="#,##0." + "0" * places)
    assert read_amount(written, currency=currency, locale=locale) == minor
    ungrouped = format_decimal(
        major, locale=locale, group_separator=False, decimal_quantization=False
    )
    assert read_amount(ungrouped, currency=currency, locale=locale) == minor


@settings(max_examples=100, deadline=None)
@given(locale=st.sampled_from(LOCALES), count=st.integers(min_value=0, max_value=10_000_000))
def test_any_count_babel_writes_reads_back(locale: str, count: int) -> None:
    written = format_decimal(count, locale=locale)
    assert read_whole_number(written, locale=locale, maximum=10_000_000) == count


def _person_reads(text: str, locale: str) -> set[Decimal]:
    """Every value a careful person could take ``text`` for, in ``locale``: the digits split at
    its last separator (a decimal point or comma), or all of it as one whole number."""
    digits = re.sub(r"[^0-9]", "", text)
    readings = {Decimal(digits)} if digits else set()
    last = max(text.rfind("."), text.rfind(","))
    if last >= 0:
        whole = re.sub(r"[^0-9]", "", text[:last]) or "0"
        fraction = re.sub(r"[^0-9]", "", text[last + 1 :])
        if fraction:
            readings.add(Decimal(f"{whole}.{fraction}"))
    return readings


@settings(max_examples=500, deadline=None)
@given(
    locale=st.sampled_from(LOCALES),
    text=st.text(alphabet="0123456789.,  \u202f-", min_size=1, max_size=14),
)
def test_random_text_is_never_read_as_an_amount_nobody_would_expect(locale: str, text: str) -> None:
    try:
        value = read_decimal(text, locale=locale)
    except ValidationFailed:
        return
    assume(not text.strip().startswith("-"))
    assert value in _person_reads(text, locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_example_in_a_sentence_is_itself_readable(locale: str) -> None:
    for places in (0, 2, 3):
        assert read_decimal(example_number(locale, places), locale=locale) == Decimal(
            "1234." + "567"[:places] if places else "1234"
        )


def test_a_currency_amount_with_its_symbol_is_refused_rather_than_half_read() -> None:
    with pytest.raises(ValidationFailed):
        read_amount(format_currency(50, "USD", locale="fr"), currency="USD", locale="fr")


def test_whole_numbers_keep_within_their_bounds() -> None:
    assert read_whole_number("1 200", locale="fr", maximum=10_000) == 1200
    assert read_whole_number("1,200", locale="en", maximum=10_000) == 1200
    with pytest.raises(ValidationFailed, match="whole number"):
        read_whole_number("12,5", locale="fr", maximum=100)
    with pytest.raises(ValidationFailed, match="from 1 to 60"):
        read_whole_number("61", locale="en", minimum=1, maximum=60)
    with pytest.raises(ValidationFailed):
        read_whole_number("9" * 400, locale="en", maximum=60)


@pytest.mark.parametrize("typed", ["1,234.56", "1 234.56", "12.5e3", "1.5.0", ""])
def test_machine_input_has_one_format_without_groups(typed: str) -> None:
    with pytest.raises(ValidationFailed):
        to_minor(typed, "USD")
    assert to_minor("1234.56", "USD") == 123456
    assert to_minor(Decimal("50"), "USD") == 5000


NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("read", "sentence"),
    [
        (
            lambda: read_amount("50.00", currency="USD", locale="fr"),
            f"We cannot read 50.00 as a number. Write it like this: 1{NNBSP}234,56.",
        ),
        (
            lambda: read_amount("abc", currency="JPY", locale="fr"),
            f"We cannot read abc as a number. Write it like this: 1{NNBSP}234.",
        ),
        (
            lambda: read_amount("1,2,3", currency="KWD", locale="en"),
            "We cannot read 1,2,3 as a number. Write it like this: 1,234.567.",
        ),
        (
            lambda: read_amount("1,234", currency="USD", locale="fr"),
            f"1,234 has more decimals than USD has. Write it like this: 1{NNBSP}234,56.",
        ),
        (
            lambda: read_amount("1,5", currency="JPY", locale="fr"),
            f"1,5 has more decimals than JPY has. Write it like this: 1{NNBSP}234.",
        ),
        (lambda: read_amount("-5", currency="USD", locale="en"), "An amount cannot be negative."),
        (lambda: read_amount(" ", currency="USD", locale="en"), "Please give an amount."),
        (lambda: read_decimal(" ", locale="en"), "Please give a number."),
        (
            lambda: read_amount("10000000000000000", currency="USD", locale="en"),
            "10000000000000000 is more than this system accepts.",
        ),
        (
            lambda: read_whole_number("12,5", locale="fr", maximum=100),
            f"12,5 is not a whole number. Write it like this: 1{NNBSP}234.",
        ),
        (
            lambda: read_whole_number("abc", locale="fr", maximum=100),
            f"We cannot read abc as a number. Write it like this: 1{NNBSP}234.",
        ),
        (
            lambda: read_whole_number("2 000 000", locale="fr", minimum=1000, maximum=1_000_000),
            f"Give a whole number from 1{NNBSP}000 to 1{NNBSP}000{NNBSP}000.",
        ),
        (
            lambda: read_decimal("1" * 41, locale="en"),
            f"We cannot read {'1' * 41} as a number. Write it like this: 1,234.56.",
        ),
        (
            lambda: read_decimal("5\u00b2", locale="en"),  # a superscript is a digit to isdigit()
            "We cannot read 5\u00b2 as a number. Write it like this: 1,234.56.",
        ),
        (
            lambda: read_decimal("50.000,00", locale="en"),  # a separator, then no digits only
            "We cannot read 50.000,00 as a number. Write it like this: 1,234.56.",
        ),
        (
            lambda: read_decimal("-", locale="en"),  # a sign, no number
            "We cannot read - as a number. Write it like this: 1,234.56.",
        ),
        (
            lambda: read_decimal("-\t5", locale="en"),  # a tab is no space between digits
            "We cannot read -\t5 as a number. Write it like this: 1,234.56.",
        ),
        (
            lambda: read_decimal("1,234 567", locale="en"),  # two kinds of group mark
            "We cannot read 1,234 567 as a number. Write it like this: 1,234.56.",
        ),
        (
            lambda: read_decimal("\u00b2", locale="en"),
            "We cannot read \u00b2 as a number. Write it like this: 1,234.56.",
        ),
    ],
)
def test_each_refusal_says_what_was_typed_and_how_to_write_it(read, sentence) -> None:
    with pytest.raises(ValidationFailed) as refused:
        read()
    assert refused.value.message == sentence


@pytest.mark.parametrize(
    ("locale", "typed", "value"),
    [
        ("en", "1" * 40, Decimal("1" * 40)),  # the longest text read
        ("en", "- 5", Decimal(-5)),
        ("en", "+5", Decimal(5)),
        ("fr", ",5", Decimal("0.5")),
        ("fr", "\u0665\u0660\u066b\u0665", Decimal("50.5")),  # Arabic separators, French reader
        ("fr", "\u0661\u066c\u0662\u0663\u0664", Decimal(1234)),
        ("en", "007", Decimal(7)),
    ],
)
def test_edges_of_the_grammar(locale: str, typed: str, value: Decimal) -> None:
    assert read_decimal(typed, locale=locale) == value


def test_examples_keep_every_decimal_asked_for() -> None:
    assert example_number("en") == "1,234.56"
    assert example_number("en", 0) == "1,234"
    assert example_number("en", 8) == "1,234.56789012"
