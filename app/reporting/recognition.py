"""The public recognition page: money received per year, and by whom where it may be said.

Made from reporting's figures of contributions, so it lives with reporting (donations' own
rules never depend on reporting, which reads them)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from app.donations.models import GOVERNMENT_KINDS
from app.reporting.contributions import UNIDENTIFIED, by_year_and_donor, by_year_and_kind


@dataclass
class RecognitionYear:
    year: int
    total_functional: int = 0
    # name → amount received that year (functional currency)
    governments: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    named: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    anonymous_functional: int = 0
    # Bank transfers received but not yet matched to a donor: part of the year's total, as on
    # /transparency, so the two pages agree.
    unmatched_functional: int = 0


def recognition() -> list[RecognitionYear]:
    """Money received per year: governments by name (UN practice), others by name only when
    they opted in, everyone else counted together as anonymous, and bank transfers not yet
    matched to a donor apart. Two grouped queries on the running totals."""
    years: dict[int, RecognitionYear] = {}
    for line in by_year_and_donor():
        if line.amount <= 0:
            continue
        entry = years.setdefault(line.year, RecognitionYear(line.year))
        entry.total_functional += line.amount
        if line.kind in GOVERNMENT_KINDS:
            entry.governments[line.name] += line.amount
        elif line.named:
            entry.named[line.name] += line.amount
        else:
            entry.anonymous_functional += line.amount
    for year, kinds in by_year_and_kind().items():
        unmatched = kinds.get(UNIDENTIFIED, 0)
        if unmatched > 0:
            entry = years.setdefault(year, RecognitionYear(year))
            entry.total_functional += unmatched
            entry.unmatched_functional += unmatched
    return [years[year] for year in sorted(years, reverse=True)]
