"""``GET /api/v1/applications``: the applications the token's owner may see (docs/api.md).

The fund's staff who see every application (``VIEW_ALL_APPLICATIONS``) get all of them, as on
the "All applications" page; an NGO's people get their organisations' own, as on "My
applications"; anyone else an empty list. Newest change first, in keyset pages.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.accounts.permissions import (
    Permission,
    can_edit_application,
    can_view_application,
    can_view_call,
)
from app.applications import services as ngo
from app.applications.models import Application
from app.applications.services import Section
from app.applications.web.forms import SECTION_FORMS, SubmitForm
from app.calls.models import Call
from app.platform.categories import AgeGroup, Sex
from app.platform.errors import N_, Conflict, ValidationFailed
from app.platform.extensions import db
from app.platform.money import to_major
from app.questions.services import answer_as_json, shown_answers
from app.web.access import login_required, requires
from app.web.api import (
    CURSOR_PARAMETERS,
    IDEMPOTENCY_PARAMETER,
    IF_MATCH_PARAMETER,
    IF_NONE_MATCH_PARAMETER,
    MONEY_SCHEMA,
    ORGANISATION_SCHEMA,
    TIME_SCHEMA,
    Operation,
    PreconditionFailed,
    answer,
    api_user,
    bp,
    documented,
    etag_of,
    fresh_for_client,
    idempotent,
    if_match_refused,
    json_object,
    newest_first_json,
    organisations_in_reach,
    page_schema,
    problem_for,
)
from app.web.lookup import visible_or_404

APPLICATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "id",
        "call",
        "organisation",
        "title",
        "status",
        "requested",
        "created_at",
        "updated_at",
        "submitted_at",
    ],
    "properties": {
        "id": {"type": "integer"},
        "call": {
            "type": "object",
            "required": ["id", "reference"],
            "properties": {"id": {"type": "integer"}, "reference": {"type": "string"}},
        },
        "organisation": ORGANISATION_SCHEMA,
        "title": {"type": "string"},
        "status": {"type": "string"},
        "requested": MONEY_SCHEMA,
        "created_at": TIME_SCHEMA,
        "updated_at": TIME_SCHEMA,
        "submitted_at": {"anyOf": [TIME_SCHEMA, {"type": "null"}]},
    },
}


def application_as_json(application: Application) -> dict[str, Any]:
    return {
        "id": application.id,
        "call": {"id": application.call.id, "reference": application.call.reference},
        "organisation": {
            "id": application.organisation.id,
            "name": application.organisation.name,
        },
        "title": application.title,
        "status": application.status.value,
        "requested": {
            "amount_minor": str(application.requested_amount),
            "currency": application.currency,
        },
        "created_at": application.created_at.isoformat(),
        "updated_at": application.updated_at.isoformat(),
        "submitted_at": application.submitted_at.isoformat() if application.submitted_at else None,
    }


@bp.get("/applications")
@login_required
@documented(
    Operation(
        summary="The applications you may see, newest change first",
        description="All of them for the fund's staff, your organisations' for an NGO.",
        response=page_schema("applications", APPLICATION_SCHEMA),
        parameters=CURSOR_PARAMETERS,
        not_modified=True,
        links={
            "FirstApplication": {
                "operationId": "application",
                "parameters": {"application_id": "$response.body#/applications/0/id"},
            }
        },
    )
)
def applications() -> Any:
    query = ngo.filter_applications()
    # The same reach as "My applications": the organisations the person belongs to.
    mine = organisations_in_reach(api_user(), Permission.APPLY_FOR_GRANT)
    if mine is not None:
        query = query.where(Application.organisation_id.in_(sorted(mine)))
    return newest_first_json(
        "applications",
        query,
        moment=Application.updated_at,
        row_id=Application.id,
        as_json=application_as_json,
    )


# --- An NGO's writes: start a draft, edit its sections, submit it (docs/api.md) -------------
# The same services as the pages, and the same forms: a JSON section is read into the page's
# form, so it is validated exactly as the page validates it.

# The call's own questions are answered on their page (files among them), not here; the
# results framework too (app/results; the API reads it under the grant).
SECTION_NAMES = [
    s.value for s in Section if s not in (Section.ATTACHMENTS, Section.QUESTIONS, Section.RESULTS)
]
_ID_PARAMETER: dict[str, Any] = {
    "name": "application_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}
_CODES: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
SECTION_BODIES: dict[str, dict[str, Any]] = {
    "summary": {
        "title": {"type": "string", "maxLength": 300},
        "summary": {"type": "string"},
        "language": {"type": "string", "description": "One of the call's languages"},
        "duration_months": {"type": ["integer", "null"], "minimum": 1, "maximum": 60},
    },
    "locations": {
        "countries": {**_CODES, "description": "ISO 3166-1 alpha-2 codes"},
        "locations": {"type": "string"},
    },
    "focus": {
        "situations": _CODES,
        "forms_of_exploitation": _CODES,
        "assistance_types": _CODES,
    },
    "beneficiaries": {
        "target_groups": _CODES,
        "target_groups_notes": {"type": "string"},
        "counts": {
            "type": "object",
            "description": "Planned people by '<sex>.<age>' (female.adult, male.child, ...)",
            "additionalProperties": {"type": "integer", "minimum": 0},
        },
    },
    "workplan": {
        "activities": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["description", "start_month", "end_month"],
                "properties": {
                    "description": {"type": "string", "maxLength": 500},
                    "start_month": {"type": "integer", "minimum": 1, "maximum": 60},
                    "end_month": {"type": "integer", "minimum": 1, "maximum": 60},
                },
            },
        }
    },
    "budget": {
        "lines": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["category", "description", "quantity", "unit_cost_minor"],
                "properties": {
                    "category": {"type": "string"},
                    "description": {"type": "string", "maxLength": 300},
                    "quantity": {"type": "integer", "minimum": 1},
                    "unit_cost_minor": {"type": "string", "pattern": "^[0-9]+$"},
                },
            },
        }
    },
}
SECTION_BODY_SCHEMA: dict[str, Any] = {
    "description": "The fields of the section named in the path (the others are ignored): "
    + "; ".join(f"{name}: {', '.join(fields)}" for name, fields in SECTION_BODIES.items()),
    "type": "object",
    "properties": {
        field_name: schema
        for fields in SECTION_BODIES.values()
        for field_name, schema in fields.items()
    },
}
# The call's own questions (app/questions) shown to the applicant, with the answers.
QUESTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["number", "kind", "required", "question", "answer"],
        "properties": {
            "number": {"type": "integer"},
            "kind": {"type": "string", "enum": ["text", "choice", "number", "file"]},
            "required": {"type": "boolean"},
            "question": {"type": "string"},
            "answer": {
                "description": "Text; a choice's key and label; a number as a decimal string; "
                "a file's name, type and size. Null: not answered.",
                "anyOf": [{"type": "object"}, {"type": "null"}],
            },
        },
    },
}


APPLICATION_DETAIL_SCHEMA: dict[str, Any] = {
    **APPLICATION_SCHEMA,
    "required": [*APPLICATION_SCHEMA["required"], "version", "sections"],
    "properties": {
        **APPLICATION_SCHEMA["properties"],
        "version": {"type": "integer"},
        "sections": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "complete", "problems"],
                "properties": {
                    "name": {"type": "string"},
                    "complete": {"type": "boolean"},
                    "problems": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "content": {"type": "object"},
        "questions": QUESTIONS_SCHEMA,
    },
}


def _links_from(source: str) -> dict[str, dict[str, Any]]:
    """What a client does next with the application an answer describes."""
    application_id = f"$response.body#/{source}"
    return {
        "ReadIt": {"operationId": "application", "parameters": {"application_id": application_id}},
        "SaveASection": {
            "operationId": "save_section",
            "parameters": {
                "application_id": application_id,
                "header.If-Match": "$response.header.ETag",
            },
        },
        "SubmitIt": {
            "operationId": "submit_application",
            "parameters": {"application_id": application_id},
        },
    }


def application_detail_as_json(application: Application) -> dict[str, Any]:
    """The application, its version and each section's content and completeness."""
    return {
        **application_as_json(application),
        "version": application.version_id,
        "sections": [
            {
                "name": check.section.value,
                "complete": check.complete,
                "problems": [_(p.message, **p.params) for p in check.problems],
            }
            for check in ngo.completeness(application)
        ],
        "content": {
            "summary": application.summary,
            "language": application.language,
            "duration_months": application.duration_months,
            "countries": list(application.countries),
            "locations": application.locations,
            "situations": list(application.situations),
            "forms_of_exploitation": list(application.forms_of_exploitation),
            "assistance_types": list(application.assistance_types),
            "target_groups": list(application.target_groups),
            "target_groups_notes": application.target_groups_notes,
            "counts": {
                f"{row.sex.value}.{row.age_group.value}": row.count
                for row in application.beneficiaries
            },
            "activities": [
                {
                    "description": a.description,
                    "start_month": a.start_month,
                    "end_month": a.end_month,
                }
                for a in application.activities
            ],
            "lines": [
                {
                    "category": line.category.value,
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_cost_minor": str(line.unit_cost),
                }
                for line in application.budget_lines
            ],
        },
        "questions": [
            answer_as_json(row, str(get_locale() or "en")) for row in shown_answers(application)
        ],
    }


