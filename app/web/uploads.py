"""Uploading a document from a page's form: an NGO's file, an application's attachments."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Organisation
from app.applications import services as ngo
from app.applications.models import Application, Document
from app.platform.categories import DocumentKind
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.platform.storage import get_storage


def upload_from_form(
    form: Any, *, organisation: Organisation, application: Application | None = None
) -> Document | None:
    """Upload the file of a document form (its ``kind`` and ``file`` fields). None when the
    fund refuses it: the session is rolled back and the reason said next to the file field."""
    upload = form.file.data
    try:
        return ngo.upload_document(
            actor=current_user,
            organisation=organisation,
            application=application,
            kind=DocumentKind(form.kind.data),
            filename=upload.filename or "",
            data=upload.read(current_app.config["UPLOAD_MAX_BYTES"] + 1),
            storage=get_storage(),
        )
    except DomainError as error:
        db.session.rollback()
        form.file.errors = [
            _(
                "%(file)s was not uploaded: %(reason)s",
                file=upload.filename or "?",
                reason=error.translated(_),
            )
        ]
        return None
