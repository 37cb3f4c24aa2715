"""Uploading and removing documents of an NGO's file or of an application."""

from __future__ import annotations

from typing import Any

from app.accounts.models import Organisation, User
from app.accounts.permissions import can_edit_application, can_manage_organisation
from app.applications.models import Application, Document, DueDiligenceStatus
from app.applications.services.queries import profile_of
from app.applications.uploads import InspectedFile, inspect_upload
from app.audit.services import record_event
from app.platform.categories import (
    APPLICATION_DOCUMENT_KINDS,
    ORGANISATION_DOCUMENT_KINDS,
    DocumentKind,
)
from app.platform.errors import N_, NotFound, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.platform.settings import settings
from app.platform.storage import Storage


def check_uploaded_file(*, filename: str, data: bytes) -> InspectedFile:
    """The checks every file sent to the fund passes (an NGO's document, an application's or a
    grant report's attachment): by its content (app/applications/uploads.py), within the size
    the fund accepts (``UPLOAD_MAX_BYTES``)."""
    return inspect_upload(data, filename, max_bytes=settings().uploads.max_bytes)


def store_uploaded_file(
    *, actor: User, filename: str, data: bytes, storage: Storage
) -> tuple[InspectedFile, dict[str, Any]]:
    """Check a file sent to the fund (``check_uploaded_file``) and keep its bytes privately:
    what the check found, and the columns every stored file has (a document's, a report
    attachment's)."""
    inspected = check_uploaded_file(filename=filename, data=data)
    columns: dict[str, Any] = {
        "filename": inspected.filename,
        "content_type": inspected.content_type,
        "size_bytes": inspected.size_bytes,
        "sha256": inspected.sha256,
        "storage_key": storage.save(data),
        "uploaded_by_id": actor.id,
    }
    return inspected, columns


def upload_document(
    *,
    actor: User,
    organisation: Organisation,
    kind: DocumentKind,
    filename: str,
    data: bytes,
    storage: Storage,
    application: Application | None = None,
) -> Document:
    """Check and store a file for the organisation's file or for one of its applications."""
    kind = DocumentKind(kind)
    if application is not None:
        if application.organisation_id != organisation.id:
            raise NotFound(N_("We could not find that application."))
        if not can_edit_application(actor, application):
            raise PermissionDenied(N_("This application can no longer be changed."))
        if kind not in APPLICATION_DOCUMENT_KINDS:
            raise ValidationFailed(N_("This kind of document belongs to the organisation's file."))
    else:
        if not can_manage_organisation(actor, organisation):
            raise PermissionDenied(N_("Only the organisation's own staff can add documents."))
        if kind not in ORGANISATION_DOCUMENT_KINDS:
            raise ValidationFailed(N_("This kind of document belongs to an application."))
    inspected, stored = store_uploaded_file(
        actor=actor, filename=filename, data=data, storage=storage
    )
    document = Document(
        organisation_id=organisation.id, application=application, kind=kind, **stored
    )
    db.session.add(document)
    db.session.flush()
    record_event(
        actor=actor,
        action="document.uploaded",
        subject=document,
        summary=f"{kind.value} uploaded: {inspected.filename}",
        changes={"sha256": [None, inspected.sha256]},
    )
    return document


def remove_document(*, actor: User, document: Document) -> str:
    """Remove an attachment of a draft, or a document of a file the fund is not checking.

    Returns the storage key: the caller deletes the bytes once the removal is committed.
    """
    if document.application is not None:
        allowed = can_edit_application(actor, document.application)
    else:
        profile = profile_of(document.organisation)
        allowed = (
            can_manage_organisation(actor, document.organisation)
            and profile is not None
            and profile.status in (DueDiligenceStatus.REGISTERED, DueDiligenceStatus.REJECTED)
        )
    if not allowed:
        raise PermissionDenied(N_("This document can no longer be removed."))
    record_event(
        actor=actor,
        action="document.removed",
        subject=document,
        summary=f"{document.kind.value} removed: {document.filename}",
    )
    key = document.storage_key
    db.session.delete(document)
    db.session.flush()
    return key
