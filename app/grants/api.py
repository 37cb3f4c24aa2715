"""``GET /api/v1/grants``: the grants the token's owner may see (docs/api.md).

The fund's staff who see every application see every grant, as on the grants board; an NGO's
people see their organisations' own, as on "My grants"; anyone else an empty list. Newest
award first, in keyset pages.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify

from app.accounts.permissions import Permission, has_permission
from app.accounts.services import organisation_ids_of
from app.grants import queries
from app.grants.models import Grant
from app.grants.services.common import today
from app.web.access import login_required
from app.web.api import (
    CURSOR_PARAMETERS,
    MONEY_SCHEMA,
    TIME_SCHEMA,
    Operation,
    api_user,
    bp,
    documented,
    page_schema,
)
from app.web.keyset import newest_first_page

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
        "organisation": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
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
    )
)
def grants() -> Any:
    person = api_user()
    mine: set[int] | None = None
    if not has_permission(person, Permission.VIEW_ALL_APPLICATIONS):
        # The same reach as "My grants": the organisations the person belongs to.
        mine = (
            organisation_ids_of(person)
            if has_permission(person, Permission.SUBMIT_GRANT_REPORT)
            else set()
        )
    # The boards' query, its board order replaced by the keyset's.
    query = queries.list_grants(on=today(), organisation_ids=mine).order_by(None)
    page = newest_first_page(
        query,
        moment=Grant.awarded_at,
        row_id=Grant.id,
        per_page=current_app.config["PAGE_SIZE"],
    )
    return jsonify(grants=[grant_as_json(g) for g in page.items], next_cursor=page.next_cursor)
