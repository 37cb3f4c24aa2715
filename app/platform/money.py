"""Money as integer minor units plus an ISO 4217 code: conversions and rounding, never floats."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import get_currency_precision, list_currencies

from app.platform.errors import N_, Amount, ValidationFailed


def currency_exponent(currency: str) -> int:
    """Digits after the decimal point (2 for USD, 0 for JPY), from CLDR."""
    return int(get_currency_precision(currency.upper()))


# More than any contribution, grant or payment could be (10 trillion dollars), and far below what
# the ledger's 64-bit columns and their running totals can hold: anything larger is a typing
# slip or junk, refused with a sentence instead of failing in the database.
MAX_MINOR_UNITS = 10**15


# Machine input (settings, CSV files with a documented format, the API): digits, an optional
# point and decimals, an optional minus. Never a comma or a space: text typed by people is read
# in their language by app.platform.typed_numbers, and only there.
MACHINE_NUMBER = re.compile(r"-?[0-9]{1,20}(?:\.[0-9]{1,20})?")


def to_minor(amount: Decimal | int | str, currency: str) -> int:
    """A major-unit amount (``Decimal("20000.50")``, or the text ``"20000.50"`` in the machine
    format) as minor units, refusing extra digits."""
    text = str(amount).strip()
    if isinstance(amount, str) and MACHINE_NUMBER.fullmatch(text) is None:
        raise ValidationFailed(
            N_("%(amount)s is not an amount of money (write it like 1234.56)."), amount=text
        )
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(N_("%(amount)s is not an amount of money."), amount=text)
    if not value.is_finite():
        raise ValidationFailed(N_("%(amount)s is not an amount of money."), amount=str(amount))
    scaled = value.scaleb(currency_exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValidationFailed(
            N_("%(amount)s has more decimals than %(currency)s allows."),
            amount=str(amount),
            currency=currency,
        )
    if abs(scaled) > MAX_MINOR_UNITS:
        raise ValidationFailed(
            N_("%(amount)s is more than this system accepts."), amount=str(amount)
        )
    return int(scaled)


def to_major(minor: int, currency: str) -> Decimal:
    """Minor units as an exact Decimal in major units, for display and forms."""
    return Decimal(minor).scaleb(-currency_exponent(currency))


def amount_param(minor: int, currency: str) -> Amount:
    """An amount for a message: ``USD 1,234.56`` in logs, the reader's notation on the page."""
    return Amount(f"{currency} {to_major(minor, currency):,}", minor=minor, currency=currency)


def apply_rate(minor: int, rate: Decimal) -> int:
    """``minor x rate`` rounded half up to a whole minor unit (e.g. a 13 % support cost)."""
    return int((Decimal(minor) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def is_currency(code: str) -> bool:
    """True for an ISO 4217 code that CLDR knows (``"EUR"``), False for anything else."""
    return len(code) == 3 and code.isalpha() and code.upper() in list_currencies()


def convert_at_rate(minor: int, *, currency: str, rate: Decimal, to_currency: str) -> int:
    """``minor`` units of ``currency`` as minor units of ``to_currency``.

    ``rate`` is a UN operational rate of exchange: units of ``currency`` for one unit of
    ``to_currency`` (the functional currency). The exact quotient is rounded once, half to even,
    to a whole minor unit of ``to_currency`` (docs/decisions: FX rounding).
    """
    if currency.upper() == to_currency.upper():
        return minor
    if not rate.is_finite() or rate <= 0:
        raise ValidationFailed(N_("An exchange rate must be a positive number."))
    major = Decimal(minor).scaleb(-currency_exponent(currency))
    value = (major / rate).scaleb(currency_exponent(to_currency))
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
