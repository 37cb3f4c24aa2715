"""Posting a batch on PostgreSQL: decide what can be decided without locks, then one statement
locks the accounts, checks their limits, writes the transfers, the totals and the audit event.

Existing transfers (retries, pending transfers) are read before, without locks; when the
statement finds that something it could not see has been committed meanwhile, the batch is
read and decided again, up to ``MAX_ATTEMPTS`` times.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from app.audit.models import AuditEvent
from app.ledger.rules import Evaluation, StoredTransfer, Totals, TransferSpec, evaluate
from app.ledger.services.batch import actor_id, audit_batch, involved_accounts, read_stored
from app.ledger.services.posting_statement import PostOutcome, execute_post
from app.ledger.services.totals import read_totals
from app.platform.errors import N_, Conflict
from app.platform.extensions import db

MAX_ATTEMPTS = 4


class LedgerBusy(Conflict):
    """Another transaction posted a transfer with the same id at the same moment: retry."""


def post_postgresql(
    specs: Sequence[TransferSpec], *, actor: Any, batch_id: uuid.UUID
) -> tuple[Evaluation, dict[uuid.UUID, int]]:
    """Post the batch with the posting statement; the sequences of what was posted."""
    # New transfers cannot exist yet in the common case: read first only for pending
    # transfers, and whenever the posting statement says something already exists.
    needs_read = any(spec.pending_id is not None for spec in specs)
    stored: dict[uuid.UUID, StoredTransfer] = {}
    resolved: set[uuid.UUID] = set()
    for _attempt in range(MAX_ATTEMPTS):
        if needs_read:
            stored, resolved = read_stored(specs)
        evaluation = evaluate(specs, stored=stored, resolved_pending_ids=resolved, accounts=None)
        if evaluation.refused:
            return _refusal_in_batch_order(specs, stored, resolved, read=not needs_read), {}
        if not evaluation.rows:
            return evaluation, {}
        # The audit event is made by the audit service as always, but written by the posting
        # statement, so it exists exactly when the transfers do.
        event = audit_batch(evaluation, actor=actor, batch_id=batch_id)
        db.session.expunge(event)
        outcome = execute_post(_statement_params(evaluation, event, batch_id, actor_id(actor)))
        if outcome.fresh and not (outcome.found and outcome.within):
            # The locked totals are current and stay locked: decide on them, exactly.
            refusal = evaluate(
                specs, stored=stored, resolved_pending_ids=resolved, accounts=_locked(outcome)
            )
            if refusal.refused:
                return refusal, {}
        inserted = outcome.inserted or []
        if outcome.fresh:
            if len(inserted) == len(evaluation.rows):
                return evaluation, {uuid.UUID(i): int(s) for i, s in inserted}
            if inserted:
                # Part of the batch collided with a transfer committed this instant and part
                # was written: only a rollback can undo that.
                raise LedgerBusy(
                    N_("Another posting of the same transfer is in progress; please retry.")
                )
        # Something this statement could not see has been committed: read again, decide again.
        needs_read = True
    raise LedgerBusy(N_("The ledger is busy with the same transfers; please retry."))


def _refusal_in_batch_order(
    specs: Sequence[TransferSpec],
    stored: dict[uuid.UUID, StoredTransfer],
    resolved: set[uuid.UUID],
    *,
    read: bool,
) -> Evaluation:
    """A batch refused whatever the totals, decided again on them and on what exists (``read``
    it first if not done yet), only to name the first reason in batch order, as SQLite does."""
    if read:
        stored, resolved = read_stored(specs)
    totals = read_totals(involved_accounts(specs, stored))
    return evaluate(specs, stored=stored, resolved_pending_ids=resolved, accounts=totals)


def _locked(outcome: PostOutcome) -> dict[int, Totals]:
    """The accounts' totals as the posting statement locked them."""
    return {
        int(item[0]): Totals(
            debits_pending=int(item[1]),
            debits_posted=int(item[2]),
            credits_pending=int(item[3]),
            credits_posted=int(item[4]),
            debits_must_not_exceed_credits=bool(item[5]),
            credits_must_not_exceed_debits=bool(item[6]),
        )
        for item in outcome.totals or []
    }


def _statement_params(
    evaluation: Evaluation, event: AuditEvent, batch_id: uuid.UUID, posted_by: int | None
) -> dict[str, Any]:
    """The posting statement's parameters: the rows, the totals' deltas, the audit event."""
    return {
        "audit_actor_id": event.actor_id,
        "audit_actor_label": event.actor_label,
        "audit_action": event.action,
        "audit_subject_type": event.subject_type,
        "audit_subject_id": event.subject_id,
        "audit_summary": event.summary,
        "audit_changes": json.dumps(event.changes),
        "audit_ip": event.ip,
        "rows": json.dumps(
            [
                {
                    "ord": ord_,
                    "id": str(row.id),
                    "debit_account_id": row.debit_account_id,
                    "credit_account_id": row.credit_account_id,
                    "amount": row.amount,
                    "code": row.code.value,
                    "kind": row.kind.value,
                    "pending_id": str(row.pending_id) if row.pending_id else None,
                    "document_type": row.document_type,
                    "document_id": row.document_id,
                    "memo": row.memo,
                }
                for ord_, row in enumerate(evaluation.rows)
            ]
        ),
        "deltas": json.dumps(
            [
                {
                    "account_id": account_id,
                    "dp": delta.debits_pending,
                    "dpo": delta.debits_posted,
                    "cp": delta.credits_pending,
                    "cpo": delta.credits_posted,
                    "need_d": delta.need_debit_room,
                    "need_c": delta.need_credit_room,
                }
                for account_id, delta in evaluation.deltas.items()
            ]
        ),
        "ids": [row.id for row in evaluation.rows],
        "pending_ids": [row.pending_id for row in evaluation.rows if row.pending_id],
        "account_ids": sorted(evaluation.deltas),
        "n_accounts": len(evaluation.deltas),
        "n_rows": len(evaluation.rows),
        "batch_id": batch_id,
        "actor_id": posted_by,
    }
