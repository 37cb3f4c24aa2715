"""The demo's audit log is sealed, up to its last event, and verifies against its head."""

from __future__ import annotations

import sqlalchemy as sa

from app.audit.chain import verify_audit_log
from app.audit.heads import published_audit_heads
from app.audit.models import AuditEvent
from app.platform.extensions import db
from devtools.seed import load_demo


def test_the_demo_audit_log_is_sealed_and_verifies():
    load_demo()

    head = published_audit_heads()[0]
    assert head.last_event_id == db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))
    report = verify_audit_log(against=[head.hash])
    assert report.ok, report.problems
    assert report.unsealed_events == 0 and report.heads_reached == 1
