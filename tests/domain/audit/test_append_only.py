"""The audit log cannot be rewritten, even with raw SQL that bypasses the application."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.audit.services import audit_origin, record_event
from app.platform.extensions import db
from tests.factories import user_with


def _one_event() -> AuditEvent:
    actor = user_with()
    event = record_event(actor=actor, action="test.happened", summary="something happened")
    db.session.flush()
    return event


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET summary = 'rewritten' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
    ],
    ids=["update", "delete"],
)
def test_database_rejects_changes_to_audit_rows(statement):
    event = _one_event()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.session.begin_nested():
        db.session.execute(sa.text(statement), {"id": event.id})
    db.session.expire_all()
    assert db.session.get(AuditEvent, event.id).summary == "something happened"


def test_event_records_actor_subject_and_origin():
    actor = user_with()
    token = audit_origin.set("203.0.113.9")
    try:
        event = record_event(actor=actor, action="user.test", summary="checked", subject=actor)
    finally:
        audit_origin.reset(token)
    db.session.flush()
    assert (event.actor_id, event.actor_label) == (actor.id, actor.email)
    assert (event.subject_type, event.subject_id) == ("users", str(actor.id))
    assert event.ip == "203.0.113.9"
    assert event.occurred_at.tzinfo is not None
