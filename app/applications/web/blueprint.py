"""The ``applications`` blueprint and the template filter its pages share
(``shown_to_applicant``); its routes live in app/applications/web/views/ (gathered by
app/applications/web/routes.py)."""

from __future__ import annotations

from flask import Blueprint

from app.applications.models import ApplicationStatus, status_shown_to_applicant

bp = Blueprint("applications", __name__, template_folder="../templates", url_prefix="/applications")


@bp.app_template_filter("shown_to_applicant")
def shown_to_applicant(status: ApplicationStatus) -> ApplicationStatus:
    return status_shown_to_applicant(status)