def _detail(application: Application, status: int = 200) -> Any:
    return answer(
        application_detail_as_json(application),
        status=status,
        etag=etag_of("application", application.id, application.version_id),
    )


def _visible(application_id: int) -> Application:
    return visible_or_404(Application, application_id, can_view_application)


@bp.get("/applications/<int:application_id>")
@login_required
@documented(
    Operation(
        summary="One application, its sections and its version (ETag)",
        response=APPLICATION_DETAIL_SCHEMA,
        parameters=(_ID_PARAMETER, IF_NONE_MATCH_PARAMETER),
        problems=(404,),
        not_modified=True,
        links=_links_from("id"),
    )
)
def application(application_id: int) -> Any:
    found = _visible(application_id)
    etag = etag_of("application", found.id, found.version_id)
    if fresh_for_client(etag):
        response = current_app.response_class(status=304)
        response.headers["ETag"] = etag
        return response
    return _detail(found)


@bp.post("/applications")
@requires(Permission.APPLY_FOR_GRANT)
@documented(
    Operation(
        summary="Start a draft application to an open call for your organisation",
        response=APPLICATION_DETAIL_SCHEMA,
        status=201,
        request={
            "type": "object",
            "required": ["call_id", "organisation_id"],
            "properties": {
                "call_id": {"type": "integer"},
                "organisation_id": {"type": "integer"},
            },
        },
        parameters=(IDEMPOTENCY_PARAMETER,),
        problems=(404, 409, 422),
        links=_links_from("id"),
    )
)
@idempotent
def start_application() -> Any:
    body = json_object()
    call_id, organisation_id = body.get("call_id"), body.get("organisation_id")
    if not _is_id(call_id) or not _is_id(organisation_id):
        raise ValidationFailed(N_("Give the call_id and organisation_id, whole numbers."))
    call = visible_or_404(Call, int(str(call_id)), can_view_call)
    mine = {o.id: o for o in ngo.organisations_of(api_user())}
    organisation = mine.get(int(str(organisation_id)))
    if organisation is None:
        abort(404)
    if ngo.application_for([organisation.id], call) is not None:
        raise Conflict(N_("Your organisation already has an application to this call."))
    started = ngo.start_application(actor=api_user(), call=call, organisation=organisation)
    return _detail(started, 201)


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


