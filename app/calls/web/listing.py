"""The fund manager's calls (/calls/manage) as a staff list (app/platform/listing.py): sortable
columns (latest deadline first by default), filters (status, reference or title), its CSV; the
applications of the page's calls counted in one query."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from app.accounts.permissions import Permission
from app.applications.models import Application
from app.calls.models import Call, CallStatus
from app.platform.errors import N_
from app.platform.extensions import db
from app.platform.listing import Filter, ListSpec, Sort, contains_pattern, register_list


def _status(text: str) -> CallStatus | None:
    return CallStatus(text) if text in {s.value for s in CallStatus} else None


def _words(text: str) -> str | None:
    return text if text.strip() else None


def calls_query() -> sa.Select[Any]:
    """Calls, without their rubric (a page of calls does not show it)."""
    return sa.select(Call).options(lazyload(Call.criteria))


def _filtered(filters: Mapping[str, Any]) -> sa.Select[Any]:
    query = calls_query()
    if (status := filters.get("status")) is not None:
        query = query.where(Call.status == status)
    if (text := filters.get("q")) is not None:
        # Every word, anywhere in the reference or in the title in any language (not the phrase).
        for word in text.split():
            query = query.where(sa.or_(*_word_in_call(word)))
    return query


def _word_in_call(word: str) -> list[sa.ColumnElement[bool]]:
    # The title is JSON by language, and its text holds every language's title as the JSON
    # serialiser wrote it, letters outside ASCII as escapes ("cr\\u00e8me" for "crème"):
    # the word is looked for as typed and as JSON writes it.
    forms = {word, json.dumps(word)[1:-1]}
    found: list[sa.ColumnElement[bool]] = []
    for form in sorted(forms):
        pattern = contains_pattern(form)
        found += [
            Call.reference.ilike(pattern, escape="\\"),
            sa.cast(Call.title, sa.Text).ilike(pattern, escape="\\"),
        ]
    return found


def application_counts(call_ids: Iterable[int]) -> dict[int, int]:
    """How many applications (drafts too) each of these calls has: one query for a page."""
    ids = list(call_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Application.call_id, sa.func.count())
        .where(Application.call_id.in_(ids))
        .group_by(Application.call_id)
    ).all()
    return {int(call_id): int(count) for call_id, count in rows}


def _csv_row(call: Call) -> list[Any]:
    return [
        call.reference,
        call.title_in(None),
        call.window.value,
        call.status.value,
        call.opens_at.isoformat(),
        call.closes_at.isoformat(),
        call.currency,
    ]


CALLS = register_list(
    ListSpec(
        name="calls",
        endpoint="calls.manage",
        permissions=(Permission.MANAGE_CALLS,),
        sorts=(
            Sort("deadline", N_("Deadline (UTC)"), lambda: Call.closes_at, True),
            Sort("reference", N_("Reference"), lambda: Call.reference),
            Sort("status", N_("Status"), lambda: Call.status),
        ),
        default_sort="deadline",
        filters=(
            Filter(
                "status", _status, N_("“%(value)s” is not a status; the status filter is left out.")
            ),
            Filter("q", _words, N_("Nothing to search for.")),
        ),
        query=_filtered,
        id_column=lambda: Call.id,
        csv_file="calls.csv",
        csv_columns=("reference", "title", "window", "status", "opens_at", "closes_at", "currency"),
        csv_row=_csv_row,
    )
)
