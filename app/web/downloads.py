"""Serving a private stored file: after the route's access check, always as an attachment.

Who opened which private document (an organisation's registration papers, a grant report's
receipts, a pledge letter) is recorded in the audit log, as auditors of a fund expect.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, send_file
from flask_login import current_user

from app.audit.services import record_event
from app.platform.extensions import db
from app.platform.storage import get_storage


def send_private_file(
    key: str | None, *, filename: str, content_type: str, subject: Any, what: str
) -> Any:
    """The stored file ``key`` as a download named ``filename``; 404 when it is missing.

    ``subject`` is the record the file belongs to (audited); ``what`` names it in the log.
    """
    stored = get_storage().open(key) if key else None
    if stored is None:
        current_app.logger.error("%s %s: stored file is missing", what, subject.id)
        abort(404)
    record_event(
        actor=current_user,
        action="file.downloaded",
        subject=subject,
        summary=f"{what} downloaded: {filename}",
    )
    db.session.commit()
    response = send_file(
        stored,
        mimetype=content_type,
        as_attachment=True,
        download_name=filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    # Even if a browser were to render it, the file could run nothing and load nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
