"""Writing to the audit log. Every state change in the product comes through here."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from app.audit.models import AuditEvent
from app.platform.extensions import db

# The origin (client IP) of the current unit of work. The web layer sets it per request and
# the CLI leaves it empty, so services need not carry an ``ip`` argument everywhere.
audit_origin: ContextVar[str | None] = ContextVar("audit_origin", default=None)

SYSTEM_ACTOR_LABEL = "system"

# In a session's info: the actions audited since its last commit (a set), for whatever must know
# what a commit changed (the reporting figures' cache, app/reporting/web/cache.py).
AUDITED_ACTIONS = "audit.actions"


def _actor_fields(actor: Any) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, SYSTEM_ACTOR_LABEL if actor is None else "anonymous"
    return actor.id, actor.email


def record_event(
    *,
    actor: Any,
    action: str,
    summary: str,
    subject: Any = None,
    subject_type: str | None = None,
    subject_id: Any = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event in the caller's transaction.

    ``subject`` may be any mapped object with an ``id``; its table name becomes the subject
    type. ``actor`` is a User, None for the system, or an anonymous user.
    """
    if subject is not None:
        subject_type = subject_type or subject.__tablename__
        subject_id = subject.id
    actor_id, actor_label = _actor_fields(actor)
    event = AuditEvent(
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id),
        summary=summary[:500],
        changes=changes,
        ip=audit_origin.get(),
    )
    db.session.add(event)
    db.session.info.setdefault(AUDITED_ACTIONS, set()).add(action)
    return event
