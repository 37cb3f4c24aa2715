"""The page of one transfer: the rest of its batch, what resolved it, who posted it and the
seal it is in."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.ledger.models import Checkpoint, Transfer
from app.platform.extensions import db

BATCH_LIMIT = 100


@dataclass
class TransferContext:
    batch: list[Transfer]  # the batch's other transfers, up to BATCH_LIMIT
    batch_size: int
    resolved_by: Transfer | None  # for a pending transfer: the transfer that posted or voided it
    actor: User | None
    sealed_in: Checkpoint | None


def transfer_context(transfer: Transfer) -> TransferContext:
    batch: list[Transfer] = []
    batch_size = 1
    if transfer.batch_id is not None:
        batch_size = db.session.execute(
            sa.select(sa.func.count())
            .select_from(Transfer)
            .where(Transfer.batch_id == transfer.batch_id)
        ).scalar_one()
        batch = list(
            db.session.execute(
                sa.select(Transfer)
                .options(joinedload(Transfer.debit_account), joinedload(Transfer.credit_account))
                .where(Transfer.batch_id == transfer.batch_id, Transfer.id != transfer.id)
                .order_by(Transfer.sequence)
                .limit(BATCH_LIMIT)
            ).scalars()
        )
    resolved_by = db.session.execute(
        sa.select(Transfer).where(Transfer.pending_id == transfer.id)
    ).scalar_one_or_none()
    actor = db.session.get(User, transfer.actor_id) if transfer.actor_id is not None else None
    sealed_in = db.session.execute(
        sa.select(Checkpoint)
        .where(
            Checkpoint.first_sequence <= transfer.sequence,
            Checkpoint.last_sequence >= transfer.sequence,
        )
        .limit(1)
    ).scalar_one_or_none()
    return TransferContext(
        batch=batch,
        batch_size=batch_size,
        resolved_by=resolved_by,
        actor=actor,
        sealed_in=sealed_in,
    )
