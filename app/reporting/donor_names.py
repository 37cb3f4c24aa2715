"""A donor's name as the public pages show it: a State recorded under its country's name is
shown by that country's name in the reader's language ("Allemagne" for "Germany" in French).

The rule, in one place: a government donor (a Member State or another government) whose country
is set and whose stored name is that country's English name (accents and case set aside, as
search compares text) stands for the country, so the reader's language names it (CLDR, through
Babel, as the grant countries are named). Any other name is shown as stored: "Government of
Flanders", "European Union", "Permanent Mission of X", a foundation or a person are never
translated, and a government recorded under another English form of its country's name
("Republic of Korea" where CLDR says "South Korea") keeps it, since nothing says it means the
country and not something of it. The stored name stays the record's English name (receipts,
finance's pages, the JSON API, exports).

Plain values in, plain values out: the caller gives the reader's locale (a Babel ``Locale``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from babel import Locale

from app.donations.models import GOVERNMENT_KINDS, DonorKind
from app.search.text import fold

ENGLISH = Locale("en")


@lru_cache(maxsize=8)
def _territories(locale: Locale) -> dict[str, str]:
    """ISO 3166 alpha-2 code -> the country's name in ``locale`` (CLDR's regions, such as
    "150" for Europe, left out)."""
    return {
        code: str(name)
        for code, name in locale.territories.items()
        if isinstance(code, str) and len(code) == 2 and code.isalpha()
    }


def english_country_name(code: str | None) -> str | None:
    return _territories(ENGLISH).get(code or "")


def stands_for_country(kind: DonorKind | str | None, name: str, country: str | None) -> bool:
    """Whether the donor is a government recorded under its country's English name."""
    if kind not in GOVERNMENT_KINDS:
        return False
    english = english_country_name(country)
    return english is not None and fold(name.strip()) == fold(english)


def public_name(
    *, kind: DonorKind | str | None, name: str, country: str | None, locale: Locale
) -> str:
    """The name public pages show for a donor (see the module's docstring)."""
    if country and stands_for_country(kind, name, country):
        return _territories(locale).get(country, name)
    return name


def countries_named(word: str, locale: Locale) -> list[str]:
    """The codes of the countries whose name in ``locale`` holds the folded ``word``."""
    return sorted(code for code, name in _territories(locale).items() if word in fold(name))


def english_keys(codes: Iterable[str]) -> list[tuple[str, str]]:
    """(code, folded English name) of each country: a donor standing for one of them has that
    code and that folded name (the database folds names the same way: app/search/text.py)."""
    english = _territories(ENGLISH)
    return [(code, fold(english[code])) for code in codes if code in english]


def folded_country_name(code: str, locale: Locale) -> str | None:
    """The country's folded name in ``locale``: where a donor standing for it sorts."""
    name = _territories(locale).get(code)
    return None if name is None else fold(name)
