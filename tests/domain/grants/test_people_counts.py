"""People assisted are one cross table (exploitation x sex x age, new or continuing): every other
count of them is derived, so two tables of one report cannot disagree, and the fund's totals over
periods count each person once."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.grants.models import (
    EXPLOITATION_COLUMNS,
    FigureDimension,
    ReportKind,
    ReportStatus,
    sex_age_code,
)
from app.grants.services import reports
from app.grants.services.reports import PeopleCountsRefused, ReportData
from app.platform.categories import AgeGroup, Sex
from app.platform.extensions import db
from app.reporting.people import people_assisted, people_by_grant
from tests.grants_support import USD, active_grant, fund, manager, report_of, signatory

WOMEN = ("sexual_exploitation", Sex.FEMALE, AgeGroup.ADULT)
GIRLS = ("sexual_exploitation", Sex.FEMALE, AgeGroup.CHILD)
MEN = ("forced_labour", Sex.MALE, AgeGroup.ADULT)


@pytest.fixture
def grant():
    fund(100_000 * USD)
    return active_grant(amount=10_000 * USD)


def _save(report, **data):
    return reports.save_report(
        actor=signatory(report.grant), report=report, data=ReportData(results="Done.", **data)
    )


def _accept(report, **data):
    _save(report, **data)
    reports.submit_report(actor=signatory(report.grant), report=report)
    reports.accept_report(actor=manager(), report=report)


def test_the_report_data_has_no_separate_totals_to_disagree_with():
    # The fields a form or the API can fill: the cells and the assistance, never a total.
    assert not {"figures", "sex_age", "exploitation"} & set(ReportData.__dataclass_fields__)


def test_more_people_with_one_assistance_than_people_assisted_is_refused(grant):
    report = report_of(grant, ReportKind.PROGRESS)
    _save(report, people={WOMEN: (10, 0)}, assistance={"shelter": 10})
    with pytest.raises(PeopleCountsRefused) as refused:
        _save(report, people={WOMEN: (10, 0)}, assistance={"shelter": 11, "medical": 10})
    assert list(refused.value.problems) == ["assistance.shelter"]
    assert "At most 10" in refused.value.problems["assistance.shelter"].message
    # Nothing half-written: every check runs before the report is touched.
    db.session.flush()
    db.session.expire(report)
    assert report.people_assisted == 10
    assert report.figures_of(FigureDimension.ASSISTANCE) == {"shelter": 10}


def test_continuing_people_must_have_been_counted_as_new_before(grant):
    first = report_of(grant, ReportKind.PROGRESS)
    with pytest.raises(PeopleCountsRefused, match="earlier reports count 0 new people"):
        _save(first, people={WOMEN: (5, 2)})
    _save(first, people={WOMEN: (5, 0), MEN: (3, 0)})
    final = report_of(grant, ReportKind.FINAL)
    with pytest.raises(PeopleCountsRefused) as refused:
        _save(final, people={WOMEN: (1, 9)})
    assert list(refused.value.problems) == ["continuing"]
    _save(final, people={WOMEN: (1, 5), MEN: (0, 3)})  # age and sex groups need not match
    assert (final.people_table.new, final.people_table.continuing) == (1, 8)


def test_unknown_categories_and_negative_counts_are_refused(grant):
    report = report_of(grant, ReportKind.PROGRESS)
    for people in (
        {("theft", "female", "adult"): (1, 0)},
        {("forced_labour", "woman", "adult"): (1, 0)},
        {("forced_labour", "female", "elder"): (1, 0)},
        {WOMEN: (-1, 0)},
        {WOMEN: (1, -1)},
        {WOMEN: (10**9, 0)},
    ):
        with pytest.raises(PeopleCountsRefused):
            _save(report, people=people)
    with pytest.raises(PeopleCountsRefused, match="not one of the counted categories"):
        _save(report, people={WOMEN: (1, 0)}, assistance={"cash": 1})


cells = st.dictionaries(
    st.tuples(
        st.sampled_from(EXPLOITATION_COLUMNS), st.sampled_from(Sex), st.sampled_from(AgeGroup)
    ),
    st.tuples(st.integers(0, 500), st.integers(0, 0)),
    max_size=12,
)


@settings(
    database=None,
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=cells, later=cells, continuing=st.integers(0, 400))
def test_derived_totals_always_equal_the_cell_sums(grant, first, later, continuing):
    outer = db.session.begin_nested()
    try:
        one, two = report_of(grant, ReportKind.PROGRESS), report_of(grant, ReportKind.FINAL)
        _accept(one, people=first)
        before = sum(new for new, _ in first.values())
        still = min(continuing, before)
        if still:
            later = {**later, WOMEN: (later.get(WOMEN, (0, 0))[0], still)}
        _accept(two, people=later)
        for report, given_cells in ((one, first), (two, later)):
            table = report.people_table
            sex_age, by_form = Counter(), Counter()
            for (form, sex, age), (new, cont) in given_cells.items():
                sex_age[sex_age_code(sex, age)] += new + cont
                by_form[form] += new + cont
            assert {k: v for k, v in table.by_sex_age().items() if v} == +sex_age
            assert {k: v for k, v in table.by_exploitation().items() if v} == +by_form
            assert sum(table.by_sex_age().values()) == sum(table.by_exploitation().values())
            assert sum(table.by_sex_age().values()) == table.total == report.people_assisted
        # The fund's totals: each person once, whichever way they are added up.
        counted = people_assisted()
        new_people = one.people_table.new + two.people_table.new
        assert counted.total == new_people == sum(counted.exploitation.values())
        assert counted.continuing == still
        assert people_by_grant([grant.id]) == ({grant.id: new_people} if new_people else {})
    finally:
        outer.rollback()
        db.session.expire_all()


def test_totals_over_two_periods_count_continuing_people_once(grant):
    first, final = report_of(grant, ReportKind.PROGRESS), report_of(grant, ReportKind.FINAL)
    _accept(first, people={WOMEN: (10, 0), GIRLS: (2, 0)}, assistance={"shelter": 12})
    # The same ten women are still assisted, and three men are new.
    _accept(final, people={WOMEN: (0, 10), MEN: (3, 0)}, assistance={"shelter": 13})
    assert final.status == ReportStatus.ACCEPTED
    assert (final.people_assisted, first.people_assisted) == (13, 12)
    counted = people_assisted()
    assert counted.total == 15  # not 25: the ten women are counted once
    assert counted.continuing == 10
    assert counted.sex_age["female.adult"] == 10
    assert counted.exploitation["sexual_exploitation"] == 12
    assert counted.exploitation["forced_labour"] == 3
    assert people_by_grant([grant.id]) == {grant.id: 15}
    assert people_assisted(year=final.due_date.year).total == (
        15 if first.due_date.year == final.due_date.year else 3
    )
