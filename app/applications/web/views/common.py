"""What every application page shares: the sections, the reader's locale, the facts each
page about one application shows, and the attachments page."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from flask_babel import get_locale
from flask_login import current_user

from app.accounts.permissions import can_edit_application, is_member
from app.applications import services as ngo
from app.applications.models import Application, status_shown_to_applicant
from app.applications.services import Section
from app.applications.web.labels import VOCABULARIES
from app.platform.categories import AgeGroup, DocumentKind, Sex
from app.platform.db import utcnow
from app.results.services import framework_of

SECTIONS = list(Section)


def locale() -> str:
    return str(get_locale() or "en")


def page_context(application: Application) -> dict[str, Any]:
    """What every page about one application shows: completeness and the call's facts."""
    checks = ngo.completeness(application)
    return {
        "application": application,
        "call": application.call,
        "checks": checks,
        "percent": ngo.completeness_percent(checks),
        "sections": SECTIONS,
        "locale": locale(),
        "now": utcnow(),
        "Sex": Sex,
        "AgeGroup": AgeGroup,
        "DocumentKind": DocumentKind,
        "vocab": VOCABULARIES,
        "can_edit": can_edit_application(current_user, application),
        "results_framework": framework_of(application),
        # Members of the applicant organisation do not see the fund's internal recommendation.
        "shown_status": status_shown_to_applicant(application.status)
        if is_member(current_user, application.organisation_id)
        else application.status,
    }


def attachments_page(application: Application, upload_form: Any, status: int = 200) -> Any:
    return (
        render_template(
            "applications/attachments.html",
            **page_context(application),
            current=Section.ATTACHMENTS,
            upload_form=upload_form,
            organisation_documents=ngo.organisation_documents(application.organisation),
            max_upload_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024),
        ),
        status,
    )
