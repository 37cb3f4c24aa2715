"""The heads of the ledger's seals, as published outside the database.

A seal (a checkpoint) lives in the same database as the transfers it covers, so someone able to
change a transfer could also delete the checkpoints and seal again. Its head (the chain hash,
the last sequence it covers, how many transfers and when) is therefore published where the
database cannot reach it: the public transparency page and API, and an e-mail to the auditors.
``flask ledger verify --against`` then checks that the chain recomputed from the transfers
still passes through a head kept outside (app/ledger/verify.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.ledger.models import Checkpoint
from app.platform.extensions import db
from app.platform.hashchain import PUBLISHED_HEADS


@dataclass(frozen=True, slots=True)
class SealHead:
    hash: str
    first_sequence: int
    last_sequence: int
    transfer_count: int
    sealed_at: datetime


def head_of(checkpoint: Checkpoint) -> SealHead:
    return SealHead(
        hash=checkpoint.hash,
        first_sequence=checkpoint.first_sequence,
        last_sequence=checkpoint.last_sequence,
        transfer_count=checkpoint.transfer_count,
        sealed_at=checkpoint.sealed_at,
    )


def published_heads(*, limit: int = PUBLISHED_HEADS) -> list[SealHead]:
    """The newest seals' heads, newest first."""
    checkpoints = db.session.execute(
        sa.select(Checkpoint).order_by(Checkpoint.last_sequence.desc()).limit(limit)
    ).scalars()
    return [head_of(checkpoint) for checkpoint in checkpoints]
