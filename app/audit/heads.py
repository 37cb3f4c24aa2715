"""The heads of the audit log's seals, as published outside the database.

As with the ledger's (app/ledger/heads.py): a seal lives in the database whose events it
covers, so its head (the chain hash, the events it covers and when) is published where the
database cannot reach it: the public transparency page and API, and an e-mail to the auditors.
``flask audit verify --against`` then checks that the events still lead to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.audit.models import AuditCheckpoint
from app.platform.extensions import db
from app.platform.hashchain import PUBLISHED_HEADS


@dataclass(frozen=True, slots=True)
class AuditSealHead:
    hash: str
    first_event_id: int
    last_event_id: int
    event_count: int
    sealed_at: datetime


def audit_head_of(checkpoint: AuditCheckpoint) -> AuditSealHead:
    return AuditSealHead(
        hash=checkpoint.hash,
        first_event_id=checkpoint.first_event_id,
        last_event_id=checkpoint.last_event_id,
        event_count=checkpoint.event_count,
        sealed_at=checkpoint.sealed_at,
    )


def published_audit_heads(*, limit: int = PUBLISHED_HEADS) -> list[AuditSealHead]:
    """The newest seals' heads, newest first."""
    checkpoints = db.session.execute(
        sa.select(AuditCheckpoint).order_by(AuditCheckpoint.last_event_id.desc()).limit(limit)
    ).scalars()
    return [audit_head_of(checkpoint) for checkpoint in checkpoints]
