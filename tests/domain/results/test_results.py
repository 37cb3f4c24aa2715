"""Results frameworks: the fund's indicator list, a proposal's framework and its checks, a
report's actuals with explained variances, a grant's progress; who may do what; the audit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.applications import services as applications
from app.applications.services import ResultsData, Section, SummaryData
from app.audit.models import AuditEvent
from app.grants.models import ReportKind
from app.grants.services import reports as grant_reports
from app.platform.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.results import services as results
from app.results.models import IndicatorUnit, SdgTarget
from app.results.services import ActualData, FrameworkRow
from tests.applications_support import applicant_of, ngo_organisation, started_application
from tests.grants_support import (
    USD,
    active_grant,
    fund,
    manager,
    report_data,
    report_of,
    signatory,
)
from tests.results_support import framework_for, require_frameworks, standard


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_the_fund_keeps_a_seeded_list_its_manager_edits_and_every_change_is_audited():
    codes = {i.code for i in results.standard_indicators()}
    assert {"VA-SHELTER", "VA-LEGAL", "VA-MEDICAL", "VA-REINTEGRATED", "FW-TRAINED"} <= codes
    assert standard("CASES-REFERRED").sdg_target == SdgTarget.SDG_16_2
    assert standard("VA-SHELTER").name_in("fr").startswith("Victimes de la traite")

    fm = manager()
    data = results.StandardIndicatorData(
        code="va-food",
        name="Victims given food and material aid",
        unit=IndicatorUnit.PEOPLE,
        sdg_target=SdgTarget.SDG_5_2,
        names={"fr": "Victimes ayant reçu une aide alimentaire", "es": ""},
    )
    added = results.save_standard_indicator(actor=fm, data=data)
    assert added.code == "VA-FOOD" and added.names == {
        "fr": "Victimes ayant reçu une aide alimentaire"
    }
    results.save_standard_indicator(
        actor=fm,
        indicator=added,
        data=results.StandardIndicatorData(
            code="VA-FOOD",
            name=data.name,
            unit=data.unit,
            sdg_target=data.sdg_target,
            active=False,
        ),
    )
    assert added.active is False
    assert added not in results.standard_indicators(active_only=True)
    [created] = _events("results.indicator_created")
    [changed] = _events("results.indicator_changed")
    assert created.subject_id == changed.subject_id == str(added.id)
    assert changed.changes["active"] == [True, False]

    with pytest.raises(Conflict):
        results.save_standard_indicator(
            actor=fm,
            data=results.StandardIndicatorData(
                code="va-shelter",
                name="Again",
                unit=IndicatorUnit.PEOPLE,
                sdg_target=SdgTarget.SDG_5_2,
            ),
        )
    applicant = applicant_of(ngo_organisation())
    with pytest.raises(PermissionDenied):
        results.save_standard_indicator(actor=applicant, data=data)


def _draft(months: int = 18):
    application = started_application()
    owner = applicant_of(application.organisation)
    applications.save_section(
        actor=owner,
        application=application,
        data=SummaryData("Safe houses", "Shelter.", "en", months),
        expected_version=None,
    )
    return application, owner


def _save(application, owner, *rows: FrameworkRow) -> None:
    applications.save_section(
        actor=owner, application=application, data=ResultsData(list(rows)), expected_version=None
    )


def _problems(application) -> list[str]:
    check = next(c for c in applications.completeness(application) if c.section == Section.RESULTS)
    return [p.message % p.params if p.params else p.message for p in check.problems]


def test_a_proposal_states_outcomes_outputs_and_yearly_targets_and_is_checked_before_submission(
    app, monkeypatch
):
    application, owner = _draft(months=18)  # two project years
    require_frameworks(monkeypatch, app, True)
    assert _problems(application) == ["Add at least one indicator to the results framework."]

    shelter = standard("VA-SHELTER")
    _save(
        application,
        owner,
        FrameworkRow(
            "Survivors recover", "Safe shelter", shelter.id, baseline=10, targets=[40, None]
        ),
        FrameworkRow(
            "Survivors recover",
            "Families traced",
            None,
            "Families reunited",
            IndicatorUnit.NUMBER,
            0,
            [5, 8],
        ),
        FrameworkRow("", "Staff trained", standard("FW-TRAINED").id, targets=[20, 20]),
    )
    outcomes = results.framework_of(application)
    assert [o.statement for o in outcomes] == ["Survivors recover", ""]
    assert [len(o.outputs) for o in outcomes] == [2, 1]
    first = outcomes[0].outputs[0].indicators[0]
    assert first.unit == IndicatorUnit.PEOPLE and first.baseline == 10 and first.target(1) == 40
    assert _problems(application) == [
        "“Victims of trafficking given safe shelter or housing”: give a target for each "
        "project year (1 to 2).",
        "“Front-line workers trained to identify and assist victims”: state the outcome and "
        "the output it measures.",
    ]
    assert _events("application.section_saved")[-1].summary == "results section saved"

    # Rewriting the section replaces the framework.
    _save(
        application,
        owner,
        FrameworkRow("Survivors recover", "Safe shelter", shelter.id, targets=[40, 60]),
    )
    assert _problems(application) == []
    assert len(results.framework_indicators(application)) == 1

    # When the fund does not require a framework, the section is listed only once written.
    require_frameworks(monkeypatch, app, False)
    assert Section.RESULTS in [c.section for c in applications.completeness(application)]
    _save(application, owner)
    assert Section.RESULTS not in [c.section for c in applications.completeness(application)]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            FrameworkRow("o", "p", None, "Share housed", IndicatorUnit.PERCENT, 0, [120]),
            "Share housed: baselines and targets go from 0 to 100.",
        ),
        (
            FrameworkRow("o", "p", None, "Own, no unit", None, 0, [1]),
            "Own, no unit: say in what it is counted (people, number or percent).",
        ),
        (
            FrameworkRow("o", "p", 999_999, targets=[1]),
            "Choose an indicator from the fund's current list.",
        ),
        (
            FrameworkRow("o", "p", None, "Negative", IndicatorUnit.NUMBER, -1, [1]),
            "Negative: baselines and targets go from 0 to 10000000.",
        ),
    ],
)
def test_impossible_values_are_refused_with_a_sentence(row, message):
    application, owner = _draft()
    with pytest.raises(ValidationFailed) as refused:
        _save(application, owner, row)
    assert refused.value.message == message


def test_only_the_applicant_writes_its_framework_and_the_fund_reads_it():
    application, owner = _draft()
    row = FrameworkRow("o", "p", standard("VA-LEGAL").id, targets=[3, 3])
    stranger = applicant_of(ngo_organisation())
    with pytest.raises(PermissionDenied):
        _save(application, stranger, row)
    with pytest.raises(PermissionDenied):
        results.replace_framework(actor=manager(), application=application, rows=[row])
    _save(application, owner, row)
    assert len(results.read_framework(actor=manager(), application=application)[0].outputs) == 1
    assert results.read_framework(actor=owner, application=application)
    with pytest.raises(PermissionDenied):
        results.read_framework(actor=stranger, application=application)


def _grant_with_framework(months: int = 12):
    fund(20_000 * USD)
    grant = active_grant(months=months)
    indicators = framework_for(
        grant.application,
        ("VA-SHELTER", IndicatorUnit.PEOPLE, [100] * ((months + 11) // 12)),
        (None, IndicatorUnit.PERCENT, [80] * ((months + 11) // 12)),
    )
    return grant, indicators


def test_a_report_gives_actuals_and_explains_what_is_off_target_before_it_can_be_submitted():
    grant, (shelter, own) = _grant_with_framework()
    report = report_of(grant, ReportKind.PROGRESS)
    author = signatory(grant)
    grant_reports.save_report(actor=author, report=report, data=report_data(report))
    assert "Give the actual for each indicator of the results framework." in [
        p.message for p in grant_reports.report_problems(report)
    ]
    start, end = results.report_period(report)
    assert start == grant.start_date and end == report.due_date
    expected = results.expected_value(shelter, grant=grant, period=(start, end))
    assert 0 < expected < 100  # the year's target, pro rata for the period's days

    results.save_actuals(
        actor=author,
        report=report,
        actuals={shelter.id: ActualData(expected // 2), own.id: ActualData(80)},
    )
    problems = [p.message for p in grant_reports.report_problems(report)]
    assert problems == [
        "“Victims of trafficking given safe shelter or housing” is off target: explain the "
        "difference briefly."
    ]
    with pytest.raises(ValidationFailed):
        grant_reports.submit_report(actor=author, report=report)

    results.save_actuals(
        actor=author,
        report=report,
        actuals={shelter.id: ActualData(expected // 2, "The shelter opened two months late.")},
    )
    assert grant_reports.report_problems(report) == []
    grant_reports.submit_report(actor=author, report=report)
    [saved] = [e for e in _events("results.actuals_saved") if e.subject_id == str(report.id)][-1:]
    assert saved.changes["actuals"][1] == {str(shelter.id): expected // 2}

    progress = results.read_progress(actor=manager(), grant=grant)
    row = next(r for r in progress.rows if r.indicator.id == shelter.id)
    assert row.achieved == expected // 2 and row.total_target == 100
    assert row.percent == round(expected // 2)
    # Submitted: the grantee can no longer change the actuals.
    with pytest.raises(InvalidTransition):
        results.save_actuals(actor=author, report=report, actuals={own.id: ActualData(1)})


def test_on_target_needs_no_explanation_and_a_percent_stays_within_100():
    grant, (shelter, own) = _grant_with_framework()
    report = report_of(grant, ReportKind.PROGRESS)
    author = signatory(grant)
    expected = results.expected_value(shelter, grant=grant, period=results.report_period(report))
    results.save_actuals(
        actor=author,
        report=report,
        actuals={shelter.id: ActualData(expected), own.id: ActualData(70)},  # 70 vs 80: within 20 %
    )
    assert results.actuals_problems(report) == []
    with pytest.raises(ValidationFailed):
        results.save_actuals(actor=author, report=report, actuals={own.id: ActualData(101)})


def test_only_the_grantee_gives_actuals_and_only_those_who_see_the_grant_read_them():
    grant, (shelter, _own) = _grant_with_framework()
    report = report_of(grant, ReportKind.PROGRESS)
    stranger = applicant_of(ngo_organisation())
    for actor in (stranger, manager()):
        with pytest.raises(PermissionDenied):
            results.save_actuals(actor=actor, report=report, actuals={shelter.id: ActualData(1)})
    with pytest.raises(PermissionDenied):
        results.read_progress(actor=stranger, grant=grant)
    with pytest.raises(PermissionDenied):
        results.read_actuals(actor=stranger, report=report)
    assert results.read_actuals(actor=manager(), report=report) == {}
    _other_grant, (other_indicator, _x) = _grant_with_framework()
    with pytest.raises(ValidationFailed):
        results.save_actuals(
            actor=signatory(grant), report=report, actuals={other_indicator.id: ActualData(1)}
        )


def test_a_grant_without_a_framework_reports_as_before():
    fund(20_000 * USD)
    grant = active_grant()
    report = report_of(grant, ReportKind.PROGRESS)
    assert results.actuals_problems(report) == []
    assert results.grant_progress(grant).rows == []
