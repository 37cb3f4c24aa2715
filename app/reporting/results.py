"""The fund's standard indicators added up over grants, from accepted reports' actuals.

Only indicators from the fund's list count, and only those counted in people or numbers (a
percentage does not add up). Each report gives what was achieved in its own period, so a
grant's actuals add up; a report belongs to the year of its due date, as for people assisted
(app/reporting/people.py). Public outputs suppress small counts (suppression.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.grants.models import GrantReport, ReportStatus
from app.platform.extensions import db
from app.platform.sql import date_year
from app.reporting.suppression import suppress
from app.results.models import (
    ADDITIVE_UNITS,
    IndicatorUnit,
    ResultActual,
    ResultIndicator,
    SdgTarget,
    StandardIndicator,
)


@dataclass(frozen=True)
class StandardTotal:
    indicator: StandardIndicator
    total: int
    grants: int

    @property
    def unit(self) -> IndicatorUnit:
        return self.indicator.unit

    @property
    def sdg_target(self) -> SdgTarget:
        return self.indicator.sdg_target


@dataclass(frozen=True)
class PublicStandardTotal:
    """A total for a public output, in plain values (the public page's figures are cached):
    ``total`` None means "<5"."""

    code: str
    name: str
    names: dict[str, str]
    unit: IndicatorUnit
    sdg_target: SdgTarget
    total: int | None
    grants: int

    def name_in(self, locale: str) -> str:
        return self.names.get(locale.split("_")[0]) or self.name


def standard_totals(*, year: int | None = None) -> list[StandardTotal]:
    """Each standard indicator (people or number) with the sum of its accepted actuals, and
    the number of grants that gave them; indicators nobody reported on are left out."""
    query = (
        sa.select(
            ResultIndicator.standard_id,
            sa.func.sum(ResultActual.value),
            sa.func.count(sa.distinct(GrantReport.grant_id)),
        )
        .join(ResultIndicator, ResultIndicator.id == ResultActual.indicator_id)
        .join(GrantReport, GrantReport.id == ResultActual.report_id)
        .where(
            GrantReport.status == ReportStatus.ACCEPTED,
            ResultIndicator.standard_id.is_not(None),
            ResultIndicator.unit.in_(sorted(ADDITIVE_UNITS)),
        )
        .group_by(ResultIndicator.standard_id)
    )
    if year is not None:
        query = query.where(date_year(GrantReport.due_date) == year)
    sums = {
        int(sid or 0): (int(total or 0), int(grants or 0))
        for sid, total, grants in db.session.execute(query)
    }
    if not sums:
        return []
    indicators = db.session.scalars(
        sa.select(StandardIndicator)
        .where(StandardIndicator.id.in_(sums))
        .order_by(StandardIndicator.sdg_target, StandardIndicator.code)
    )
    return [
        StandardTotal(indicator=i, total=sums[i.id][0], grants=sums[i.id][1]) for i in indicators
    ]


def public_standard_totals(*, year: int | None = None) -> list[PublicStandardTotal]:
    """The same, with totals from 1 to 4 suppressed: each indicator is a count of people or of
    cases, published on its own (no table total could reveal a hidden cell)."""
    return [
        PublicStandardTotal(
            code=t.indicator.code,
            name=t.indicator.name,
            names=dict(t.indicator.names or {}),
            unit=t.unit,
            sdg_target=t.sdg_target,
            total=suppress(t.total),
            grants=t.grants,
        )
        for t in standard_totals(year=year)
    ]
