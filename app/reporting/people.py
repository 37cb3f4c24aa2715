"""People assisted, from the cross tables of accepted grantee reports.

Each report counts the people assisted in its period once, by form of exploitation x sex x age,
as new (first counted by this report) or continuing (counted as new by an earlier report of the
grant). Over periods each person is counted once: the fund adds up the new and never adds the
continuing again. Totals by sex and age and by exploitation are derived from the same cells, so
they add up to the same total. Only reports the fund manager accepted count. A report belongs
to the year of its due date, so a year's figures are the people first counted that year.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from app.grants.models import (
    EXPLOITATION_COLUMNS,
    FigureDimension,
    GrantReport,
    ReportFigure,
    ReportPeople,
    ReportStatus,
)
from app.platform.categories import AgeGroup, Sex
from app.platform.extensions import db
from app.platform.sql import date_year


def sex_age_key(sex: Sex, age: AgeGroup) -> str:
    return f"{sex.value}.{age.value}"


@dataclass(frozen=True)
class PeopleAssisted:
    """People counted once, by sex x age ("female.adult") and by form of exploitation
    ("not_recorded" included), both derived from the new people of the cross tables; people
    per type of assistance, summed over periods (a person may receive several, and in several
    periods); and the continuing people, who are not added again."""

    sex_age: dict[str, int] = field(default_factory=dict)
    exploitation: dict[str, int] = field(default_factory=dict)
    assistance: dict[str, int] = field(default_factory=dict)
    continuing: int = 0

    @property
    def total(self) -> int:
        return sum(self.sex_age.values())


def _accepted(year: int | None) -> list[sa.ColumnElement[bool]]:
    """Reports that count: accepted ones (due in ``year`` when given)."""
    conditions = [GrantReport.status == ReportStatus.ACCEPTED]
    if year is not None:
        conditions.append(date_year(GrantReport.due_date) == year)
    return conditions


def people_assisted(*, year: int | None = None) -> PeopleAssisted:
    cells = (
        sa.select(
            ReportPeople.exploitation,
            ReportPeople.sex,
            ReportPeople.age,
            sa.func.sum(ReportPeople.new_people),
            sa.func.sum(ReportPeople.continuing_people),
        )
        .join(GrantReport, GrantReport.id == ReportPeople.report_id)
        .where(*_accepted(year))
        .group_by(ReportPeople.exploitation, ReportPeople.sex, ReportPeople.age)
    )
    # Every sex x age cell and every form of exploitation is present, zero when none.
    sex_age = {sex_age_key(s, a): 0 for s in Sex for a in AgeGroup}
    exploitation = dict.fromkeys(EXPLOITATION_COLUMNS, 0)
    continuing = 0
    for form, sex, age, new, still in db.session.execute(cells):
        sex_age[sex_age_key(Sex(sex), AgeGroup(age))] += int(new or 0)
        exploitation[str(form)] = exploitation.get(str(form), 0) + int(new or 0)
        continuing += int(still or 0)
    assistance_query = (
        sa.select(ReportFigure.code, sa.func.sum(ReportFigure.count))
        .join(GrantReport, GrantReport.id == ReportFigure.report_id)
        .where(ReportFigure.dimension == FigureDimension.ASSISTANCE, *_accepted(year))
        .group_by(ReportFigure.code)
    )
    assistance = {str(code): int(n or 0) for code, n in db.session.execute(assistance_query)}
    return PeopleAssisted(
        sex_age=sex_age, exploitation=exploitation, assistance=assistance, continuing=continuing
    )


def people_by_grant(grant_ids: list[int]) -> dict[int, int]:
    """The people each grant assisted, each counted once: its accepted reports' new people."""
    if not grant_ids:
        return {}
    query = (
        sa.select(GrantReport.grant_id, sa.func.sum(ReportPeople.new_people))
        .join(GrantReport, GrantReport.id == ReportPeople.report_id)
        .where(GrantReport.grant_id.in_(grant_ids), *_accepted(None))
        .group_by(GrantReport.grant_id)
    )
    return {int(g): int(n or 0) for g, n in db.session.execute(query)}
