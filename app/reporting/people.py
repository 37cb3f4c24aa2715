"""People assisted, from the aggregate figures of accepted grantee reports.

Each report counts the people assisted in its own period ("People assisted in the period" on
the report form), so the figures of a grant's reports add up. Only reports the fund manager
accepted count. A report belongs to the year of its due date.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from app.grants.models import FigureDimension, GrantReport, ReportFigure, ReportStatus
from app.platform.categories import AgeGroup, FormOfExploitation, Sex
from app.platform.extensions import db
from app.platform.sql import date_year


def sex_age_key(sex: Sex, age: AgeGroup) -> str:
    return f"{sex.value}.{age.value}"


@dataclass(frozen=True)
class PeopleAssisted:
    """Counts by sex x age ("female.adult"), by form of exploitation and by assistance type."""

    sex_age: dict[str, int] = field(default_factory=dict)
    exploitation: dict[str, int] = field(default_factory=dict)
    assistance: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.sex_age.values())


def people_assisted(*, year: int | None = None) -> PeopleAssisted:
    query = (
        sa.select(ReportFigure.dimension, ReportFigure.code, sa.func.sum(ReportFigure.count))
        .join(GrantReport, GrantReport.id == ReportFigure.report_id)
        .where(GrantReport.status == ReportStatus.ACCEPTED)
        .group_by(ReportFigure.dimension, ReportFigure.code)
    )
    if year is not None:
        query = query.where(date_year(GrantReport.due_date) == year)
    by_dimension: dict[str, dict[str, int]] = {d.value: {} for d in FigureDimension}
    for dimension, code, count in db.session.execute(query):
        by_dimension[str(getattr(dimension, "value", dimension))][str(code)] = int(count or 0)
    # Every sex x age cell and every form of exploitation is present, zero when none.
    sex_age = {sex_age_key(s, a): 0 for s in Sex for a in AgeGroup}
    sex_age.update(by_dimension[FigureDimension.SEX_AGE.value])
    exploitation = dict.fromkeys((f.value for f in FormOfExploitation), 0)
    exploitation.update(by_dimension[FigureDimension.EXPLOITATION.value])
    return PeopleAssisted(
        sex_age=sex_age,
        exploitation=exploitation,
        assistance=by_dimension[FigureDimension.ASSISTANCE.value],
    )
