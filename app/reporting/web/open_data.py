"""The fund's open data, published: the two IATI files at stable public addresses, the page to
register them on the IATI Registry, and fixing a grant's groups from the data-quality page.

The files are served as the publication job stored them (app/reporting/publication.py), never
made during a visitor's request, with their digest as the ETag and the time they were made as
Last-Modified, so a harvester asking again gets 304 while they are unchanged.
"""

from __future__ import annotations

import re
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission, can_view_grant
from app.grants.models import Grant
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.reporting.iati_fixes import correct_groups
from app.reporting.models import PublishedFile
from app.reporting.publication import ACTIVITIES, ORGANISATION, publish, published
from app.reporting.web.iati import publisher
from app.web.access import public, requires
from app.web.lookup import visible_or_404

bp = Blueprint("open_data", __name__, template_folder="../templates")

# Harvesters may keep a file this long before asking again (with its ETag).
MAX_AGE_SECONDS = 60


def _stored(name: str) -> PublishedFile | None:
    """The file as published; before the first publication ever, published now (once)."""
    stored = published(name)
    if stored is None:
        publish(publisher())
        stored = published(name)
    return stored


def _serve(name: str) -> Any:
    stored = _stored(name)
    if stored is None:
        abort(404)
    response = Response(stored.content, content_type=stored.content_type)
    response.set_etag(stored.sha256)
    response.last_modified = stored.generated_at
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE_SECONDS
    response.headers["Content-Disposition"] = f'inline; filename="{name}.xml"'
    return response.make_conditional(request)


@bp.get("/open-data/iati-activities.xml")
@public
def iati_activities_file() -> Any:
    """The published IATI activity file: the fund and each grant, with their transactions."""
    return _serve(ACTIVITIES)


@bp.get("/open-data/iati-organisation.xml")
@public
def iati_organisation_file() -> Any:
    """The published IATI organisation file: budgets and expenditure per year."""
    return _serve(ORGANISATION)


def registry_name(organisation_ref: str) -> str:
    """A name the IATI Registry accepts (lower-case letters, digits, - and _)."""
    return re.sub(r"[^a-z0-9_-]+", "-", organisation_ref.lower()).strip("-")


@bp.get("/open-data/iati")
@public
def iati_registry() -> Any:
    """The fund's IATI Registry record: what is published where, and what to register."""
    files = {name: _stored(name) for name in (ACTIVITIES, ORGANISATION)}
    who = publisher()
    base = str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
    return render_template(
        "reporting/iati_registry.html",
        publisher=who,
        registry_name=registry_name(who.organisation_ref),
        licence=str(current_app.config.get("IATI_LICENCE") or "cc-by"),
        activities=files[ACTIVITIES],
        organisation=files[ORGANISATION],
        activities_url=base + url_for("open_data.iati_activities_file"),
        organisation_url=base + url_for("open_data.iati_organisation_file"),
    )


@bp.post("/reports/iati/quality/grants/<int:grant_id>/groups")
@requires(Permission.AWARD_GRANT)
def iati_correct_groups(grant_id: int) -> Any:
    """Choose the groups a grant reaches (its IATI sectors), from the data-quality page."""
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    target = url_for("reporting.iati_quality_page")
    try:
        correct_groups(actor=current_user, grant=grant, groups=request.form.getlist("groups"))
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
        return redirect(target)
    db.session.commit()
    flash(
        _(
            "The groups of %(reference)s are saved; the published IATI files carry them within "
            "a minute.",
            reference=grant.reference,
        ),
        "success",
    )
    return redirect(target)
