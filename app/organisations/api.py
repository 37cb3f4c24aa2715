"""An NGO's documents through the JSON API (docs/api.md), token scope ``applications``: an
application's attachments listed, each document downloaded, and a file attached to a draft
(multipart), by the same upload form, service and limits as the attachments page
(app/web/uploads.py, app/applications/services/documents.py). Staff who see every application
read them; an NGO's people their own organisations' (another's are 404)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from app.accounts.permissions import Permission, can_view_application, can_view_document
from app.applications.models import Application, Document
from app.applications.web.forms import application_upload_form
from app.platform.categories import APPLICATION_DOCUMENT_KINDS
from app.platform.errors import N_, ValidationFailed
from app.tokens.models import TokenScope
from app.web.access import login_required, requires
from app.web.api import (
    IDEMPOTENCY_PARAMETER,
    IF_NONE_MATCH_PARAMETER,
    TIME_SCHEMA,
    Operation,
    answer,
    answer_or_not_modified,
    bp,
    documented,
    idempotent,
)
from app.web.downloads import send_private_file
from app.web.lookup import visible_or_404
from app.web.uploads import upload_from_form

_ID_PARAMETER: dict[str, Any] = {
    "name": "application_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}


def _visible(application_id: int) -> Application:
    return visible_or_404(Application, application_id, can_view_application)


# --- An application's documents: list, download, upload (multipart), as its attachments page --

DOCUMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "id",
        "application_id",
        "kind",
        "filename",
        "content_type",
        "size_bytes",
        "sha256",
        "created_at",
        "download",
    ],
    "properties": {
        "id": {"type": "integer"},
        "application_id": {"type": ["integer", "null"]},
        "kind": {"type": "string"},
        "filename": {"type": "string"},
        "content_type": {"type": "string"},
        "size_bytes": {"type": "integer"},
        "sha256": {"type": "string"},
        "created_at": TIME_SCHEMA,
        "download": {"type": "string", "description": "The API path that downloads it"},
    },
}
UPLOAD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["kind", "file"],
    "properties": {
        "kind": {
            "type": "string",
            "enum": sorted(kind.value for kind in APPLICATION_DOCUMENT_KINDS),
        },
        "file": {"type": "string", "format": "binary"},
    },
}


def document_as_json(document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "application_id": document.application_id,
        "kind": document.kind.value,
        "filename": document.filename,
        "content_type": document.content_type,
        "size_bytes": document.size_bytes,
        "sha256": document.sha256,
        "created_at": document.created_at.isoformat(),
        "download": url_for("api_v1.document", document_id=document.id),
    }


@bp.get("/applications/<int:application_id>/documents")
@login_required
@documented(
    Operation(
        area=TokenScope.APPLICATIONS,
        summary="An application's documents (its attachments)",
        response={
            "type": "object",
            "required": ["documents"],
            "properties": {"documents": {"type": "array", "items": DOCUMENT_SCHEMA}},
        },
        parameters=(_ID_PARAMETER, IF_NONE_MATCH_PARAMETER),
        problems=(404,),
        not_modified=True,
        links={
            "DownloadFirstDocument": {
                "operationId": "document",
                "parameters": {"document_id": "$response.body#/documents/0/id"},
            }
        },
    )
)
def application_documents(application_id: int) -> Any:
    found = _visible(application_id)
    documents = sorted(found.documents, key=lambda d: (d.created_at, d.id))
    return answer_or_not_modified({"documents": [document_as_json(d) for d in documents]})


@bp.post("/applications/<int:application_id>/documents")
@requires(Permission.APPLY_FOR_GRANT)
@documented(
    Operation(
        area=TokenScope.APPLICATIONS,
        summary="Attach a document to a draft (multipart/form-data: kind and file)",
        description="The attachments page's upload: the same checks of the file's content, "
        "kinds and size (UPLOAD_MAX_BYTES), while the application may still be changed.",
        response=DOCUMENT_SCHEMA,
        request=UPLOAD_SCHEMA,
        request_media_type="multipart/form-data",
        status=201,
        parameters=(_ID_PARAMETER, IDEMPOTENCY_PARAMETER),
        problems=(404, 409, 422),
    )
)
@idempotent
def upload_document(application_id: int) -> Any:
    found = _visible(application_id)
    # The page's form, without its CSRF token (a program has no form; docs/api.md).
    form = application_upload_form(meta={"csrf": False})
    if not form.validate_on_submit():
        raise ValidationFailed(
            N_("The upload was refused: %(reasons)s"), reasons=_form_errors(form)
        )
    document = upload_from_form(form, organisation=found.organisation, application=found)
    if document is None:
        raise ValidationFailed(
            N_("The upload was refused: %(reasons)s"), reasons=_form_errors(form)
        )
    return answer(document_as_json(document), status=201)


def _form_errors(form: Any) -> str:
    return "; ".join(
        f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()
    )


@bp.get("/documents/<int:document_id>")
@login_required
@documented(
    Operation(
        area=TokenScope.APPLICATIONS,
        summary="Download one document (its bytes, as an attachment, in its own content type)",
        description="A document of an application or organisation you may see, as its page's "
        "download link gives it (the download is audited).",
        response={"type": "string", "format": "binary"},
        response_media_type="*/*",
        parameters=(
            {"name": "document_id", "in": "path", "required": True, "schema": {"type": "integer"}},
        ),
        problems=(404,),
    )
)
def document(document_id: int) -> Any:
    found = visible_or_404(Document, document_id, can_view_document)
    return send_private_file(
        found.storage_key,
        filename=found.filename,
        content_type=found.content_type,
        subject=found,
        what="document",
    )
