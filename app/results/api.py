"""``GET /api/v1/grants/<id>/results``: a grant's results framework and its progress
(docs/api.md): outcomes → outputs → indicators with baseline and yearly targets, what the
submitted and accepted reports achieved, and each report's actuals."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale

from app.accounts.permissions import can_view_grant
from app.grants.models import Grant
from app.results import services as results
from app.results.models import ResultIndicator
from app.web.access import login_required
from app.web.api import (
    IF_NONE_MATCH_PARAMETER,
    Operation,
    answer_or_not_modified,
    api_user,
    bp,
    documented,
)
from app.web.lookup import visible_or_404

_COUNT = {"type": "integer", "minimum": 0}
_MAYBE_COUNT = {"type": ["integer", "null"], "minimum": 0}
INDICATOR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "name", "standard_code", "sdg_target", "unit", "baseline", "targets"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "standard_code": {"type": ["string", "null"], "description": "null: the grantee's own"},
        "sdg_target": {"type": ["string", "null"], "enum": ["5.2", "8.7", "16.2", None]},
        "unit": {"type": "string", "enum": ["people", "number", "percent"]},
        "baseline": _COUNT,
        "targets": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["year", "value"],
                "properties": {"year": {"type": "integer", "minimum": 1}, "value": _COUNT},
            },
        },
        "end_target": _COUNT,
        "achieved": _MAYBE_COUNT,
        "percent_of_end_target": _MAYBE_COUNT,
    },
}
RESULTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["grant_id", "years", "outcomes", "reports"],
    "properties": {
        "grant_id": {"type": "integer"},
        "years": {"type": "integer", "minimum": 1},
        "outcomes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["statement", "outputs"],
                "properties": {
                    "statement": {"type": "string"},
                    "outputs": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["statement", "indicators"],
                            "properties": {
                                "statement": {"type": "string"},
                                "indicators": {"type": "array", "items": INDICATOR_SCHEMA},
                            },
                        },
                    },
                },
            },
        },
        "reports": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["report_id", "status", "actuals"],
                "properties": {
                    "report_id": {"type": "integer"},
                    "status": {"type": "string"},
                    "actuals": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["indicator_id", "value", "expected", "explanation"],
                            "properties": {
                                "indicator_id": {"type": "integer"},
                                "value": _COUNT,
                                "expected": _COUNT,
                                "explanation": {"type": "string"},
                            },
                        },
                    },
                },
            },
        },
    },
}
_GRANT_ID: dict[str, Any] = {
    "name": "grant_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}


def _indicator_json(
    indicator: ResultIndicator, progress: results.IndicatorProgress | None, locale: str
) -> dict[str, Any]:
    standard = indicator.standard
    return {
        "id": indicator.id,
        "name": indicator.name_in(locale),
        "standard_code": standard.code if standard else None,
        "sdg_target": standard.sdg_target.value if standard else None,
        "unit": indicator.unit.value,
        "baseline": indicator.baseline,
        "targets": [{"year": t.year, "value": t.value} for t in indicator.targets],
        "end_target": indicator.total_target,
        "achieved": progress.achieved if progress else None,
        "percent_of_end_target": progress.percent if progress else None,
    }


@bp.get("/grants/<int:grant_id>/results")
@login_required
@documented(
    Operation(
        summary="A grant's results framework, its targets and what its reports achieved",
        response=RESULTS_SCHEMA,
        parameters=(_GRANT_ID, IF_NONE_MATCH_PARAMETER),
        problems=(404,),
        not_modified=True,
    )
)
def grant_results(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    progress = results.read_progress(actor=api_user(), grant=grant)
    by_indicator = {row.indicator.id: row for row in progress.rows}
    locale = str(get_locale() or "en")
    reports = sorted((r for r in grant.reports if r.has_narrative), key=lambda r: r.due_date)
    return answer_or_not_modified(
        {
            "grant_id": grant.id,
            "years": progress.years,
            "outcomes": [
                {
                    "statement": outcome.statement,
                    "outputs": [
                        {
                            "statement": output.statement,
                            "indicators": [
                                _indicator_json(i, by_indicator.get(i.id), locale)
                                for i in output.indicators
                            ],
                        }
                        for output in outcome.outputs
                    ],
                }
                for outcome in results.framework_of(grant.application)
            ],
            "reports": [
                {
                    "report_id": report.id,
                    "status": report.status.value,
                    "actuals": [
                        {
                            "indicator_id": actual.indicator_id,
                            "value": actual.value,
                            "expected": actual.expected,
                            "explanation": actual.explanation,
                        }
                        for actual in sorted(
                            results.actuals_of(report).values(), key=lambda a: a.indicator_id
                        )
                    ],
                }
                for report in reports
            ],
        }
    )
