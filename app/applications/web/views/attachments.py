"""An application's attachments: uploading and removing a document."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission, can_view_application
from app.applications import services as ngo
from app.applications.models import Application, Document
from app.applications.web.blueprint import bp
from app.applications.web.forms import application_upload_form
from app.applications.web.views.common import attachments_page
from app.platform.extensions import db
from app.platform.storage import get_storage
from app.web.access import requires
from app.web.labels import label
from app.web.lookup import visible_or_404
from app.web.uploads import upload_from_form


@bp.post("/<int:application_id>/attachments")
@requires(Permission.APPLY_FOR_GRANT)
def upload(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    target = url_for("applications.section", application_id=application.id, name="attachments")
    form = application_upload_form()
    if not form.validate_on_submit():
        # Said next to the field it is about, on the page the file was chosen on.
        return attachments_page(application, form, 422)
    document = upload_from_form(
        form, organisation=application.organisation, application=application
    )
    if document is None:
        return attachments_page(application, form, 422)
    db.session.commit()
    flash(
        _("%(file)s attached as %(kind)s.", file=document.filename, kind=label(document.kind)),
        "success",
    )
    return redirect(target)


@bp.post("/<int:application_id>/attachments/<int:document_id>/remove")
@requires(Permission.APPLY_FOR_GRANT)
def remove_attachment(application_id: int, document_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    document = db.session.get(Document, document_id)
    if document is None or document.application_id != application.id:
        abort(404)
    key = ngo.remove_document(actor=current_user, document=document)
    db.session.commit()
    get_storage().delete(key)
    flash(_("%(file)s removed.", file=document.filename), "success")
    return redirect(
        url_for("applications.section", application_id=application.id, name="attachments")
    )
