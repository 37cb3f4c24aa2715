"""How applications show on any page: the status badge, and the vocabularies their answers
are labelled from (the applications' and the selection's pages both show them)."""

from __future__ import annotations

from markupsafe import Markup

from app.applications.models import ApplicationStatus
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
