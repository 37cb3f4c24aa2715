"""Showing money, countries and deadlines in the reader's language and time zone.

Every page may use them: template filters and globals, listed in app/bootstrap.py.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_time, format_timedelta
from babel.numbers import (
    format_decimal,
    format_percent,
    get_currency_precision,
    get_decimal_symbol,
    get_group_symbol,
    parse_pattern,
)
from babel.units import format_unit
from flask_babel import get_locale, get_timezone, gettext
from flask_login import current_user
from markupsafe import Markup

from app.applications.services import Problem
from app.platform.categories import DocumentKind
from app.platform.db import utcnow
from app.platform.errors import Amount
from app.platform.money import currency_exponent, to_major
from app.reporting.donor_names import public_name
from app.web.labels import label

# Territory codes Babel knows that are not countries (EU, UN, "unknown"...).
_NOT_COUNTRIES = {"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ", "AQ"}


def _locale() -> Locale:
    return get_locale() or Locale("en")


# What money is written as, in babel's terms (the tests compare money() with it).
MONEY_PATTERN = parse_pattern("¤¤\u00a0#,##0.00")


@lru_cache(maxsize=64)
def _money_format(locale: Locale, currency: str) -> tuple[str, str, int] | None:
    """The locale's group and decimal symbols (latin digits, as the pattern uses them) and the
    currency's decimals. None where the pattern writes something else: other decimals than
    the amount has (a code in lower case: babel finds no precision for it and shows two), or
    a locale grouping with an apostrophe (de_CH), which babel's unquoting then removes."""
    digits = currency_exponent(currency)
    group, point = get_group_symbol(locale), get_decimal_symbol(locale)
    if get_currency_precision(currency) != digits or "'" in group + point:
        return None
    return group, point, digits


def money(minor: int | None, currency: str) -> str:
    """``USD 20,000.00`` / ``USD 20 000,00``: the ISO code (a bare "$" is ambiguous to an
    international audience), the reader's separators, exact from integer units.

    Written out here as MONEY_PATTERN writes it (the tests compare the two): the pattern's own
    rendering cost about 60 microseconds an amount (it looks up the currency's plural name each
    time), most of the time of a page listing a few hundred amounts such as /transparency
    (decision 0124).
    """
    if minor is None:
        return "—"
    locale = _locale()
    found = _money_format(locale, currency)
    if found is None:
        return str(MONEY_PATTERN.apply(to_major(minor, currency), locale, currency=currency))
    group, point, digits = found
    units, cents = divmod(abs(minor), 10**digits)
    text = f"{units:,}".replace(",", group)
    if digits:
        text += point + str(cents).zfill(digits)
    sign = "-" if minor < 0 else ""
    return f"{sign}{currency.upper()}\u00a0{text}"


def editable_number(value: Decimal | int | None) -> str:
    """A stored number for a form field, as the reader's language writes it without grouping
    and with the decimals it has ("1200,50" in French), so a form sent back unchanged reads it
    back the same (app/platform/typed_numbers.py)."""
    if value is None:
        return ""
    places = max(0, -int(Decimal(value).as_tuple().exponent))
    pattern = "0." + "0" * places if places else "0"
    return str(format_decimal(value, format=pattern, locale=_locale()))


def major_amount(minor: int | None, currency: str) -> str:
    """The amount in major units for a form field (``editable_number``)."""
    return "" if minor is None else editable_number(to_major(minor, currency))


def percent(rate: Decimal) -> str:
    """A rate such as Decimal("0.13") as "13%" / "13 %" in the reader's language."""
    return str(format_percent(rate, locale=_locale(), decimal_quantization=False))


def number(value: int | None) -> str:
    return "—" if value is None else str(format_decimal(value, locale=_locale()))


def score(value: float | Decimal | None) -> str:
    """A review score with two decimals in the reader's notation: 4.60 / 4,60."""
    if value is None:
        return "—"
    return str(format_decimal(value, "0.00", locale=_locale()))


UN_FUND_NAME = "UN Voluntary Trust Fund for Victims of Trafficking in Persons"


def fund_name(configured: str) -> str:
    """The fund's name in the reader's language, as macros/fund.html writes it in pages: the UN
    fund's default name has official translations (a French NGO's welcome e-mail read it in
    English: fresh eyes); a name set through FUND_NAME is shown as given."""
    if configured == UN_FUND_NAME:
        return str(gettext("UN Voluntary Trust Fund for Victims of Trafficking in Persons"))
    return configured


