"""Results rules: the fund's indicator list, a proposal's framework, a report's actuals and a
grant's progress against its targets.

This area stands below applications, grants and reporting (they call it; it imports none of
them at run time): it reads the application, grant and report it is given by their attributes.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.permissions import (
    Permission,
    can_edit_application,
    can_view_application,
    can_view_grant,
    ensure_permission,
    has_permission,
    is_member,
)
from app.audit.services import record_event
from app.platform.errors import N_, Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.platform.settings import settings
from app.results.models import (
    ADDITIVE_UNITS,
    IndicatorUnit,
    ResultActual,
    ResultIndicator,
    ResultOutcome,
    ResultOutput,
    ResultTarget,
    SdgTarget,
    StandardIndicator,
)

if TYPE_CHECKING:
    from app.applications.models import Application
    from app.grants.models import Grant, GrantReport

MAX_VALUE = 10_000_000
MAX_YEARS = 5  # MAX_PROJECT_MONTHS (60) in years
MAX_STATEMENT = 500
MAX_EXPLANATION = 2_000
# Reports whose actuals count towards a grant's progress (a draft's do not).
COUNTED_REPORT_STATES = frozenset({"submitted", "accepted"})
# A report's actuals can change while the report can (app/grants: REPORT_OUTSTANDING, and the
# grant is active or suspended); spelled here as values, this area importing no grants code.
_OUTSTANDING_REPORT = frozenset({"due", "changes_requested"})
_REPORTING_GRANT = frozenset({"active", "suspended"})

Problem = tuple[str, dict[str, Any]]


# --- The fund's indicator list --------------------------------------------------------------


@dataclass(frozen=True)
class StandardIndicatorData:
    code: str
    name: str
    unit: IndicatorUnit
    sdg_target: SdgTarget
    active: bool = True
    names: Mapping[str, str] = field(default_factory=dict)


def standard_indicators(*, active_only: bool = False) -> list[StandardIndicator]:
    query = sa.select(StandardIndicator).order_by(
        StandardIndicator.sdg_target, StandardIndicator.code
    )
    if active_only:
        query = query.where(StandardIndicator.active.is_(True))
    return list(db.session.scalars(query))


def save_standard_indicator(
    *, actor: User, data: StandardIndicatorData, indicator: StandardIndicator | None = None
) -> StandardIndicator:
    """Add an indicator to the fund's list, or change one (audited). Frameworks keep the unit
    they were written with; retiring an indicator (``active`` off) hides it from new proposals."""
    ensure_permission(actor, Permission.MANAGE_CALLS)
    code = data.code.strip().upper()
    name = data.name.strip()
    if not code or len(code) > 32 or not name:
        raise ValidationFailed(N_("Give the indicator a code (up to 32 characters) and a name."))
    clash = db.session.scalar(
        sa.select(StandardIndicator).where(sa.func.upper(StandardIndicator.code) == code)
    )
    if clash is not None and clash is not indicator:
        raise Conflict(N_("Another indicator already has the code %(code)s."), code=code)
    before = _indicator_state(indicator) if indicator else None
    created = indicator is None
    if indicator is None:
        indicator = StandardIndicator()
        db.session.add(indicator)
    indicator.code = code
    indicator.name = name[:300]
    indicator.names = {
        lang: text.strip()[:300] for lang, text in sorted(data.names.items()) if text.strip()
    }
    indicator.unit = IndicatorUnit(data.unit)
    indicator.sdg_target = SdgTarget(data.sdg_target)
    indicator.active = bool(data.active)
    db.session.flush()
    after = _indicator_state(indicator)
    record_event(
        actor=actor,
        action="results.indicator_created" if created else "results.indicator_changed",
        subject=indicator,
        summary=f"standard indicator {code} {'added' if created else 'changed'}",
        changes={
            key: [before.get(key) if before else None, value]
            for key, value in after.items()
            if before is None or before.get(key) != value
        },
    )
    return indicator


def _indicator_state(indicator: StandardIndicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "name": indicator.name,
        "names": dict(indicator.names or {}),
        "unit": str(indicator.unit),
        "sdg_target": str(indicator.sdg_target),
        "active": indicator.active,
    }


# --- A proposal's framework -----------------------------------------------------------------


def project_years(duration_months: int | None) -> int:
    """The project years targets are set for: year 1 is the first twelve months."""
    return min(MAX_YEARS, max(1, math.ceil((duration_months or 12) / 12)))


@dataclass(frozen=True)
class FrameworkRow:
    """One indicator as the proposal's form gives it, with its outcome and output written out
    (rows with the same wording share the outcome, or the output)."""

    outcome: str
    output: str
    standard_id: int | None
    own_name: str = ""
    unit: IndicatorUnit | None = None
    baseline: int = 0
    targets: Sequence[int | None] = ()


def framework_of(application: Application) -> list[ResultOutcome]:
    return list(
        db.session.scalars(
            sa.select(ResultOutcome)
            .where(ResultOutcome.application_id == application.id)
            .order_by(ResultOutcome.position)
        )
    )


def framework_indicators(application: Application) -> list[ResultIndicator]:
    return [
        indicator
        for outcome in framework_of(application)
        for output in outcome.outputs
        for indicator in output.indicators
    ]


def read_framework(*, actor: User | None, application: Application) -> list[ResultOutcome]:
    """The framework, for those who may see the application (its NGO, the fund's staff)."""
    if not can_view_application(actor, application):
        raise PermissionDenied(N_("You cannot see this application."))
    return framework_of(application)


def framework_rows(application: Application) -> list[FrameworkRow]:
    return [
        FrameworkRow(
            outcome=outcome.statement,
            output=output.statement,
            standard_id=indicator.standard_id,
            own_name=indicator.own_name,
            unit=indicator.unit,
            baseline=indicator.baseline,
            targets=[indicator.target(year) for year in range(1, MAX_YEARS + 1)],
        )
        for outcome in framework_of(application)
        for output in outcome.outputs
        for indicator in output.indicators
    ]


def replace_framework(
    *, actor: User, application: Application, rows: Sequence[FrameworkRow]
) -> list[ResultOutcome]:
    """Write the proposal's framework from its rows (the application's section save, which
    audits it). Gaps a draft may have (a missing outcome or target) are reported by
    ``framework_problems``; impossible values are refused here."""
    if not can_edit_application(actor, application):
        raise PermissionDenied(N_("This application can no longer be changed."))
    years = project_years(application.duration_months)
    standards = {s.id: s for s in standard_indicators()}
    outcomes: dict[str, ResultOutcome] = {}
    outputs: dict[tuple[str, str], ResultOutput] = {}
    for position, row in enumerate(rows):
        indicator = _indicator_from(row, standards, years, position)
        outcome_text = row.outcome.strip()[:MAX_STATEMENT]
        output_text = row.output.strip()[:MAX_STATEMENT]
        outcome = outcomes.get(outcome_text.casefold())
        if outcome is None:
            outcome = ResultOutcome(statement=outcome_text, position=len(outcomes))
            outcomes[outcome_text.casefold()] = outcome
        key = (outcome_text.casefold(), output_text.casefold())
        output = outputs.get(key)
        if output is None:
            output = ResultOutput(statement=output_text, position=len(outcome.outputs))
            outcome.outputs.append(output)
            outputs[key] = output
        output.indicators.append(indicator)
    for old in framework_of(application):
        db.session.delete(old)
    db.session.flush()
    for outcome in outcomes.values():
        outcome.application_id = application.id
        db.session.add(outcome)
    db.session.flush()
    return list(outcomes.values())


def _indicator_from(
    row: FrameworkRow, standards: Mapping[int, StandardIndicator], years: int, position: int
) -> ResultIndicator:
    own_name = row.own_name.strip()[:300]
    name = own_name
    if row.standard_id is not None:
        standard = standards.get(row.standard_id)
        if standard is None or not standard.active:
            raise ValidationFailed(N_("Choose an indicator from the fund's current list."))
        unit = standard.unit
        name, own_name = standard.name, ""
    else:
        if not own_name:
            raise ValidationFailed(N_("Name your own indicator, or choose one from the list."))
        if row.unit is None:
            raise ValidationFailed(
                N_("%(indicator)s: say in what it is counted (people, number or percent)."),
                indicator=own_name[:60],
            )
        unit = IndicatorUnit(row.unit)
    ceiling = 100 if unit == IndicatorUnit.PERCENT else MAX_VALUE
    values = [row.baseline, *(v for v in row.targets[:years] if v is not None)]
    if any(v < 0 or v > ceiling for v in values):
        raise ValidationFailed(
            N_("%(indicator)s: baselines and targets go from 0 to %(max)s."),
            indicator=name[:60],
            max=ceiling,
        )
    return ResultIndicator(
        position=position,
        standard_id=row.standard_id,
        own_name=own_name,
        unit=unit,
        baseline=row.baseline,
        targets=[
            ResultTarget(year=year, value=value)
            for year, value in enumerate(row.targets[:years], start=1)
            if value is not None
        ],
    )


def framework_problems(application: Application, *, required: bool = True) -> list[Problem]:
    """What the Results section still lacks before the proposal can be submitted."""
    indicators = framework_indicators(application)
    if not indicators:
        if required:
            return [(N_("Add at least one indicator to the results framework."), {})]
        return []
    years = project_years(application.duration_months)
    problems: list[Problem] = []
    for indicator in indicators:
        name = indicator.name_in("en")[:60]
        if not indicator.output.outcome.statement or not indicator.output.statement:
            problems.append(
                (
                    N_("“%(indicator)s”: state the outcome and the output it measures."),
                    {"indicator": name},
                )
            )
        missing = [year for year in range(1, years + 1) if indicator.target(year) is None]
        if missing:
            problems.append(
                (
                    N_("“%(indicator)s”: give a target for each project year (1 to %(years)s)."),
                    {"indicator": name, "years": years},
                )
            )
    return problems


# --- Periods, expected values and actuals ---------------------------------------------------


def _add_months(day: date, months: int) -> date:
    """As app/grants' add_months (this area does not import grants): the same day ``months``
    later, or the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _reports_with_results(grant: Grant) -> list[GrantReport]:
    return sorted((r for r in grant.reports if r.has_narrative), key=lambda r: (r.due_date, r.id))


def report_period(report: GrantReport) -> tuple[date, date]:
    """The days a report covers: from the end of the grant's previous progress or final report
    (or the start date) to its own due date, within the grant's dates; the last of them runs
    to the end date."""
    grant = report.grant
    reports = _reports_with_results(grant)
    start = grant.start_date
    for other in reports:
        if other.id == report.id:
            break
        start = max(start, min(other.due_date, grant.end_date))
    end = max(start, min(report.due_date, grant.end_date))
    if reports and reports[-1].id == report.id:
        end = max(start, grant.end_date)
    return start, end


def expected_value(indicator: ResultIndicator, *, grant: Grant, period: tuple[date, date]) -> int:
    """The target a period is measured against: for people and numbers, each project year's
    target pro rata for the days of the period in that year; for a percentage, the target of
    the year the period ends in."""
    start, end = period
    years = max((row.year for row in indicator.targets), default=0)
    if indicator.unit not in ADDITIVE_UNITS:
        for year in range(1, years + 1):
            if end <= _add_months(grant.start_date, 12 * year):
                return indicator.target(year) or 0
        return indicator.target(years) or 0 if years else 0
    expected = Decimal(0)
    for year in range(1, years + 1):
        year_start = _add_months(grant.start_date, 12 * (year - 1))
        year_end = min(_add_months(grant.start_date, 12 * year), max(grant.end_date, year_start))
        days = (year_end - year_start).days
        overlap = (min(end, year_end) - max(start, year_start)).days
        if days > 0 and overlap > 0:
            expected += Decimal(indicator.target(year) or 0) * overlap / days
    return int(expected.to_integral_value())


def is_off_target(value: int, expected: int, threshold: Decimal | None = None) -> bool:
    """Off by more than the threshold (GRANT_VARIANCE_THRESHOLD, 20 % by default) of the
    expected value; nothing expected is never off target."""
    if expected <= 0:
        return False
    limit = settings().grants.variance_threshold if threshold is None else threshold
    return abs(Decimal(value - expected)) > limit * expected


@dataclass(frozen=True)
class ActualData:
    value: int | None
    explanation: str = ""


def can_edit_actuals(actor: User | None, report: GrantReport) -> bool:
    return (
        has_permission(actor, Permission.SUBMIT_GRANT_REPORT)
        and is_member(actor, report.grant.organisation_id)
        and report.status in _OUTSTANDING_REPORT
        and report.grant.status in _REPORTING_GRANT
        and report.has_narrative
    )


def actuals_of(report: GrantReport) -> dict[int, ResultActual]:
    rows = db.session.scalars(sa.select(ResultActual).where(ResultActual.report_id == report.id))
    return {row.indicator_id: row for row in rows}


def read_actuals(*, actor: User | None, report: GrantReport) -> dict[int, ResultActual]:
    if not can_view_grant(actor, report.grant):
        raise PermissionDenied(N_("You cannot see this grant."))
    return actuals_of(report)


def save_actuals(
    *, actor: User, report: GrantReport, actuals: Mapping[int, ActualData]
) -> list[ResultActual]:
    """The grantee's actual for each indicator of the grant's framework, for the report's
    period, with an explanation where it is off target (audited)."""
    if not can_edit_actuals(actor, report):
        if not is_member(actor, report.grant.organisation_id):
            raise PermissionDenied(N_("Only the grantee organisation's own staff can do this."))
        raise InvalidTransition(N_("This report's results can no longer be changed."))
    grant = report.grant
    indicators = {i.id: i for i in framework_indicators(grant.application)}
    unknown = set(actuals) - set(indicators)
    if unknown:
        raise ValidationFailed(N_("That indicator is not in this grant's results framework."))
    period = report_period(report)
    existing = actuals_of(report)
    saved = []
    for indicator_id, data in actuals.items():
        indicator = indicators[indicator_id]
        row = existing.get(indicator_id)
        if data.value is None:
            if row is not None:
                db.session.delete(row)
            continue
        ceiling = 100 if indicator.unit == IndicatorUnit.PERCENT else MAX_VALUE
        if not 0 <= data.value <= ceiling:
            raise ValidationFailed(
                N_("%(indicator)s: the actual goes from 0 to %(max)s."),
                indicator=indicator.name_in("en")[:60],
                max=ceiling,
            )
        if row is None:
            row = ResultActual(report_id=report.id, indicator_id=indicator_id)
            db.session.add(row)
        row.value = data.value
        row.expected = expected_value(indicator, grant=grant, period=period)
        row.explanation = data.explanation.strip()[:MAX_EXPLANATION]
        saved.append(row)
    db.session.flush()
    record_event(
        actor=actor,
        action="results.actuals_saved",
        subject=report,
        summary=f"{grant.reference}: results of report {report.id} saved "
        f"({len(saved)} of {len(indicators)} indicators)",
        changes={"actuals": [None, {str(r.indicator_id): r.value for r in saved}]},
    )
    return saved


def actuals_problems(report: GrantReport) -> list[Problem]:
    """What stops a progress or final report from being submitted on the results side: an
    indicator without its actual, or off target without an explanation."""
    if not report.has_narrative:
        return []
    indicators = framework_indicators(report.grant.application)
    if not indicators:
        return []
    actuals = actuals_of(report)
    problems: list[Problem] = []
    if any(indicator.id not in actuals for indicator in indicators):
        problems.append((N_("Give the actual for each indicator of the results framework."), {}))
    for indicator in indicators:
        actual = actuals.get(indicator.id)
        if (
            actual is not None
            and is_off_target(actual.value, actual.expected)
            and not actual.explanation
        ):
            problems.append(
                (
                    N_("“%(indicator)s” is off target: explain the difference briefly."),
                    {"indicator": indicator.name_in("en")[:60]},
                )
            )
    return problems


# --- Progress on a grant -------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorProgress:
    indicator: ResultIndicator
    targets: list[int | None]
    total_target: int
    achieved: int | None  # None: no report has given an actual yet
    percent: int | None  # of the end-of-project target

    @property
    def share(self) -> Decimal:
        """The share of the end-of-project target reached, for the percent filter."""
        return Decimal(self.percent or 0) / 100

    @property
    def outcome(self) -> str:
        return self.indicator.output.outcome.statement

    @property
    def output(self) -> str:
        return self.indicator.output.statement


@dataclass(frozen=True)
class GrantProgress:
    years: int
    rows: list[IndicatorProgress]


def grant_progress(grant: Grant) -> GrantProgress:
    """Each indicator's targets, what the submitted and accepted reports say was achieved
    (summed for people and numbers, the latest level for a percentage) and the share of the
    end-of-project target reached."""
    indicators = framework_indicators(grant.application)
    years = project_years(grant.application.duration_months)
    reports = [r for r in _reports_with_results(grant) if r.status in COUNTED_REPORT_STATES]
    values: dict[int, list[int]] = {}
    if reports and indicators:
        rows = db.session.scalars(
            sa.select(ResultActual).where(ResultActual.report_id.in_([r.id for r in reports]))
        )
        order = {r.id: n for n, r in enumerate(reports)}
        for row in sorted(rows, key=lambda a: order[a.report_id]):
            values.setdefault(row.indicator_id, []).append(row.value)
    progress = []
    for indicator in indicators:
        got = values.get(indicator.id)
        achieved = None
        if got:
            achieved = sum(got) if indicator.unit in ADDITIVE_UNITS else got[-1]
        total = indicator.total_target
        percent = round(100 * achieved / total) if achieved is not None and total else None
        progress.append(
            IndicatorProgress(
                indicator=indicator,
                targets=[indicator.target(year) for year in range(1, years + 1)],
                total_target=total,
                achieved=achieved,
                percent=percent,
            )
        )
    return GrantProgress(years=years, rows=progress)


def read_progress(*, actor: User | None, grant: Grant) -> GrantProgress:
    """A grant's progress, for its grantee and the fund's staff."""
    if not can_view_grant(actor, grant):
        raise PermissionDenied(N_("You cannot see this grant."))
    return grant_progress(grant)
