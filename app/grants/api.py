"""``GET /api/v1/grants``: the grants the token's owner may see (docs/api.md).

The fund's staff who see every application see every grant, as on the grants board; an NGO's
people see their organisations' own, as on "My grants"; anyone else an empty list. Newest
award first, in keyset pages.
"""

from __future__ import annotations

from typing import Any

from app.accounts.permissions import Permission
from app.grants import queries
from app.grants.models import Grant
from app.grants.services.common import today
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
