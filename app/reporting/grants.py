"""Grants by country, region and theme, and disbursements over time: grouped queries.

A grant working in several countries is split evenly between them (the first country listed
takes the odd cents), so country and region totals add up to the grants' total to the cent.
Themes are the groups the project reaches; a grant counts in each of its themes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa

from app.applications.models import Application
from app.grants.models import Grant, Tranche, TrancheStatus
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.regions import Region, region_of
from app.platform.sql import json_elements, json_length, month_of, year_of

UNSPECIFIED = ""  # the country (or theme) of a grant that names none


@dataclass
class CountryLine:
    country: str
    grants: int = 0
    amount: int = 0
    themes: set[str] = field(default_factory=set)


@dataclass
class RegionLine:
    region: Region
    grants: int = 0
    amount: int = 0
    countries: list[CountryLine] = field(default_factory=list)


def _filtered(query: Any, year: int | None) -> Any:
    return query if year is None else query.where(year_of(Grant.awarded_at) == year)


def by_country(*, year: int | None = None) -> list[CountryLine]:
    """Grants and amounts (awarded, without support cost) by country, largest first."""
    countries, country, first = json_elements(Application.countries, "country")
    n = json_length(Application.countries)
    share = Grant.amount // n + sa.case((first, Grant.amount % n), else_=0)
    split = _filtered(
        sa.select(country, sa.func.count(Grant.id), sa.func.sum(share))
        .select_from(Grant)
        .join(Application, Application.id == Grant.application_id)
        .join(countries, sa.true())
        .group_by(country),
        year,
    )
    lines = {
        str(code): CountryLine(str(code), int(count), int(amount or 0))
        for code, count, amount in db.session.execute(split)
    }
    nowhere = db.session.execute(
        _filtered(
            sa.select(sa.func.count(Grant.id), sa.func.coalesce(sa.func.sum(Grant.amount), 0))
            .select_from(Grant)
            .join(Application, Application.id == Grant.application_id)
            .where(n == 0),
            year,
        )
    ).one()
    if nowhere[0]:
        lines[UNSPECIFIED] = CountryLine(UNSPECIFIED, int(nowhere[0]), int(nowhere[1]))
    themes, theme, _first = json_elements(Application.target_groups, "theme")
    pairs = _filtered(
        sa.select(country, theme)
        .select_from(Grant)
        .join(Application, Application.id == Grant.application_id)
        .join(countries, sa.true())
        .join(themes, sa.true())
        .group_by(country, theme),
        year,
    )
    for code, group in db.session.execute(pairs):
        if str(code) in lines:
            lines[str(code)].themes.add(str(group))
    return sorted(lines.values(), key=lambda line: (-line.amount, line.country))


def by_region(
    lines: list[CountryLine], overrides: Mapping[str, str] | None = None
) -> list[RegionLine]:
    """The country lines folded into M49 regions, largest first."""
    regions: dict[Region, RegionLine] = {}
    for line in lines:
        region = regions.setdefault(
            region_of(line.country, overrides), RegionLine(region_of(line.country, overrides))
        )
        region.amount += line.amount
        region.grants += line.grants
        region.countries.append(line)
    return sorted(regions.values(), key=lambda r: (-r.amount, r.region.value))


@dataclass(frozen=True)
class ThemeLine:
    theme: str
    grants: int
    amount: int


def by_theme(*, year: int | None = None) -> list[ThemeLine]:
    """Grants and their full amounts by theme (a grant counts in each of its themes)."""
    themes, theme, _first = json_elements(Application.target_groups, "theme")
    query = _filtered(
        sa.select(theme, sa.func.count(Grant.id), sa.func.sum(Grant.amount))
        .select_from(Grant)
        .join(Application, Application.id == Grant.application_id)
        .join(themes, sa.true())
        .group_by(theme),
        year,
    )
    lines = [ThemeLine(str(t), int(c), int(a or 0)) for t, c, a in db.session.execute(query)]
    return sorted(lines, key=lambda line: (-line.amount, line.theme))


@dataclass(frozen=True)
class GrantTotals:
    grants: int
    amount: int
    psc: int
    organisations: int


def grant_totals(*, year: int | None = None) -> GrantTotals:
    row = db.session.execute(
        _filtered(
            sa.select(
                sa.func.count(Grant.id),
                sa.func.coalesce(sa.func.sum(Grant.amount), 0),
                sa.func.coalesce(sa.func.sum(Grant.psc_amount), 0),
                sa.func.count(sa.distinct(Grant.organisation_id)),
            ),
            year,
        )
    ).one()
    return GrantTotals(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def disbursements_by_month(*, since: date) -> dict[tuple[int, int], int]:
    """Tranches paid per (year, month) since ``since``, every month present (zero if none)."""
    confirmed = Tranche.confirmed_at
    year, month = year_of(confirmed), month_of(confirmed)
    rows = db.session.execute(
        sa.select(year, month, sa.func.sum(Tranche.amount))
        .where(Tranche.status == TrancheStatus.PAID, confirmed >= _midnight(since))
        .group_by(year, month)
    ).all()
    found = {(int(y), int(m)): int(a or 0) for y, m, a in rows}
    months: dict[tuple[int, int], int] = {}
    cursor = (since.year, since.month)
    last = max([*found, _today_month()])
    while cursor <= last:
        months[cursor] = found.get(cursor, 0)
        cursor = (cursor[0] + cursor[1] // 12, cursor[1] % 12 + 1)
    return months


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def _today_month() -> tuple[int, int]:
    today = utcnow().date()
    return (today.year, today.month)
