"""The fund's list of concept notes sent to two-stage calls, as a staff list
(app/platform/listing.py): by call and answer, sortable, with its CSV (decision 0115)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from app.accounts.models import Organisation
from app.accounts.permissions import Permission
from app.applications.models import Application, ConceptNote, ConceptStatus
from app.applications.web.listing import words
from app.platform.errors import N_
from app.platform.listing import Filter, ListSpec, Sort, contains_pattern, register_list
from app.platform.money import to_major


def _whole(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None


def _status(text: str) -> ConceptStatus | None:
    sent = {s.value for s in ConceptStatus if s != ConceptStatus.DRAFT}
    return ConceptStatus(text) if text in sent else None


def _filtered(filters: Mapping[str, Any]) -> sa.Select[Any]:
    """Sent concept notes only: a draft is the organisation's own business."""
    query = (
        sa.select(ConceptNote)
        .join(ConceptNote.application)
        .join(Application.organisation)
        .options(contains_eager(ConceptNote.application).contains_eager(Application.organisation))
        .where(ConceptNote.status != ConceptStatus.DRAFT)
    )
    if (call_id := filters.get("call_id")) is not None:
        query = query.where(Application.call_id == call_id)
    if (status := filters.get("status")) is not None:
        query = query.where(ConceptNote.status == status)
    if (text := filters.get("q")) is not None:
        pattern = contains_pattern(text.strip())
        query = query.where(
            sa.or_(
                ConceptNote.title.ilike(pattern, escape="\\"),
                Organisation.name.ilike(pattern, escape="\\"),
            )
        )
    return query


def _csv_row(note: ConceptNote) -> list[Any]:
    application = note.application
    return [
        application.reference,
        note.title,
        application.organisation.name,
        " ".join(note.countries),
        application.currency,
        to_major(note.indicative_amount, application.currency),
        note.status.value,
        note.submitted_at,
    ]


CONCEPT_NOTES = register_list(
    ListSpec(
        name="concept_notes",
        endpoint="applications.concept_notes",
        permissions=(Permission.SCREEN_APPLICATION,),
        sorts=(
            Sort("submitted", N_("Sent"), lambda: ConceptNote.submitted_at, True),
            Sort("title", N_("Concept note"), lambda: ConceptNote.title),
            Sort("organisation", N_("Organisation"), lambda: Organisation.name),
            Sort("amount", N_("Indicative amount"), lambda: ConceptNote.indicative_amount, True),
            Sort("status", N_("Answer"), lambda: ConceptNote.status),
        ),
        default_sort="submitted",
        filters=(
            Filter(
                "call_id", _whole, N_("“%(value)s” is not a call; the call filter is left out.")
            ),
            Filter(
                "status",
                _status,
                N_("“%(value)s” is not an answer; the answer filter is left out."),
            ),
            Filter("q", words, N_("Nothing to search for.")),
        ),
        query=_filtered,
        id_column=lambda: ConceptNote.application_id,
        csv_file="concept-notes.csv",
        csv_columns=(
            "reference",
            "title",
            "organisation",
            "countries",
            "currency",
            "indicative_amount",
            "status",
            "submitted_at",
        ),
        csv_row=_csv_row,
    )
)
