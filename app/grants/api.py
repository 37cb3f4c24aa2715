"""``GET /api/v1/grants``: the grants the token's owner may see (docs/api.md).

The fund's staff who see every application see every grant, as on the grants board; an NGO's
people see their organisations' own, as on "My grants"; anyone else an empty list. Newest
award first, in keyset pages.
"""

from __future__ import annotations

from typing import Any

from app.accounts.permissions import Permission, can_view_grant, can_view_grant_report
from app.grants import queries
from app.grants.models import (
    EXPLOITATION_COLUMNS,
    NOT_RECORDED,
    FigureDimension,
    Grant,
    GrantReport,
    ReportKind,
)
from app.grants.services import reports
from app.grants.services.common import today
from app.grants.services.reports import MAX_COUNT
from app.platform.categories import AgeGroup, Sex
from app.platform.errors import N_, ValidationFailed
from app.web.access import login_required, requires
from app.web.api import (
    CURSOR_PARAMETERS,
    IDEMPOTENCY_PARAMETER,
    IF_NONE_MATCH_PARAMETER,
    MONEY_SCHEMA,
    ORGANISATION_SCHEMA,
    TIME_SCHEMA,
    Operation,
    answer,
    answer_or_not_modified,
    api_user,
    bp,
    documented,
    idempotent,
    json_object,
    newest_first_json,
    organisations_in_reach,
    page_schema,
)
from app.web.lookup import visible_or_404

DATE_SCHEMA: dict[str, Any] = {"type": "string", "format": "date"}
GRANT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "id",
        "reference",
        "application_id",
        "organisation",
        "title",
        "status",
        "amount",
        "psc_amount",
        "start_date",
        "end_date",
        "awarded_at",
    ],
    "properties": {
        "id": {"type": "integer"},
        "reference": {"type": "string"},
        "application_id": {"type": "integer"},
        "organisation": ORGANISATION_SCHEMA,
        "title": {"type": "string"},
        "status": {"type": "string"},
        "amount": MONEY_SCHEMA,
        "psc_amount": MONEY_SCHEMA,
        "start_date": DATE_SCHEMA,
        "end_date": DATE_SCHEMA,
        "awarded_at": TIME_SCHEMA,
    },
}


def grant_as_json(grant: Grant) -> dict[str, Any]:
    return {
        "id": grant.id,
        "reference": grant.reference,
        "application_id": grant.application_id,
        "organisation": {"id": grant.organisation.id, "name": grant.organisation.name},
        "title": grant.title,
        "status": grant.status.value,
        "amount": {"amount_minor": str(grant.amount), "currency": grant.currency},
        "psc_amount": {"amount_minor": str(grant.psc_amount), "currency": grant.currency},
        "start_date": grant.start_date.isoformat(),
        "end_date": grant.end_date.isoformat(),
        "awarded_at": grant.awarded_at.isoformat(),
    }


@bp.get("/grants")
@login_required
@documented(
    Operation(
        summary="The grants you may see, newest award first",
        description="All of them for the fund's staff, your organisations' for an NGO.",
        response=page_schema("grants", GRANT_SCHEMA),
        parameters=CURSOR_PARAMETERS,
        not_modified=True,
        links={
            "FirstGrantsReports": {
                "operationId": "grant_reports",
                "parameters": {"grant_id": "$response.body#/grants/0/id"},
            }
        },
    )
)
def grants() -> Any:
    # The same reach as "My grants": the organisations the person belongs to.
    mine = organisations_in_reach(api_user(), Permission.SUBMIT_GRANT_REPORT)
    # The boards' query, its board order replaced by the keyset's.
    query = queries.list_grants(on=today(), organisation_ids=mine).order_by(None)
    return newest_first_json(
        "grants", query, moment=Grant.awarded_at, row_id=Grant.id, as_json=grant_as_json
    )


# --- A grantee's reports: list them, submit one with its aggregate counts (docs/api.md) -----

