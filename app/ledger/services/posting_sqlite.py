"""Posting a batch on SQLite: the database serialises writes, so take its write lock first,
then read, decide in Python and write."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa

from app.ledger.models import Account, Transfer
from app.ledger.rules import Evaluation, TransferSpec, evaluate
from app.ledger.services.batch import actor_id, audit_batch, involved_accounts, read_stored
from app.ledger.services.totals import add_to_account_totals, read_totals
from app.platform.db import utcnow
from app.platform.extensions import db


def post_serialised(
    specs: Sequence[TransferSpec], *, actor: Any, batch_id: uuid.UUID
) -> tuple[Evaluation, dict[uuid.UUID, int]]:
    """Decide and write the batch under SQLite's write lock; the sequences of what was posted."""
    _take_write_lock()
    stored, resolved = read_stored(specs)
    accounts = read_totals(involved_accounts(specs, stored))
    evaluation = evaluate(specs, stored=stored, resolved_pending_ids=resolved, accounts=accounts)
    if evaluation.refused or not evaluation.rows:
        return evaluation, {}
    sequences = _insert_transfers(evaluation, actor=actor, batch_id=batch_id)
    audit_batch(evaluation, actor=actor, batch_id=batch_id)
    add_to_account_totals(evaluation.deltas)
    return evaluation, sequences


def _take_write_lock() -> None:
    """A write first: SQLite then holds its write lock until commit, so what we read stays true."""
    accounts_table = cast(sa.Table, Account.__table__)
    db.session.execute(
        sa.update(accounts_table).where(accounts_table.c.id == -1).values(id=accounts_table.c.id)
    )


def _insert_transfers(
    evaluation: Evaluation, *, actor: Any, batch_id: uuid.UUID
) -> dict[uuid.UUID, int]:
    """Insert the batch's transfers after the last sequence; each transfer's sequence."""
    transfers_table = cast(sa.Table, Transfer.__table__)
    last = db.session.execute(sa.select(sa.func.max(transfers_table.c.sequence))).scalar() or 0
    now = utcnow()
    posted_by = actor_id(actor)
    sequences: dict[uuid.UUID, int] = {}
    values = []
    for offset, row in enumerate(evaluation.rows, start=1):
        sequences[row.id] = last + offset
        values.append(
            {
                "id": row.id,
                "sequence": last + offset,
                "debit_account_id": row.debit_account_id,
                "credit_account_id": row.credit_account_id,
                "amount": row.amount,
                "code": row.code,
                "kind": row.kind,
                "pending_id": row.pending_id,
                "batch_id": batch_id,
                "document_type": row.document_type,
                "document_id": row.document_id,
                "actor_id": posted_by,
                "memo": row.memo,
                "created_at": now,
            }
        )
    db.session.execute(sa.insert(transfers_table), values)
    return sequences
