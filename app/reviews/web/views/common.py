"""What the selection pages share: the page's language, the fund-side refusal for an applicant
one belongs to, what the read-only application needs, and the due-date form."""

from __future__ import annotations

from typing import Any

from flask import flash
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import is_member
from app.applications import services as ngo
from app.applications.models import Application
from app.applications.web.labels import VOCABULARIES
from app.platform.categories import AgeGroup, Sex
from app.platform.db import utcnow
from app.platform.errors import N_, DomainError, SegregationOfDuties
from app.platform.extensions import db
from app.results.services import framework_of
from app.reviews.queries.assignments import default_due_date
from app.reviews.web.forms import AssignForm


def page_locale() -> str:
    return str(get_locale() or "en")


def exists(_user: Any, _record: Any) -> bool:
    return True


def not_linked(application: Application) -> None:
    """Fund-side pages about an applicant one belongs to are refused, not merely hidden."""
    if is_member(current_user, application.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to the applicant organisation, so you take no part in its selection.")
        )


def application_context(application: Application) -> dict[str, Any]:
    """What applications/_read_only.html needs."""
    return {
        "application": application,
        "call": application.call,
        "locale": page_locale(),
        "vocab": VOCABULARIES,
        "Sex": Sex,
        "AgeGroup": AgeGroup,
        "budget_by_category": ngo.budget_by_category(application),
        "organisation_documents": ngo.organisation_documents(application.organisation),
        "results_framework": framework_of(application),
    }


def flash_error(error: DomainError) -> None:
    db.session.rollback()
    flash(error.translated(_), "danger")


def due_form() -> AssignForm:
    form = AssignForm()
    if not form.due_on.data:
        form.due_on.data = default_due_date(utcnow().date())
    return form
