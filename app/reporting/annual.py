"""The annual report to donors: what came in, what was granted where, whom it helped."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.reporting.contributions import DonorTable, by_donor
from app.reporting.grants import (
    CountryLine,
    GrantTotals,
    ThemeLine,
    by_country,
    by_theme,
    grant_totals,
)
from app.reporting.people import PeopleAssisted, people_assisted
from app.reporting.results import PublicStandardTotal, public_standard_totals
from app.reporting.statement import Period, Statement, statement

FIRST_YEAR = 2000
LAST_YEAR = 2100


@dataclass(frozen=True)
class AnnualReport:
    year: int
    donors: DonorTable
    grants: GrantTotals
    countries: list[CountryLine]
    themes: list[ThemeLine]
    people: PeopleAssisted
    statement: Statement
    # The fund's standard indicators, added up over accepted reports due in the year, small
    # counts suppressed (app/reporting/results.py).
    results: list[PublicStandardTotal] = field(default_factory=list)


def annual_report(year: int) -> AnnualReport:
    """Contributions received in ``year`` by donor, grants awarded in it by country and theme,
    people assisted in reports due in it, and the year's statement."""
    return AnnualReport(
        year=year,
        donors=by_donor(year=year),
        grants=grant_totals(year=year),
        countries=by_country(year=year),
        themes=by_theme(year=year),
        people=people_assisted(year=year),
        statement=statement(Period.year(year)),
        results=public_standard_totals(year=year),
    )
