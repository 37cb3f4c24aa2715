"""The public recognition page: money received per year, and by whom where it may be said.

Made from reporting's figures of contributions, so it lives with reporting (donations' own
rules never depend on reporting, which reads them)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from app.donations.models import GOVERNMENT_KINDS
from app.reporting.contributions import by_year_and_donor


@dataclass
class RecognitionYear:
    year: int
    total_functional: int = 0
    # name → amount received that year (functional currency)
    governments: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    named: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    anonymous_functional: int = 0


def recognition() -> list[RecognitionYear]:
    """Money received per year: governments by name (UN practice), others by name only when
    they opted in, everyone else counted together as anonymous. One grouped query."""
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
    return [years[year] for year in sorted(years, reverse=True)]
