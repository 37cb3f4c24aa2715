"""What both ways of posting a batch share: reading the transfers that already exist, which
accounts a batch involves, who posted it, and the batch's audit event."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.audit.services import record_event
from app.ledger.models import Transfer
from app.ledger.rules import Evaluation, StoredTransfer, TransferSpec
from app.platform.extensions import db


def actor_id(actor: Any) -> int | None:
    """The acting user's id, or None for the system (a webhook, a command, a test)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return int(actor.id)


def audit_batch(evaluation: Evaluation, *, actor: Any, batch_id: uuid.UUID) -> AuditEvent:
    """The batch's audit event, added to the session like any other."""
    lines = [
        f"{row.code.value} {row.kind.value} {row.amount} "
        f"{row.debit_account_id}->{row.credit_account_id}"
        for row in evaluation.rows
    ]
    return record_event(
        actor=actor,
        action="ledger.transfers_posted",
        summary=f"{len(lines)} transfer(s) posted: " + "; ".join(lines),
        subject_type="ledger_batch",
        subject_id=batch_id,
        changes={"transfers": [str(row.id) for row in evaluation.rows]},
    )


def read_stored(
    specs: Sequence[TransferSpec],
) -> tuple[dict[uuid.UUID, StoredTransfer], set[uuid.UUID]]:
    """Existing transfers with the batch's ids or its pending ids, and which pendings resolved."""
    ids = {spec.id for spec in specs}
    pending_ids = {spec.pending_id for spec in specs if spec.pending_id is not None}
    t = Transfer.__table__.c
    condition: sa.ColumnElement[bool] = t.id.in_(ids | pending_ids)
    if pending_ids:
        condition = sa.or_(condition, t.pending_id.in_(pending_ids))
    rows = db.session.execute(
        sa.select(
            t.id,
            t.debit_account_id,
            t.credit_account_id,
            t.amount,
            t.code,
            t.kind,
            t.pending_id,
            t.document_type,
            t.document_id,
        ).where(condition)
    ).all()
    stored: dict[uuid.UUID, StoredTransfer] = {}
    resolved: set[uuid.UUID] = set()
    for row in rows:
        transfer = StoredTransfer(*row)
        if transfer.id in ids or transfer.id in pending_ids:
            stored[transfer.id] = transfer
        if transfer.pending_id is not None and transfer.pending_id in pending_ids:
            resolved.add(transfer.pending_id)
    return stored, resolved


def involved_accounts(
    specs: Sequence[TransferSpec], stored: dict[uuid.UUID, StoredTransfer]
) -> set[int]:
    """The accounts the batch's transfers move, a pending transfer's accounts included."""
    ids: set[int] = set()
    for spec in specs:
        ids.update(i for i in (spec.debit_account_id, spec.credit_account_id) if i is not None)
        pending = stored.get(spec.pending_id) if spec.pending_id else None
        if pending is not None:
            ids.update((pending.debit_account_id, pending.credit_account_id))
    return ids
