"""How applications show on any page: the status badge, and the vocabularies their answers
are labelled from (the applications' and the selection's pages both show them)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.applications.models import Application, ApplicationStatus, ConceptStatus
from app.platform.categories import (
    AssistanceType,
    DocumentKind,
    FormOfExploitation,
    Situation,
    Theme,
)
from app.web.labels import label

VOCABULARIES = {
    "Situation": Situation,
    "Theme": Theme,
    "FormOfExploitation": FormOfExploitation,
    "AssistanceType": AssistanceType,
    "DocumentKind": DocumentKind,
}

_BADGE_CLASSES = {
    ApplicationStatus.DRAFT: "text-bg-secondary",
    ApplicationStatus.SUBMITTED: "text-bg-primary",
    ApplicationStatus.INFO_REQUESTED: "text-bg-warning",
    ApplicationStatus.WITHDRAWN: "text-bg-dark",
    ApplicationStatus.APPROVED: "text-bg-success",
    ApplicationStatus.INELIGIBLE: "text-bg-danger",
    ApplicationStatus.REJECTED: "text-bg-danger",
    ApplicationStatus.NOT_RECOMMENDED: "text-bg-danger",
    ApplicationStatus.RESERVE: "text-bg-info",
    ApplicationStatus.RECOMMENDED: "text-bg-success",
}


def status_badge(status: ApplicationStatus) -> Markup:
    """An application's status as a coloured badge. A function rather than a Jinja macro: lists
    show one per row, and a macro call cost about ten times as much."""
    css = _BADGE_CLASSES.get(status, "text-bg-info")
    return Markup('<span class="badge {}">{}</span>').format(css, label(status))


# A two-stage call's application before the fund's invitation is a draft waiting on its concept
# note (decision 0115): its badge and status say where the concept note stands instead.
_CONCEPT_STAGE = {
    ConceptStatus.SUBMITTED: (_l("Concept note waiting for the fund's answer"), "text-bg-info"),
    ConceptStatus.DECLINED: (_l("Concept note not retained"), "text-bg-danger"),
}


def _concept_stage(application: Application) -> tuple[Any, str] | None:
    if application.status != ApplicationStatus.DRAFT or not application.call.is_two_stage:
        return None
    note = application.concept_note
    return None if note is None else _CONCEPT_STAGE.get(note.status)


def application_title(application: Application) -> str:
    """The application's title, else its concept note's, else "Untitled application"."""
    note = application.concept_note if application.call.is_two_stage else None
    return application.title or (note.title if note else "") or _("Untitled application")


def application_badge(application: Application, status: ApplicationStatus | None = None) -> Markup:
    """The status badge, saying where the concept note stands while it decides the draft."""
    stage = _concept_stage(application)
    if stage is None:
        return status_badge(status or application.status)
    text, css = stage
    return Markup('<span class="badge {}">{}</span>').format(css, text)


def application_status_text(application: Application) -> str:
    stage = _concept_stage(application)
    return str(stage[0]) if stage else str(label(application.status))