@bp.put("/applications/<int:application_id>/sections/<section>")
@requires(Permission.APPLY_FOR_GRANT)
@documented(
    Operation(
        summary="Save one section of a draft, as its page does (If-Match: the ETag you read)",
        response=APPLICATION_DETAIL_SCHEMA,
        request=SECTION_BODY_SCHEMA,
        parameters=(
            _ID_PARAMETER,
            {
                "name": "section",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "enum": SECTION_NAMES},
            },
            {**IF_MATCH_PARAMETER, "required": True},
        ),
        problems=(404, 409, 412, 422, 428),
        links=_links_from("id"),
    )
)
def save_section(application_id: int, section: str) -> Any:
    found = _visible(application_id)
    if section not in SECTION_NAMES:
        abort(404)
    if not can_edit_application(api_user(), found):
        raise Conflict(N_("This application can no longer be changed."))
    body = json_object()
    form = SECTION_FORMS[Section(section)](
        formdata=section_formdata(section, body, found), meta={"csrf": False}
    )
    form.setup(found)
    # The page offers blank rows to fill; the API has only the rows it was sent.
    for name in ("activities", "lines"):
        if name in form:
            sent = body.get(name)
            while len(form[name].entries) > len(sent if isinstance(sent, list) else []):
                form[name].pop_entry()
    if not form.validate():
        raise ValidationFailed(N_("Some answers need correcting: %(errors)s"), errors=_errors(form))
    if "If-Match" not in request.headers:
        return problem_for(428, _("Send the ETag you read in If-Match."))
    if if_match_refused(etag_of("application", found.id, found.version_id)):
        raise PreconditionFailed(
            N_(
                "Someone saved this application after you read it. Read it again, then make "
                "your changes again."
            )
        )
    ngo.save_section(
        actor=api_user(),
        application=found,
        data=form.data_for(found),
        expected_version=found.version_id,
    )
    db.session.commit()
    return _detail(found)


