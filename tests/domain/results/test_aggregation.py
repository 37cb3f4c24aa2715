"""The fund's standard indicators added up for the annual report and the public page: only
accepted reports, only indicators from the fund's list counted in people or numbers, by the
year of the report's due date, small totals suppressed as elsewhere ("<5")."""

from __future__ import annotations

from app.grants.models import ReportKind
from app.grants.services import reports as grant_reports
from app.reporting.annual import annual_report
from app.reporting.results import public_standard_totals, standard_totals
from app.reporting.transparency import transparency
from app.results import services as results
from app.results.models import IndicatorUnit
from app.results.services import ActualData
from tests.grants_support import (
    USD,
    active_grant,
    fund,
    manager,
    report_data,
    report_of,
    signatory,
)
from tests.results_support import framework_for


def _reported(shelter: int, own: int, percent: int, *, accept: bool = True):
    """A grant whose first progress report gives these actuals, explained, and is accepted."""
    grant = active_grant()
    indicators = framework_for(
        grant.application,
        ("VA-SHELTER", IndicatorUnit.PEOPLE, [100]),
        (None, IndicatorUnit.NUMBER, [10]),
        ("FW-TRAINED", IndicatorUnit.PERCENT, [50]),  # a percentage never adds up
    )
    report = report_of(grant, ReportKind.PROGRESS)
    author = signatory(grant)
    grant_reports.save_report(actor=author, report=report, data=report_data(report))
    results.save_actuals(
        actor=author,
        report=report,
        actuals={
            indicator.id: ActualData(value, "Explained.")
            for indicator, value in zip(indicators, (shelter, own, percent), strict=True)
        },
    )
    grant_reports.submit_report(actor=author, report=report)
    if accept:
        grant_reports.accept_report(actor=manager(), report=report)
    return grant, report


def test_standard_indicators_add_up_over_accepted_reports_and_small_totals_are_hidden():
    fund(100_000 * USD)
    _grant, first = _reported(3, 7, 40)
    assert [(t.indicator.code, t.total, t.grants) for t in standard_totals()] == [
        ("VA-SHELTER", 3, 1)
    ]
    [public] = public_standard_totals()
    assert public.code == "VA-SHELTER" and public.total is None  # 3 people: "<5"

    _reported(4, 7, 60)
    _reported(50, 7, 60, accept=False)  # submitted, not accepted: not counted
    [total] = standard_totals()
    assert (total.total, total.grants) == (7, 2)
    assert [t.total for t in public_standard_totals()] == [7]

    year = first.due_date.year
    assert [t.total for t in annual_report(year).results] == [7]
    assert annual_report(year + 1).results == []
    assert [t.total for t in standard_totals(year=year)] == [7]
    assert [(t.code, t.total) for t in transparency().results] == [("VA-SHELTER", 7)]
    assert transparency().results[0].name_in("fr").startswith("Victimes de la traite")
