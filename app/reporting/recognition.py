"""The public recognition page: money received one year at a time, and by whom where it may be
said.

Made from reporting's figures of contributions, so it lives with reporting (donations' own
rules never depend on reporting, which reads them). A year's figures are a few grouped queries
over the running totals (decision 0123), summed in the database; the names are listed a page at
a time in alphabetical order (accents and case set aside), filtered by the folded words of a
search, so the work of a page does not grow with the number of donors beyond it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from babel import Locale

from app.donations.models import GOVERNMENT_KINDS, Donor, ReceivedTotal
from app.platform.extensions import db
from app.platform.keyset import Key
from app.reporting.contributions import (
    UNIDENTIFIED,
    by_year_and_kind,
    credited_by_name,
    holds_an_entry,
)
from app.reporting.donor_names import (
    ENGLISH,
    countries_named,
    english_keys,
    folded_country_name,
)
from app.search.text import SQL_FUNCTION, terms

GOVERNMENTS = "governments"
NAMED = "named"
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class RecognitionYear:
    year: int
    total_functional: int = 0
    anonymous_functional: int = 0
    # Bank transfers received but not yet matched to a donor: part of the year's total, as on
    # /transparency, so the two pages agree.
    unmatched_functional: int = 0


def years_received() -> list[int]:
    """The years in which money was received, newest first (one grouped query by year and
    kind, a few rows a year)."""
    return sorted(
        (year for year, kinds in by_year_and_kind().items() if sum(kinds.values()) > 0),
        reverse=True,
    )


def _groups(year: int) -> Any:
    """The year's money per donor and choice to be named (a donor may have both), as the page
    has always counted it: a group that adds up to nothing or less is left out."""
    amount = sa.func.sum(ReceivedTotal.amount)
    category = sa.case(
        (Donor.kind.in_(list(GOVERNMENT_KINDS)), GOVERNMENTS),
        (credited_by_name() == sa.true(), NAMED),
        else_=ANONYMOUS,
    )
    return (
        sa.select(category.label("category"), amount.label("amount"))
        .select_from(ReceivedTotal)
        .join(Donor, Donor.id == ReceivedTotal.donor_id)
        .where(ReceivedTotal.year == year)
        .group_by(ReceivedTotal.donor_id, Donor.kind, credited_by_name())
        .having(holds_an_entry(), amount > 0)
        .subquery()
    )


def recognition_year(year: int) -> RecognitionYear:
    """One year's figures: governments, donors named and anonymous added up by the database,
    with the bank transfers not yet matched to a donor."""
    groups = _groups(year)
    rows = db.session.execute(
        sa.select(groups.c.category, sa.func.sum(groups.c.amount)).group_by(groups.c.category)
    ).all()
    figures = {str(category): int(total or 0) for category, total in rows}
    unmatched = by_year_and_kind(since_year=year).get(year, {}).get(UNIDENTIFIED, 0)
    unmatched = max(unmatched, 0)
    return RecognitionYear(
        year=year,
        total_functional=sum(figures.values()) + unmatched,
        anonymous_functional=figures.get(ANONYMOUS, 0),
        unmatched_functional=unmatched,
    )


def _folded_name() -> Any:
    return getattr(sa.func, SQL_FUNCTION)(Donor.name, type_=sa.String)


# Alphabetical, accents and case set aside (the same on SQLite and PostgreSQL, whatever their
# collation), then the donor's id: the keys of the names lists' keyset pages.
NAME_ORDER: Sequence[Key] = (Key(_folded_name, str), Key(lambda: Donor.id, int))


def _stands_for(keys: Sequence[tuple[str, str]]) -> Any:
    """Government donors recorded under the English name of one of these countries ((code,
    folded English name), from ``english_keys``): the rule of app/reporting/donor_names.py,
    said in SQL."""
    if not keys:
        return sa.false()
    english = sa.case(dict(keys), value=Donor.country)
    return sa.and_(Donor.kind.in_(list(GOVERNMENT_KINDS)), _folded_name() == english)


def _matching(query: sa.Select[Any], search: str, locale: Locale | None = None) -> sa.Select[Any]:
    """Each word in the stored name, or (``locale`` given: lists that hold governments) in the
    name of the country a government stands for, as the reader's language writes it."""
    for word in terms(search):
        found = _folded_name().contains(word, autoescape=True)
        if locale is not None:
            found = sa.or_(found, _stands_for(english_keys(countries_named(word, locale))))
        query = query.where(found)
    return query


