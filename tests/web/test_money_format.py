"""money() writes an amount exactly as babel's pattern for it does, in every language.

money() formats integer minor units itself (decision 0124): babel's rendering of the pattern
cost about 60 microseconds an amount, most of the time of pages listing hundreds of amounts.
The pattern's own output stays the reference.
"""

from __future__ import annotations

import random

from flask_babel import force_locale

from app.platform.money import to_major
from app.web.display import MONEY_PATTERN, money

LOCALES = ("en", "fr", "es", "ru", "zh", "ar", "de_CH", "hi", "pt_BR")
# Two decimals, none, three, four (CLF), and lower-case codes (babel then shows two decimals).
CURRENCIES = ("USD", "EUR", "CHF", "JPY", "XAF", "KWD", "BHD", "CLF", "jpy", "usd")
AMOUNTS = [
    0,
    1,
    -1,
    5,
    9,
    10,
    99,
    100,
    101,
    999,
    1000,
    1001,
    99_999,
    100_000,
    123_456_789,
    -123_456_789,
    10**15,
    -(10**15),
    10**15 - 1,
]


def _amounts() -> list[int]:
    generator = random.Random(123)
    drawn = [generator.randrange(-(10**13), 10**13) for _ in range(300)]
    return (
        AMOUNTS
        + drawn
        + [generator.randrange(0, 10 ** generator.randrange(1, 16)) for _ in range(300)]
    )


def test_money_is_written_as_babel_writes_the_pattern(app):
    amounts = _amounts()
    with app.test_request_context("/"):
        for locale in LOCALES:
            with force_locale(locale):
                for currency in CURRENCIES:
                    for minor in amounts:
                        expected = MONEY_PATTERN.apply(
                            to_major(minor, currency), locale, currency=currency
                        )
                        assert money(minor, currency) == expected, (locale, currency, minor)


def test_money_in_french_and_arabic(app):
    with app.test_request_context("/"):
        with force_locale("fr"):
            assert money(2_000_050, "USD") == "USD\u00a020\u202f000,50"
            assert money(-1500, "JPY") == "-JPY\u00a01\u202f500"
        with force_locale("en"):
            assert money(1_234_567, "KWD") == "KWD\u00a01,234.567"
            assert money(None, "USD") == "—"
