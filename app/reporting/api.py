"""``GET /api/v1/transparency``: the public transparency figures as JSON (docs/api.md).

The same data as the /transparency page, from the same domain function: counts of people
below 5 are already suppressed there and come out as the string "<5".
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify

from app.platform.db import utcnow
from app.reporting.publication import ACTIVITIES, ORGANISATION, published
from app.reporting.suppression import public_value
from app.reporting.transparency import transparency
from app.reporting.web.cache import cached, public_data_version
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
# A count of people, or "<5" where a small number could identify someone.
_PEOPLE = {"anyOf": [{"type": "integer"}, {"const": "<5"}]}
TRANSPARENCY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["generated_at", "currency", "totals", "donors", "grants_by_country"],
    "properties": {
        "generated_at": {"type": "string", "format": "date-time"},
        "currency": {"type": "string"},
        "totals": {
            "type": "object",
            "properties": {
                "received": _MONEY,
                "disbursed": _MONEY,
                # Received and not yet committed: for any grant, restricted by donors, both.
                "unrestricted": _MONEY,
                "restricted": _MONEY,
                "held_for_grants": _MONEY,
                "grants": {"type": "integer"},
                "granted": _MONEY,
                "organisations": {"type": "integer"},
                "countries": {"type": "integer"},
                "people_assisted": _PEOPLE,
            },
        },
        "donors": {"type": "array", "items": {"type": "object"}},
        "other_donors": _MONEY,
        "grants_by_country": {"type": "array", "items": {"type": "object"}},
        "people_assisted": {"type": "object"},
    },
}


@bp.get("/transparency")
@public
@documented(Operation(summary="The public transparency figures", response=TRANSPARENCY_SCHEMA))
def transparency_json() -> Any:
    currency = str(current_app.config["FUNCTIONAL_CURRENCY"])
    data = cached("transparency", transparency, public_data_version())
    response = jsonify(
        {
            "generated_at": utcnow().isoformat(),
            "currency": currency,
            "totals": {
                "received": _money(data.received, currency),
                "disbursed": _money(data.disbursed, currency),
                "unrestricted": _money(data.unrestricted, currency),
                "restricted": _money(data.restricted, currency),
                "held_for_grants": _money(data.held_for_grants, currency),
                "grants": data.grants.grants,
                "granted": _money(data.grants.amount, currency),
                "organisations": data.grants.organisations,
                "countries": len([line for line in data.countries if line.country]),
                "people_assisted": public_value(data.people.total),
            },
            "donors": [
                {"name": line.name, "kind": line.kind, "received": _money(line.amount, currency)}
                for line in data.donors.lines
            ],
            "other_donors": _money(data.donors.others, currency),
            "grants_by_country": [
                {
                    "country": line.country or None,
                    "grants": line.grants,
                    "amount": _money(line.amount, currency),
                    "themes": sorted(line.themes),
                }
                for line in data.countries
            ],
            "people_assisted": {
                "by_sex_and_age": {
                    key: public_value(value) for key, value in data.people.sex_age.items()
                },
                "by_form_of_exploitation": {
                    key: public_value(value) for key, value in data.people.exploitation.items()
                },
            },
            "ledger_seals": [
                {
                    "hash": seal.hash,
                    "first_sequence": seal.first_sequence,
                    "last_sequence": seal.last_sequence,
                    "transfer_count": seal.transfer_count,
                    "sealed_at": seal.sealed_at.isoformat(),
                }
                for seal in data.seals
            ],
            "audit_log_seals": [
                {
                    "hash": seal.hash,
                    "first_event_id": seal.first_event_id,
                    "last_event_id": seal.last_event_id,
                    "event_count": seal.event_count,
                    "sealed_at": seal.sealed_at.isoformat(),
                }
                for seal in data.audit_seals
            ],
        }
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# --- The IATI files as published (app/reporting/publication.py), as /open-data/iati lists them

_IATI_FILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "url", "published"],
    "properties": {
        "name": {"type": "string"},
        "url": {"type": "string"},
        "published": {
            "description": "null until the publication job first made the file",
            "anyOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["generated_at", "sha256", "size_bytes", "content_type"],
                    "properties": {
                        "generated_at": {"type": "string", "format": "date-time"},
                        "sha256": {"type": "string"},
                        "size_bytes": {"type": "integer"},
                        "content_type": {"type": "string"},
                    },
                },
            ],
        },
    },
}
IATI_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["registry_page", "files"],
    "properties": {
        "registry_page": {"type": "string"},
        "files": {"type": "array", "items": _IATI_FILE_SCHEMA},
    },
}
_IATI_FILES = (
    (ACTIVITIES, "open_data.iati_activities_file"),
    (ORGANISATION, "open_data.iati_organisation_file"),
)


@bp.get("/iati")
@public
@documented(
    Operation(
        summary="The fund's published IATI files: where they are, when they were made",
        description="What the public page /open-data/iati lists: each file's stable address "
        "(fetch it there, with its ETag), its digest and when the publication job made it.",
        response=IATI_SCHEMA,
    )
)
def iati_files() -> Any:
    files = []
    for name, endpoint in _IATI_FILES:
        stored = published(name)
        files.append(
            {
                "name": name,
                "url": public_url(endpoint),
                "published": None
                if stored is None
                else {
                    "generated_at": stored.generated_at.isoformat(),
                    "sha256": stored.sha256,
                    "size_bytes": len(stored.content),
                    "content_type": stored.content_type,
                },
            }
        )
    response = jsonify(registry_page=public_url("open_data.iati_registry"), files=files)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
