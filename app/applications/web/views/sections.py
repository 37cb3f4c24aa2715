"""The section-by-section application form."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission, can_edit_application, can_view_application
from app.applications import services as ngo
from app.applications.models import Application
from app.applications.services import EditConflict, Section
from app.applications.web.blueprint import bp
from app.applications.web.forms import SECTION_FORMS, application_upload_form
from app.applications.web.views.common import SECTIONS, attachments_page, page_context
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.questions.web.section import questions_section
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
    autosave = request.method == "POST" and request.headers.get("X-Autosave") == "1"
    if not can_edit_application(current_user, application):
        if autosave:
            return _autosaved(False, _("This application can no longer be changed."), stop=True)
        flash(_("This application can no longer be changed."), "info")
        return redirect(url_for("applications.show", application_id=application.id))
    if current == Section.ATTACHMENTS:
        if autosave:
            abort(404)
        return attachments_page(application, application_upload_form())
    if current == Section.QUESTIONS:
        return questions_section(application, context=page_context(application), autosave=autosave)
    form = SECTION_FORMS[current]()
    form.setup(application)
    if autosave:
        return _autosave(application, form)
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


def _autosaved(saved: bool, message: str, *, version: int | None = None, stop: bool = False) -> Any:
    """drafts.js's answer, always 200: a draft not saved is an ordinary outcome the line under
    the buttons reports (and no error in the browser's console); ``stop``: autosave gives up
    on this page (a colleague's newer version, an application no longer editable) and the Save
    button shows why."""
    answer: dict[str, Any] = {"saved": saved, "message": message, "stop": stop}
    if version is not None:
        answer["version"] = str(version)
    return jsonify(answer)


def _autosave(application: Application, form: Any) -> Any:
    """The draft saved by drafts.js a few seconds after the person stops typing: the same
    validation and service as the Save button, answered in JSON for the line under the buttons.
    A form with mistakes is not saved (the Save button shows them next to their fields)."""
    if not form.validate_on_submit():
        return _autosaved(
            False,
            _("Not saved automatically: some answers need correcting. Save to see which."),
        )
    try:
        ngo.save_section(
            actor=current_user,
            application=application,
            data=form.data_for(application),
            expected_version=form.expected_version(),
        )
    except EditConflict as error:
        db.session.rollback()
        return _autosaved(False, error.translated(_), stop=True)
    except DomainError as error:
        db.session.rollback()
        return _autosaved(False, error.translated(_))
    db.session.commit()
    return _autosaved(
        True,
        _("Draft saved automatically at %(time)s.", time=format_time(utcnow(), "short")),
        version=application.version_id,
    )