def government_order(locale: Locale) -> Sequence[Key]:
    """NAME_ORDER for the governments' list, where a government standing for its country sorts
    by the country's name in ``locale`` ("Allemagne" among the A in French), as the page shows
    it. The countries of government donors are read first (one small query: at most one row a
    country), so the sort key names only those."""
    countries = db.session.execute(
        sa.select(Donor.country)
        .where(Donor.kind.in_(list(GOVERNMENT_KINDS)), Donor.country.is_not(None))
        .distinct()
    ).scalars()
    keys = english_keys(sorted(str(code) for code in countries))
    if not keys:
        return NAME_ORDER
    local = {code: folded_country_name(code, locale) or name for code, name in keys}

    def sort_name() -> Any:
        return sa.case(
            (_stands_for(keys), sa.case(local, value=Donor.country)), else_=_folded_name()
        )

    return (Key(sort_name, str), Key(lambda: Donor.id, int))


def governments_query(year: int, search: str = "", locale: Locale = ENGLISH) -> sa.Select[Any]:
    """Member States and other governments who gave in ``year`` (their ids), for a keyset page
    in ``government_order(locale)``; ``government_lines`` gives the page's names and amounts.
    The search finds a State by its country's name in ``locale`` too."""
    amount = sa.func.sum(ReceivedTotal.amount)
    query = (
        sa.select(Donor.id)
        .select_from(ReceivedTotal)
        .join(Donor, Donor.id == ReceivedTotal.donor_id)
        .where(ReceivedTotal.year == year, Donor.kind.in_(list(GOVERNMENT_KINDS)))
        .group_by(Donor.id, Donor.name, Donor.kind, Donor.country)
        .having(holds_an_entry(), amount > 0)
    )
    return _matching(query, search, locale)


@dataclass(frozen=True)
class GovernmentLine:
    name: str  # as stored: pages show it through app/reporting/donor_names.py
    amount: int
    kind: str = ""
    country: str | None = None


def government_lines(year: int, donor_ids: Sequence[int]) -> list[GovernmentLine]:
    """The names and amounts of ``year`` of a page of governments, in the page's order."""
    if not donor_ids:
        return []
    rows = db.session.execute(
        sa.select(
            Donor.id, Donor.name, Donor.kind, Donor.country, sa.func.sum(ReceivedTotal.amount)
        )
        .select_from(ReceivedTotal)
        .join(Donor, Donor.id == ReceivedTotal.donor_id)
        .where(ReceivedTotal.year == year, Donor.id.in_(list(donor_ids)))
        .group_by(Donor.id, Donor.name, Donor.kind, Donor.country)
    ).all()
    found = {
        donor_id: GovernmentLine(str(name), int(total or 0), str(kind), country)
        for donor_id, name, kind, country, total in rows
    }
    return [found[donor_id] for donor_id in donor_ids if donor_id in found]


def named_query(year: int, search: str = "") -> sa.Select[Any]:
    """Other donors who asked to be named for their money of ``year`` (their name only), for a
    keyset page in NAME_ORDER."""
    amount = sa.func.sum(ReceivedTotal.amount)
    query = (
        sa.select(Donor.name)
        .select_from(ReceivedTotal)
        .join(Donor, Donor.id == ReceivedTotal.donor_id)
        .where(
            ReceivedTotal.year == year,
            Donor.kind.not_in(list(GOVERNMENT_KINDS)),
            credited_by_name() == sa.true(),
        )
        .group_by(Donor.id, Donor.name)
        .having(holds_an_entry(), amount > 0)
    )
    return _matching(query, search)


def years_matching(search: str, locale: Locale = ENGLISH) -> list[int]:
    """The years, newest first, in which a donor the page names (a government, or a donor who
    asked to be named) matches ``search`` (a State by its country's name in ``locale`` too):
    where to look when this year's lists do not have them (a donor who gave last year searches
    the newest year first)."""
    amount = sa.func.sum(ReceivedTotal.amount)
    listed = sa.or_(Donor.kind.in_(list(GOVERNMENT_KINDS)), credited_by_name() == sa.true())
    groups = _matching(
        sa.select(ReceivedTotal.year.label("year"))
        .select_from(ReceivedTotal)
        .join(Donor, Donor.id == ReceivedTotal.donor_id)
        .where(listed)
        .group_by(ReceivedTotal.year, Donor.id, Donor.kind, Donor.country, credited_by_name())
        .having(holds_an_entry(), amount > 0),
        search,
        locale,
    ).subquery()
    years = db.session.execute(
        sa.select(groups.c.year).distinct().order_by(groups.c.year.desc())
    ).scalars()
    return [int(year) for year in years]
