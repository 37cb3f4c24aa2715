"""``GET /api/v1/calls``: the public calls for proposals as JSON (docs/api.md).

Open and upcoming calls by default; ``?include=closed`` adds the past ones. Amounts are integer
minor units with their ISO 4217 currency; times are ISO 8601 in UTC, with the call's own zone.
Titles and descriptions come in every language they were written in.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from app.calls.models import Call
from app.calls.services import public_calls
from app.platform.db import utcnow
from app.web.access import public
from app.web.api import Operation, bp, documented
from app.web.links import public_url


def _money(amount: int, currency: str) -> dict[str, Any]:
    return {"amount_minor": amount, "currency": currency}


_MONEY = {
    "type": "object",
    "required": ["amount_minor", "currency"],
    "properties": {"amount_minor": {"type": "integer"}, "currency": {"type": "string"}},
}
CALL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "reference", "title", "status", "is_open", "opens_at", "closes_at", "url"],
    "properties": {
        "id": {"type": "integer"},
        "reference": {"type": "string"},
        "title": {"type": "object", "additionalProperties": {"type": "string"}},
        "description": {"type": "object", "additionalProperties": {"type": "string"}},
        "window": {"type": "string"},
        "status": {"type": "string"},
        "is_open": {"type": "boolean"},
        "opens_at": {"type": "string", "format": "date-time"},
        "closes_at": {"type": "string", "format": "date-time"},
        "timezone": {"type": "string"},
        "max_grant": _MONEY,
        "max_duration_months": {"type": ["integer", "null"]},
        "envelope": _MONEY,
        "eligible_countries": {"type": "array", "items": {"type": "string"}},
        "url": {"type": "string"},
    },
}
CALLS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["generated_at", "calls"],
    "properties": {
        "generated_at": {"type": "string", "format": "date-time"},
        "calls": {"type": "array", "items": CALL_SCHEMA},
    },
}


def call_as_json(call: Call, *, now: Any) -> dict[str, Any]:
    return {
        "id": call.id,
        "reference": call.reference,
        "title": call.title,
        "description": call.description,
        "window": call.window.value,
        "status": call.status.value,
        "is_open": call.is_open_at(now),
        "opens_at": call.opens_at.isoformat(),
        "closes_at": call.closes_at.isoformat(),
        "timezone": call.timezone,
        "max_grant": _money(call.max_amount, call.currency),
        "max_duration_months": call.max_duration_months,
        "envelope": _money(call.envelope, call.currency),
        "eligible_countries": call.eligible_countries,
        "situations": call.situations,
        "themes": call.themes,
        "forms_of_exploitation": call.forms_of_exploitation,
        "required_documents": call.required_documents,
        "languages": call.languages,
        "url": public_url("calls.show", call_id=call.id),
    }


@bp.get("/calls")
@public
@documented(
    Operation(
        summary="Open and upcoming calls for proposals",
        response=CALLS_SCHEMA,
        parameters=(
            {
                "name": "include",
                "in": "query",
                "required": False,
                "description": "closed: add the past calls",
                "schema": {"type": "string", "enum": ["closed"]},
            },
        ),
    )
)
def calls() -> Any:
    now = utcnow()
    include_closed = request.args.get("include") == "closed"
    found = public_calls(now=now, include_closed=include_closed)
    response = jsonify(
        {
            "generated_at": now.isoformat(),
            "calls": [call_as_json(call, now=now) for call in found],
        }
    )
    # Public and the same for everyone: caches may keep it briefly.
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
