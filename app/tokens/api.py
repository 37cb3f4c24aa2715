"""``GET /api/v1/me``: whom the token acts for, and what they may do (docs/api.md)."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from app.accounts.permissions import permissions_of
from app.accounts.services import organisation_ids_of
from app.web.access import login_required
from app.web.api import Operation, api_user, bp, documented

ME_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "email", "full_name", "roles", "permissions", "organisation_ids"],
    "properties": {
        "id": {"type": "integer"},
        "email": {"type": "string"},
        "full_name": {"type": "string"},
        "roles": {"type": "array", "items": {"type": "string"}},
        "permissions": {"type": "array", "items": {"type": "string"}},
        "organisation_ids": {"type": "array", "items": {"type": "integer"}},
    },
}


@bp.get("/me")
@login_required
@documented(Operation(summary="The person the token acts for", response=ME_SCHEMA))
def me() -> Any:
    person = api_user()
    return jsonify(
        id=person.id,
        email=person.email,
        full_name=person.full_name,
        roles=sorted(role.value for role in person.roles),
        permissions=sorted(p.value for p in permissions_of(person)),
        organisation_ids=sorted(organisation_ids_of(person)),
    )