def file_size(size_bytes: int) -> str:
    """A file's size in the reader's units and notation: "12 kB", "12 ko", "1,5 Mo" (whole
    kilobytes, rounded up so that a small file never reads 0; megabytes from 1 MB on)."""
    kilobytes = -(-max(size_bytes, 0) // 1024) or 1
    if kilobytes < 1024:
        return str(format_unit(kilobytes, "digital-kilobyte", length="short", locale=_locale()))
    megabytes = Decimal(size_bytes) / (1024 * 1024)
    return str(
        format_unit(
            megabytes, "digital-megabyte", length="short", format="#,##0.#", locale=_locale()
        )
    )


def country_name(code: str) -> str:
    return str(_locale().territories.get(code, code))


class NamedDonor(Protocol):
    """A donor, or a line naming one (reporting's DonorLine, GovernmentLine)."""

    @property
    def kind(self) -> Any: ...
    @property
    def name(self) -> Any: ...
    @property
    def country(self) -> str | None: ...


def donor_name(donor: NamedDonor) -> str:
    """The donor's public name in the reader's language: a State recorded under its country's
    English name is named as the reader's language names the country (rule: reporting's
    donor_names.py)."""
    return public_name(
        kind=donor.kind, name=str(donor.name or ""), country=donor.country, locale=_locale()
    )


def country_choices() -> list[tuple[str, str]]:
    """Every country, named and sorted in the reader's language."""
    territories = _locale().territories
    codes = [
        c
        for c in territories
        if isinstance(c, str) and len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES
    ]
    return sorted(((c, str(territories[c])) for c in codes), key=lambda item: sort_key(item[1]))


def sort_key(name: str) -> str:
    """A name's place in an alphabetical list the way readers expect it: accents and case set
    aside (Sénégal between Sénégal's neighbours, Égypte among the E), without ICU."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def language_name(code: str) -> str:
    name = _locale().languages.get(code, code)
    return str(name[:1].upper() + name[1:])


@dataclass(frozen=True)
class ZonedTime:
    text: str
    zone: str


def in_zone(moment: datetime, zone: str) -> ZonedTime:
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz, zone = ZoneInfo("UTC"), "UTC"
    locale = _locale()
    # The date too must be the one in that zone: 23:30 UTC is already tomorrow in Vienna.
    local = moment.astimezone(tz)
    text = f"{format_date(local.date(), 'long', locale=locale)}, " + str(
        format_time(moment, "short", tzinfo=tz, locale=locale)
    )
    return ZonedTime(text=text, zone=zone)


def deadline_times(moment: datetime, call_zone: str) -> list[ZonedTime]:
    """The moment in the reader's zone, named; visitors without an account get UTC and the
    call's own zone, since we do not know theirs."""
    zones: list[str] = []
    if current_user and current_user.is_authenticated:
        zones.append(str(get_timezone() or "UTC"))
    else:
        zones.append("UTC")
    zones.append(call_zone)
    unique = list(dict.fromkeys(zones))
    return [in_zone(moment, zone) for zone in unique]


def time_left(moment: datetime, now: datetime | None = None) -> str:
    delta = moment - (now or utcnow())
    return str(format_timedelta(delta, add_direction=True, locale=_locale()))


def describe(problem: Problem) -> str:
    """A completeness problem in the reader's language, with codes shown as their labels."""
    params = {
        name: money(value.minor, value.currency) if isinstance(value, Amount) else value
        for name, value in problem.params.items()
    }
    if "kind" in params:
        params["kind"] = label(params["kind"], DocumentKind)
    if "countries" in params:
        params["countries"] = ", ".join(
            country_name(code) for code in str(params["countries"]).split(", ")
        )
    return str(gettext(problem.message, **params))


def left_to_right(text: object) -> Markup:
    """A code or an ISO date (2026-000012, 2026-12-07) that reads left to right in any page: in
    a right-to-left line its parts would otherwise be reordered around the hyphens."""
    if text is None or text == "":
        return Markup("")
    return Markup('<bdi dir="ltr">{}</bdi>').format(text)


def isolated(text: object) -> Markup:
    """Text people typed (a name, a title), kept whole inside a sentence or a table of the other
    direction: a Latin organisation name in an Arabic line, an Arabic one in an English line,
    each in its own order and not reordered with the punctuation around it (``<bdi>``)."""
    if text is None or text == "":
        return Markup("")
    return Markup("<bdi>{}</bdi>").format(text)
