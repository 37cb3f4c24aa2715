"""The daily seal (the Celery task ledger.seal) seals the audit log too, in a transaction of its
own after the ledger's, e-mails the head to each auditor, and has nothing left to do the second
time."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.chain import verify_audit_log
from app.audit.heads import published_audit_heads
from app.audit.models import AuditEvent
from app.outbox.models import OutboxMessage
from app.platform.extensions import db
from app.tasks import SEAL_LEDGER
from tests.factories import user_with
from tests.grants_support import USD, fund


def test_the_daily_seal_seals_the_audit_log_once_and_e_mails_its_head(app):
    auditor = user_with(Role.AUDITOR)
    fund(1_000 * USD)
    db.session.commit()
    task = app.extensions["celery"].tasks[SEAL_LEDGER]

    first, second = task.apply().get(), task.apply().get()

    assert first > 0 and second == 0
    head = published_audit_heads()[0]
    newest = db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))
    sealed = db.session.scalar(
        sa.select(AuditEvent.action).where(AuditEvent.id == head.last_event_id)
    )
    assert head.last_event_id == newest and sealed == "ledger.sealed"  # the ledger's seal too
    [message] = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.idempotency_key.like("audit-seal:%"))
    ).scalars()
    assert message.recipient == auditor.email
    assert f"flask audit verify --against {head.hash}" in message.body
    report = verify_audit_log(against=[head.hash])
    assert report.ok and report.unsealed_events == 0