_GRANT_ID: dict[str, Any] = {
    "name": "grant_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}
_COUNTS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {"type": "integer", "minimum": 0, "maximum": MAX_COUNT},
}
_COUNT: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": MAX_COUNT}
# One cell of the cross table of people assisted in the report's period.
_CELL: dict[str, Any] = {
    "type": "object",
    "required": ["exploitation", "sex", "age"],
    "properties": {
        "exploitation": {"type": "string", "enum": list(EXPLOITATION_COLUMNS)},
        "sex": {"type": "string", "enum": [s.value for s in Sex]},
        "age": {"type": "string", "enum": [a.value for a in AgeGroup]},
        "new": {**_COUNT, "description": "First counted by this report"},
        "continuing": {
            **_COUNT,
            "description": "Counted as new by an earlier report of the grant",
        },
    },
}
PEOPLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The cross table as given, and the totals derived from it",
    "required": ["total", "new", "continuing", "counts"],
    "properties": {
        "total": _COUNT,
        "new": _COUNT,
        "continuing": _COUNT,
        "counts": {"type": "array", "items": _CELL},
        "by_sex_and_age": _COUNTS,
        "by_form_of_exploitation": _COUNTS,
        "by_assistance": _COUNTS,
    },
}
REPORT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "grant_id", "kind", "number", "status", "due_date", "submitted_at"],
    "properties": {
        "id": {"type": "integer"},
        "grant_id": {"type": "integer"},
        "kind": {"type": "string", "enum": [k.value for k in ReportKind]},
        "number": {"type": "integer"},
        "status": {"type": "string"},
        "due_date": DATE_SCHEMA,
        "submitted_at": {"anyOf": [TIME_SCHEMA, {"type": "null"}]},
        "people_assisted": PEOPLE_SCHEMA,
    },
}
REPORTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["reports", "budget_lines"],
    "properties": {
        "reports": {"type": "array", "items": REPORT_SCHEMA},
        "budget_lines": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "category", "description", "amount"],
                "properties": {
                    "id": {"type": "integer"},
                    "category": {"type": "string"},
                    "description": {"type": "string"},
                    "amount": MONEY_SCHEMA,
                },
            },
        },
    },
}
REPORT_BODY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "results": {"type": "string"},
        "challenges": {"type": "string"},
        "lessons": {"type": "string"},
        "safeguarding_incidents": {"type": "integer", "minimum": 0},
        "safeguarding_details": {"type": "string", "description": "Without personal data"},
        "people_assisted": {
            "type": "object",
            "description": "Aggregate counts only: the people assisted in the period, each once, "
            "by form of exploitation x sex x age, new or continuing; and how many received each "
            "type of assistance (at most the people assisted). Totals by sex and age or by "
            "exploitation are derived, never sent (codes of app/platform/categories.py; "
            "'not_recorded' when the form of exploitation is not known)",
            "properties": {
                "counts": {"type": "array", "items": _CELL},
                "by_assistance": _COUNTS,
                # Before the cross table: still taken where the two tables cross exactly.
                "by_sex_and_age": {**_COUNTS, "deprecated": True},
                "by_form_of_exploitation": {**_COUNTS, "deprecated": True},
            },
            "additionalProperties": False,
        },
        "spending": {
            "type": "object",
            "description": "Spent per budget line id, a string of minor units",
            "additionalProperties": {"type": "string", "pattern": "^[0-9]+$"},
        },
    },
}


def people_as_json(report: GrantReport) -> dict[str, Any]:
    """The report's cross table as given and the totals derived from it (non-zero only)."""
    table = report.people_table
    return {
        "total": table.total,
        "new": table.new,
        "continuing": table.continuing,
        "counts": [
            {
                "exploitation": exploitation,
                "sex": sex.value,
                "age": age.value,
                "new": new,
                "continuing": continuing,
            }
            for (exploitation, sex, age), (new, continuing) in sorted(table.cells.items())
        ],
        "by_sex_and_age": {code: n for code, n in table.by_sex_age().items() if n},
        "by_form_of_exploitation": {code: n for code, n in table.by_exploitation().items() if n},
        "by_assistance": report.figures_of(FigureDimension.ASSISTANCE),
    }


