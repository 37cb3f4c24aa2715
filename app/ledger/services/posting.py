"""Posting to the ledger: ``post_transfers`` is the only way money moves.

It posts a batch atomically: every transfer is accepted (``ok``, or ``exists`` for an identical
retry) or the whole batch is refused and nothing is written. Like every service it flushes and
never commits: the caller commits once, with the rest of its unit of work.

How a batch is posted, per database:

* PostgreSQL (``posting_postgresql``): one statement locks the involved accounts in id order
  (``FOR NO KEY UPDATE``), checks their limits against the freshly locked totals, inserts the
  transfers and updates the totals. Existing transfers (retries, pending transfers) are read
  before, without locks; the unique indexes catch what a concurrent transaction committed in
  between, and the posting is then decided again.
* SQLite (``posting_sqlite``): writes are serialised by the database, so the service takes the
  write lock first, reads, decides in Python and writes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app.ledger.models import Account
from app.ledger.rules import ACCEPTED, TransferSpec, TransferStatus
from app.ledger.services.posting_postgresql import post_postgresql
from app.ledger.services.posting_sqlite import post_serialised
from app.platform.errors import N_, Conflict
from app.platform.extensions import db

# Fixed forever: deterministic transfer ids derived from business documents depend on it.
TRANSFER_NAMESPACE = uuid.UUID("6f1d7c8e-3b0a-5d2e-9c4f-8a7b6e5d4c3b")


def transfer_id(*parts: object) -> uuid.UUID:
    """A deterministic transfer id (the idempotency key) for a business document.

    ``transfer_id("grant", 14, "commitment")`` is the same UUID every time, so posting the
    commitment of grant 14 twice can never move the money twice.
    """
    return uuid.uuid5(TRANSFER_NAMESPACE, ":".join(str(part) for part in parts))


@dataclass(frozen=True, slots=True)
class TransferResult:
    """What became of one transfer of a batch; ``sequence`` is set for posted transfers."""

    id: uuid.UUID
    status: TransferStatus
    sequence: int | None = None

    @property
    def accepted(self) -> bool:
        """Posted now, or already posted identically before (an idempotent retry)."""
        return self.status in ACCEPTED


class LedgerRefused(Conflict):
    """The ledger refused a batch; ``results`` says why, per transfer."""

    def __init__(self, results: Sequence[TransferResult]) -> None:
        refused = next(r for r in results if r.status != TransferStatus.BATCH_FAILED)
        self.results = list(results)
        super().__init__(
            N_("The ledger refused the transfer (%(reason)s): nothing was recorded."),
            reason=refused.status,
        )


def require_accepted(results: Sequence[TransferResult]) -> list[TransferResult]:
    """Return ``results`` if the batch was accepted; raise LedgerRefused (a 409) otherwise."""
    if not all(result.accepted for result in results):
        raise LedgerRefused(results)
    return list(results)


def post_transfers(
    specs: Sequence[TransferSpec], *, actor: Any, batch_id: uuid.UUID | None = None
) -> list[TransferResult]:
    """Post a batch of transfers atomically; one result per spec, in order.

    Statuses: ``ok`` (posted now), ``exists`` (an identical transfer with that id was posted
    before: nothing written), ``exists_with_different_fields``, or a refusal such as
    ``exceeds_credits``, ``exceeds_debits``, ``pending_already_resolved``,
    ``pending_not_found``, ``amount_exceeds_pending``, ``accounts_must_differ``,
    ``account_not_found``; the other transfers of a refused batch are ``batch_failed``.
    Limits are checked transfer by transfer, in order, as TigerBeetle does. Posting a pending
    transfer for less than its amount releases the remainder.

    Writes one audit event per accepted batch that posted something. Flushes, never commits.
    """
    if not specs:
        return []
    # The caller's pending changes (a new account, the document) first: the posting
    # statements below do not go through the unit of work.
    db.session.flush()
    batch_id = batch_id or uuid.uuid4()
    if db.session.get_bind().dialect.name == "postgresql":
        evaluation, sequences = post_postgresql(specs, actor=actor, batch_id=batch_id)
    else:
        evaluation, sequences = post_serialised(specs, actor=actor, batch_id=batch_id)
    results = [
        TransferResult(id=spec.id, status=status, sequence=sequences.get(spec.id))
        for spec, status in zip(specs, evaluation.statuses, strict=True)
    ]
    if evaluation.rows and not evaluation.refused:
        _expire_accounts(evaluation.deltas)
    return results


def _expire_accounts(deltas: Iterable[int]) -> None:
    """Account objects the session holds are stale once their totals moved in SQL."""
    touched = set(deltas)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Account) and obj.id in touched:
            db.session.expire(obj)