def _errors(form: Any) -> str:
    """The form's messages, each after the field it is about."""
    found: list[str] = []

    def walk(errors: Any, path: str) -> None:
        if isinstance(errors, dict):
            for name, value in errors.items():
                walk(value, f"{path}.{name}" if path else str(name))
        elif isinstance(errors, list):
            for position, value in enumerate(errors):
                if isinstance(value, (dict, list)):
                    walk(value, f"{path}[{position}]")
                else:
                    found.append(f"{path}: {value}")

    walk(form.errors, "")
    return "; ".join(found)


def section_formdata(
    section: str, body: dict[str, Any], application: Application
) -> MultiDict[str, str]:
    """The section's JSON as the page's form would post it."""
    data: MultiDict[str, str] = MultiDict()
    for name in SECTION_BODIES[section]:
        if name not in body:
            continue
        value = body[name]
        if name == "counts":
            if not isinstance(value, dict):
                raise ValidationFailed(N_("%(field)s must be a JSON object."), field=name)
            for code, count in value.items():
                sex, _dot, age = str(code).partition(".")
                if sex not in _SEXES or age not in _AGES:
                    raise ValidationFailed(
                        N_("%(code)s is not one of the counted categories."), code=code
                    )
                data.add(f"people_{sex}_{age}", _scalar(name, count))
        elif name in ("activities", "lines"):
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise ValidationFailed(N_("%(field)s must be a list of objects."), field=name)
            for position, row in enumerate(value):
                for key, item in row.items():
                    if key == "unit_cost_minor":
                        key, item = "unit_cost", _major(item, application.currency)
                    data.add(f"{name}-{position}-{key}", _scalar(name, item))
        elif isinstance(value, list):
            for item in value:
                data.add(name, _scalar(name, item))
        else:
            data.add(name, _scalar(name, value))
    return data


_SEXES = {s.value for s in Sex}
_AGES = {a.value for a in AgeGroup}


def _scalar(field_name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValidationFailed(N_("%(field)s has a value of the wrong type."), field=field_name)
    return str(value)


def _major(value: Any, currency: str) -> str:
    if not isinstance(value, str) or not value.isdigit() or len(value) > 18:
        raise ValidationFailed(N_("unit_cost_minor is a string of digits (minor units)."))
    return str(to_major(int(value), currency))


@bp.post("/applications/<int:application_id>/submission")
@requires(Permission.APPLY_FOR_GRANT)
@documented(
    Operation(
        summary="Submit the application, with the page's declaration",
        response=APPLICATION_DETAIL_SCHEMA,
        request={
            "type": "object",
            "required": ["declaration"],
            "properties": {
                "declaration": {
                    "type": "boolean",
                    "description": "true: the information is correct and complete, and you "
                    "may submit it on behalf of the organisation",
                }
            },
        },
        parameters=(_ID_PARAMETER, IDEMPOTENCY_PARAMETER),
        problems=(404, 409, 422),
    )
)
@idempotent
def submit_application(application_id: int) -> Any:
    found = _visible(application_id)
    body = json_object()
    form = SubmitForm(
        formdata=MultiDict({"declaration": "y"} if body.get("declaration") is True else {}),
        meta={"csrf": False},
    )
    if not form.validate():
        raise ValidationFailed(N_("Some answers need correcting: %(errors)s"), errors=_errors(form))
    ngo.submit_application(actor=api_user(), application=found)
    return _detail(found)
