"""The section-by-section application form."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission, can_edit_application, can_view_application
from app.applications import services as ngo
from app.applications.models import Application
from app.applications.services import EditConflict, Section
from app.applications.web.blueprint import bp
from app.applications.web.forms import SECTION_FORMS, application_upload_form
from app.applications.web.views.common import SECTIONS, attachments_page, page_context
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.web.access import requires
from app.web.labels import label
from app.web.lookup import visible_or_404


@bp.route("/<int:application_id>/sections/<name>", methods=["GET", "POST"])
@requires(Permission.APPLY_FOR_GRANT)
def section(application_id: int, name: str) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    if name not in {s.value for s in Section}:
        abort(404)
    current = Section(name)
    if not can_edit_application(current_user, application):
        flash(_("This application can no longer be changed."), "info")
        return redirect(url_for("applications.show", application_id=application.id))
    if current == Section.ATTACHMENTS:
        return attachments_page(application, application_upload_form())
    form = SECTION_FORMS[current]()
    form.setup(application)
    if request.method == "GET":
        form.fill_from(application)
    conflict = None
    if form.validate_on_submit():
        try:
            ngo.save_section(
                actor=current_user,
                application=application,
                data=form.data_for(application),
                expected_version=form.expected_version(),
            )
        except EditConflict as error:
            db.session.rollback()
            conflict = error.translated(_)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.translated(_))
        else:
            db.session.commit()
            flash(_("%(section)s saved.", section=label(current)), "success")
            target: Section = current
            if request.form.get("then") == "next":
                target = SECTIONS[min(SECTIONS.index(current) + 1, len(SECTIONS) - 1)]
            return redirect(
                url_for("applications.section", application_id=application.id, name=target.value)
            )
    status = 409 if conflict else 200
    return (
        render_template(
            f"applications/section_{current.value}.html",
            **page_context(application),
            current=current,
            form=form,
            conflict=conflict,
            psc_rate=ngo.psc_rate(),
        ),
        status,
    )
