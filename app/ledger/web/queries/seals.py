"""The seal summary shown on the chart and integrity pages: the latest checkpoint and what has
been posted since."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.accounts.models import User
from app.ledger.models import Checkpoint, Transfer
from app.platform.extensions import db


@dataclass
class SealSummary:
    latest: Checkpoint | None
    sealed_by: User | None
    checkpoints: int
    sealed_transfers: int
    unsealed_transfers: int
    last_transfer: Transfer | None


def seal_summary() -> SealSummary:
    """The latest checkpoint and what has been posted since; cheap (no hash is recomputed)."""
    latest = db.session.execute(
        sa.select(Checkpoint).order_by(Checkpoint.last_sequence.desc()).limit(1)
    ).scalar_one_or_none()
    checkpoints, sealed = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Checkpoint.transfer_count), 0))
    ).one()
    after = latest.last_sequence if latest is not None else 0
    unsealed = db.session.execute(
        sa.select(sa.func.count()).select_from(Transfer).where(Transfer.sequence > after)
    ).scalar_one()
    last_transfer = db.session.execute(
        sa.select(Transfer).order_by(Transfer.sequence.desc()).limit(1)
    ).scalar_one_or_none()
    sealed_by = None
    if latest is not None and latest.sealed_by_id is not None:
        sealed_by = db.session.get(User, latest.sealed_by_id)
    return SealSummary(
        latest=latest,
        sealed_by=sealed_by,
        checkpoints=int(checkpoints),
        sealed_transfers=int(sealed),
        unsealed_transfers=int(unsealed),
        last_transfer=last_transfer,
    )
