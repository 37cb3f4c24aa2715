"""``GET /api/v1/applications``: the applications the token's owner may see (docs/api.md).

The fund's staff who see every application (``VIEW_ALL_APPLICATIONS``) get all of them, as on
the "All applications" page; an NGO's people get their organisations' own, as on "My
applications"; anyone else an empty list. Newest change first, in keyset pages.
"""

from __future__ import annotations

from typing import Any

from app.accounts.permissions import Permission
from app.applications import services as ngo
from app.applications.models import Application
from app.web.access import login_required
from app.web.api import (
    CURSOR_PARAMETERS,
    MONEY_SCHEMA,
    ORGANISATION_SCHEMA,
    TIME_SCHEMA,
    Operation,
    api_user,
    bp,
    documented,
    newest_first_json,
    organisations_in_reach,
    page_schema,
)

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
