"""What a person does in the browser to sign in, and what the audit log then says."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.platform.extensions import db


def submit_login(
    client: FlaskClient, email: str, password: str, *, next: str | None = None, **kwargs: Any
) -> Any:
    """Fill in and send the sign-in form, as from the page at /login[?next=...]."""
    query = {"next": next} if next is not None else {}
    return client.post(
        "/login", query_string=query, data={"email": email, "password": password}, **kwargs
    )


def submit_code(
    client: FlaskClient, code: str, *, page: str = "/login/two-factor", **kwargs: Any
) -> Any:
    """Send the second-step form from ``page`` (where the first step redirected to)."""
    return client.post(page, data={"code": code}, **kwargs)


def is_signed_in(client: FlaskClient) -> bool:
    """The account menu (and its sign-out button) appears only to a signed-in person."""
    return b'action="/logout"' in client.get("/").data


def audit_actions(*, subject_id: int | None = None) -> list[str]:
    query = select(AuditEvent.action).order_by(AuditEvent.id)
    if subject_id is not None:
        query = query.where(AuditEvent.subject_id == str(subject_id))
    return list(db.session.execute(query).scalars())


def audit_events(action: str) -> list[AuditEvent]:
    return list(
        db.session.execute(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).scalars()
    )