def report_as_json(report: GrantReport) -> dict[str, Any]:
    return {
        "id": report.id,
        "grant_id": report.grant_id,
        "kind": report.kind.value,
        "number": report.number,
        "status": report.status.value,
        "due_date": report.due_date.isoformat(),
        "submitted_at": report.submitted_at.isoformat() if report.submitted_at else None,
        "people_assisted": people_as_json(report),
    }


@bp.get("/grants/<int:grant_id>/reports")
@login_required
@documented(
    Operation(
        summary="A grant's reports, due and done, and its current budget lines",
        response=REPORTS_SCHEMA,
        parameters=(_GRANT_ID, IF_NONE_MATCH_PARAMETER),
        problems=(404,),
        not_modified=True,
        links={
            "SubmitFirstReport": {
                "operationId": "submit_report",
                "parameters": {"report_id": "$response.body#/reports/0/id"},
            }
        },
    )
)
def grant_reports(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    return answer_or_not_modified(
        {
            "reports": [
                report_as_json(r) for r in sorted(grant.reports, key=lambda r: (r.due_date, r.id))
            ],
            "budget_lines": [
                {
                    "id": line.id,
                    "category": line.category.value,
                    "description": line.description,
                    "amount": {"amount_minor": str(line.amount), "currency": grant.currency},
                }
                for line in grant.current_budget
            ],
        }
    )


@bp.post("/reports/<int:report_id>/submission")
@requires(Permission.SUBMIT_GRANT_REPORT)
@documented(
    Operation(
        summary="Submit a report with its aggregate counts, as its page saves and submits it",
        response=REPORT_SCHEMA,
        request=REPORT_BODY_SCHEMA,
        parameters=(
            {"name": "report_id", "in": "path", "required": True, "schema": {"type": "integer"}},
            IDEMPOTENCY_PARAMETER,
        ),
        problems=(404, 409, 422),
    )
)
@idempotent
def submit_report(report_id: int) -> Any:
    report = visible_or_404(GrantReport, report_id, can_view_grant_report)
    data = report_data(json_object())
    actor = api_user()
    reports.save_report(actor=actor, report=report, data=data)
    reports.submit_report(actor=actor, report=report)
    return answer(report_as_json(report))


def report_data(body: dict[str, Any]) -> reports.ReportData:
    """The JSON body as the report form's data (the service checks codes and ranges)."""
    people_in = body.get("people_assisted", {})
    if not isinstance(people_in, dict):
        raise ValidationFailed(N_("%(field)s must be a JSON object."), field="people_assisted")
    derived = {"by_sex_and_age", "by_form_of_exploitation"} & set(people_in)
    if derived and "counts" in people_in:
        raise ValidationFailed(
            N_(
                "%(field)s is worked out from the counts by form of exploitation, sex and age: "
                "send those in people_assisted.counts instead."
            ),
            field=sorted(derived)[0],
        )
    unknown = set(people_in) - {"counts", "by_assistance", *derived}
    if unknown:
        raise ValidationFailed(
            N_("%(code)s is not one of the counted categories."), code=sorted(unknown)[0]
        )
    people = (
        _crossed(people_in.get("by_sex_and_age", {}), people_in.get("by_form_of_exploitation", {}))
        if derived
        else _cells(people_in.get("counts", []))
    )
    assistance_in = people_in.get("by_assistance", {})
    if not isinstance(assistance_in, dict):
        raise ValidationFailed(N_("%(field)s must be a JSON object."), field="by_assistance")
    assistance = {
        str(code): _whole(count, "by_assistance") for code, count in assistance_in.items()
    }
    spending_in = body.get("spending", {})
    if not isinstance(spending_in, dict):
        raise ValidationFailed(N_("%(field)s must be a JSON object."), field="spending")
    spending: dict[int, int] = {}
    for line_id, amount in spending_in.items():
        if not str(line_id).isdigit() or not isinstance(amount, str) or not amount.isdigit():
            raise ValidationFailed(N_("Spending is a string of digits (minor units) per line id."))
        spending[int(line_id)] = int(amount)
    return reports.ReportData(
        results=_text(body, "results"),
        challenges=_text(body, "challenges"),
        lessons=_text(body, "lessons"),
        safeguarding_incidents=_whole(body.get("safeguarding_incidents", 0), "safeguarding"),
        safeguarding_details=_text(body, "safeguarding_details"),
        people=people,
        assistance=assistance,
        expenditures=spending,
    )


def _cells(cells: Any) -> dict[tuple[str, Sex, AgeGroup], tuple[int, int]]:
    """``people_assisted.counts``: one entry per cell of the cross table."""
    if not isinstance(cells, list):
        raise ValidationFailed(N_("%(field)s must be a JSON array."), field="counts")
    people: dict[tuple[str, Sex, AgeGroup], tuple[int, int]] = {}
    for cell in cells:
        if not isinstance(cell, dict) or not all(
            isinstance(cell.get(k), str) for k in ("exploitation", "sex", "age")
        ):
            raise ValidationFailed(
                N_("Each count names its exploitation, sex and age, as codes."),
            )
        named = ".".join((cell["exploitation"], cell["sex"], cell["age"]))
        try:
            key = (cell["exploitation"], Sex(cell["sex"]), AgeGroup(cell["age"]))
        except ValueError:
            raise ValidationFailed(
                N_("%(code)s is not one of the counted categories."), code=named
            ) from None
        if key in people:
            raise ValidationFailed(N_("%(code)s is counted twice."), code=named)
        people[key] = (
            _whole(cell.get("new", 0), "new"),
            _whole(cell.get("continuing", 0), "continuing"),
        )
    return people


def _crossed(
    by_sex_and_age: Any, by_exploitation: Any
) -> dict[tuple[str, Sex, AgeGroup], tuple[int, int]]:
    """The two tables clients sent before the cross table (deprecated), as cells of new people,
    only where they describe the same people and cross exactly: one form of exploitation, or
    one sex and age group. Sex and age alone go under "not recorded". Anything else is refused:
    the fund will not guess how the people split."""
    if not isinstance(by_sex_and_age, dict) or not isinstance(by_exploitation, dict):
        raise ValidationFailed(N_("%(field)s must be a JSON object."), field="people_assisted")
    sex_age: dict[tuple[Sex, AgeGroup], int] = {}
    for code, count in by_sex_and_age.items():
        sex, _, age = str(code).partition(".")
        try:
            group = (Sex(sex), AgeGroup(age))
        except ValueError:
            raise ValidationFailed(
                N_("%(code)s is not one of the counted categories."), code=code
            ) from None
        if _whole(count, "by_sex_and_age"):
            sex_age[group] = count
    forms = {
        str(code): count
        for code, count in by_exploitation.items()
        if _whole(count, "by_form_of_exploitation")
    }
    if not forms:
        return {(NOT_RECORDED, sex, age): (n, 0) for (sex, age), n in sex_age.items()}
    if sum(forms.values()) == sum(sex_age.values()):
        if len(forms) == 1:
            (form,) = forms
            return {(form, sex, age): (n, 0) for (sex, age), n in sex_age.items()}
        if len(sex_age) == 1:
            ((sex, age),) = sex_age
            return {(form, sex, age): (n, 0) for form, n in forms.items()}
    raise ValidationFailed(
        N_(
            "The counts by sex and age and by form of exploitation cannot be made into one "
            "table of people (they disagree, or each splits the people several ways): send "
            "people_assisted.counts, one count per form of exploitation, sex and age."
        )
    )


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise ValidationFailed(N_("%(field)s has a value of the wrong type."), field=name)
    return value


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(N_("%(field)s has a value of the wrong type."), field=name)
    if not 0 <= value <= MAX_COUNT:
        raise ValidationFailed(N_("Counts are whole numbers from 0 up."))
    return value
