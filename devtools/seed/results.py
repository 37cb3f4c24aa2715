"""Demo results frameworks: two demo grants with outcomes, outputs, indicators (from the fund's
list and the NGO's own), yearly targets and the actuals their submitted and accepted reports
gave, so the grant page shows progress and the public page the standard indicators' totals
(one of them below 5, shown "<5"). Safe to run twice: a grant with a framework is left alone."""

from __future__ import annotations

from sqlalchemy import select

from app.grants.models import Grant
from app.platform.extensions import db
from app.results import services as results
from app.results.models import (
    IndicatorUnit,
    ResultActual,
    ResultIndicator,
    ResultOutcome,
    ResultOutput,
    ResultTarget,
    StandardIndicator,
)

# grant title -> (outcome, output, [(standard code or own name, unit, baseline, share of the
# target each report reached, in %)])
DEMO_FRAMEWORKS = {
    "Psychosocial care in Chiapas": (
        "Survivors of trafficking regain their mental health and safety",
        "Counselling and safe accommodation given",
        [
            ("VA-PSYCHO", IndicatorUnit.PEOPLE, 0, 60, 85),
            ("VA-SHELTER", IndicatorUnit.PEOPLE, 0, 40, 95),
            ("Survivors with a written care plan", IndicatorUnit.PERCENT, 20, 70, 100),
        ],
    ),
    "Hotline for domestic workers": (
        "Domestic workers in exploitation find help quickly",
        "Hotline calls answered and referred",
        [
            ("CASES-REFERRED", IndicatorUnit.NUMBER, 0, 24, 90),
            ("CH-ASSISTED", IndicatorUnit.PEOPLE, 0, 3, 100),
            ("FW-TRAINED", IndicatorUnit.PEOPLE, 0, 30, 110),
        ],
    ),
}


def _standard(code: str) -> StandardIndicator | None:
    return db.session.execute(
        select(StandardIndicator).where(StandardIndicator.code == code)
    ).scalar_one_or_none()


def load_demo_results() -> int:
    """Write the demo frameworks and actuals; returns how many grants got one."""
    made = 0
    for title, (outcome_text, output_text, rows) in DEMO_FRAMEWORKS.items():
        grant = db.session.execute(select(Grant).where(Grant.title == title)).scalar_one_or_none()
        if grant is None or results.framework_indicators(grant.application):
            continue
        years = results.project_years(grant.application.duration_months)
        outcome = ResultOutcome(application_id=grant.application_id, statement=outcome_text)
        output = ResultOutput(statement=output_text)
        outcome.outputs.append(output)
        for position, (name, unit, baseline, target, _share) in enumerate(rows):
            standard = _standard(name) if name.isupper() else None
            output.indicators.append(
                ResultIndicator(
                    position=position,
                    standard_id=standard.id if standard else None,
                    own_name="" if standard else name,
                    unit=unit,
                    baseline=baseline,
                    targets=[ResultTarget(year=y, value=target) for y in range(1, years + 1)],
                )
            )
        db.session.add(outcome)
        db.session.flush()
        shares = {i.id: row[4] for i, row in zip(output.indicators, rows, strict=True)}
        for report in sorted(grant.reports, key=lambda r: r.due_date):
            if not report.has_narrative or report.status not in results.COUNTED_REPORT_STATES:
                continue
            period = results.report_period(report)
            for indicator in output.indicators:
                expected = results.expected_value(indicator, grant=grant, period=period)
                value = max(0, round(expected * shares[indicator.id] / 100))
                if indicator.unit == IndicatorUnit.PERCENT:
                    value = min(100, value)
                db.session.add(
                    ResultActual(
                        report_id=report.id,
                        indicator_id=indicator.id,
                        value=value,
                        expected=expected,
                        explanation="Fewer referrals than planned while the new shelter opened."
                        if results.is_off_target(value, expected)
                        else "",
                    )
                )
        db.session.flush()
        made += 1
    return made
