"""The posting rules as a pure function: what a batch would do, or why it is refused.

Both databases share this code. It sees the transfers that already exist (for idempotency and
pending transfers) and, when known, the accounts' current totals; on PostgreSQL the totals are
checked inside the posting statement instead, against ``Evaluation.needs``
(see services/posting_postgresql.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from app.ledger.models import TransferCode, TransferKind


class TransferStatus(StrEnum):
    """The outcome of one transfer in a batch (TigerBeetle's result codes, in words)."""

    OK = "ok"
    EXISTS = "exists"
    EXISTS_WITH_DIFFERENT_FIELDS = "exists_with_different_fields"
    BATCH_FAILED = "batch_failed"
    DUPLICATE_ID_IN_BATCH = "duplicate_id_in_batch"
    AMOUNT_MUST_BE_POSITIVE = "amount_must_be_positive"
    ACCOUNTS_REQUIRED = "accounts_required"
    ACCOUNTS_MUST_DIFFER = "accounts_must_differ"
    ACCOUNT_NOT_FOUND = "account_not_found"
    PENDING_ID_REQUIRED = "pending_id_required"
    PENDING_ID_NOT_ALLOWED = "pending_id_not_allowed"
    PENDING_NOT_FOUND = "pending_not_found"
    PENDING_TRANSFER_NOT_PENDING = "pending_transfer_not_pending"
    PENDING_ALREADY_RESOLVED = "pending_already_resolved"
    PENDING_ACCOUNTS_DIFFER = "pending_accounts_differ"
    AMOUNT_EXCEEDS_PENDING = "amount_exceeds_pending"
    VOID_AMOUNT_DIFFERS = "void_amount_differs"
    EXCEEDS_CREDITS = "exceeds_credits"
    EXCEEDS_DEBITS = "exceeds_debits"


ACCEPTED = frozenset({TransferStatus.OK, TransferStatus.EXISTS})


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferSpec:
    """A transfer to post. ``id`` is the idempotency key (see ``services.posting.transfer_id``).

    For ``post_pending`` and ``void_pending`` the accounts may be left out (they are the pending
    transfer's), and ``amount`` None posts the whole pending amount.
    """

    id: uuid.UUID
    code: TransferCode
    amount: int | None = None
    debit_account_id: int | None = None
    credit_account_id: int | None = None
    kind: TransferKind = TransferKind.SINGLE
    pending_id: uuid.UUID | None = None
    document_type: str | None = None
    document_id: str | None = None
    memo: str | None = None

    def __post_init__(self) -> None:
        # Accept plain strings ("pending", "GIFT") as the enums they name.
        object.__setattr__(self, "code", TransferCode(self.code))
        object.__setattr__(self, "kind", TransferKind(self.kind))


@dataclass(frozen=True, slots=True)
class StoredTransfer:
    """The fields of a stored transfer that posting rules look at."""

    id: uuid.UUID
    debit_account_id: int
    credit_account_id: int
    amount: int
    code: TransferCode
    kind: TransferKind
    pending_id: uuid.UUID | None
    document_type: str | None
    document_id: str | None


@dataclass(slots=True)
class Totals:
    """An account's four totals and limit flags, as locked for a posting."""

    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0
    debits_must_not_exceed_credits: bool = False
    credits_must_not_exceed_debits: bool = False


@dataclass(slots=True)
class Delta:
    """How a batch changes one account, and the head-room it needs before it starts.

    ``need_debit_room`` is the least ``credits_posted - debits_posted - debits_pending`` the
    account must have for every transfer of the batch, in order, to stay within a
    debits-must-not-exceed-credits limit (``need_credit_room`` the mirror image).
    """

    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0
    need_debit_room: int = 0
    need_credit_room: int = 0


@dataclass(frozen=True, slots=True)
class NewTransfer:
    """A row to insert, with its accounts and amount resolved."""

    id: uuid.UUID
    debit_account_id: int
    credit_account_id: int
    amount: int
    code: TransferCode
    kind: TransferKind
    pending_id: uuid.UUID | None
    document_type: str | None
    document_id: str | None
    memo: str | None


@dataclass(slots=True)
class Evaluation:
    statuses: list[TransferStatus]
    rows: list[NewTransfer] = field(default_factory=list)
    deltas: dict[int, Delta] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return any(status not in ACCEPTED for status in self.statuses)


def _same_fields(spec: NewTransfer, stored: StoredTransfer) -> bool:
    # batch, actor, memo and time are not part of the identity of a money movement.
    return (
        spec.debit_account_id == stored.debit_account_id
        and spec.credit_account_id == stored.credit_account_id
        and spec.amount == stored.amount
        and spec.code == stored.code
        and spec.kind == stored.kind
        and spec.pending_id == stored.pending_id
        and spec.document_type == stored.document_type
        and spec.document_id == stored.document_id
    )


def _resolve(
    spec: TransferSpec, pending: StoredTransfer | None, resolved: set[uuid.UUID]
) -> tuple[NewTransfer | None, TransferStatus | None]:
    """Fill in what a post/void inherits from its pending transfer; check the spec's shape."""
    if spec.amount is not None and spec.amount <= 0:
        return None, TransferStatus.AMOUNT_MUST_BE_POSITIVE
    if spec.kind in (TransferKind.SINGLE, TransferKind.PENDING):
        if spec.pending_id is not None:
            return None, TransferStatus.PENDING_ID_NOT_ALLOWED
        if spec.debit_account_id is None or spec.credit_account_id is None:
            return None, TransferStatus.ACCOUNTS_REQUIRED
        if spec.amount is None:
            return None, TransferStatus.AMOUNT_MUST_BE_POSITIVE
        if spec.debit_account_id == spec.credit_account_id:
            return None, TransferStatus.ACCOUNTS_MUST_DIFFER
        debit, credit, amount = spec.debit_account_id, spec.credit_account_id, spec.amount
    else:
        if spec.pending_id is None:
            return None, TransferStatus.PENDING_ID_REQUIRED
        if pending is None:
            return None, TransferStatus.PENDING_NOT_FOUND
        if pending.kind != TransferKind.PENDING:
            return None, TransferStatus.PENDING_TRANSFER_NOT_PENDING
        if pending.id in resolved:
            return None, TransferStatus.PENDING_ALREADY_RESOLVED
        if spec.debit_account_id not in (None, pending.debit_account_id) or (
            spec.credit_account_id not in (None, pending.credit_account_id)
        ):
            return None, TransferStatus.PENDING_ACCOUNTS_DIFFER
        debit, credit = pending.debit_account_id, pending.credit_account_id
        amount = pending.amount if spec.amount is None else spec.amount
        if spec.kind == TransferKind.POST_PENDING and amount > pending.amount:
            return None, TransferStatus.AMOUNT_EXCEEDS_PENDING
        if spec.kind == TransferKind.VOID_PENDING and amount != pending.amount:
            return None, TransferStatus.VOID_AMOUNT_DIFFERS
    return (
        NewTransfer(
            id=spec.id,
            debit_account_id=debit,
            credit_account_id=credit,
            amount=amount,
            code=spec.code,
            kind=spec.kind,
            pending_id=spec.pending_id,
            document_type=spec.document_type,
            document_id=spec.document_id,
            memo=spec.memo,
        ),
        None,
    )


def effects(
    row: NewTransfer | StoredTransfer, pending_amount: int
) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(account, pending change, posted change) on the debit and on the credit side.

    A post or void releases the whole pending amount, so a partial post frees the remainder.
    """
    if row.kind == TransferKind.SINGLE:
        pending, posted = 0, row.amount
    elif row.kind == TransferKind.PENDING:
        pending, posted = row.amount, 0
    elif row.kind == TransferKind.POST_PENDING:
        pending, posted = -pending_amount, row.amount
    else:
        pending, posted = -pending_amount, 0
    return (row.debit_account_id, pending, posted), (row.credit_account_id, pending, posted)


def evaluate(
    specs: Sequence[TransferSpec],
    *,
    stored: Mapping[uuid.UUID, StoredTransfer],
    resolved_pending_ids: frozenset[uuid.UUID] | set[uuid.UUID],
    accounts: Mapping[int, Totals] | None,
) -> Evaluation:
    """Decide every transfer of a batch, in order, as TigerBeetle would.

    ``stored`` holds the existing transfers with the batch's ids and the pending transfers it
    refers to; ``resolved_pending_ids`` the pending transfers already posted or voided.
    ``accounts`` None means the totals are not known here: account existence and limits are then
    left to the caller, which checks ``deltas`` against the locked rows.
    """
    batch = _Batch(
        result=Evaluation(statuses=[]),
        running=None
        if accounts is None
        else {key: replace(value) for key, value in accounts.items()},
        resolved=set(resolved_pending_ids),
    )
    for spec in specs:
        batch.result.statuses.append(_decide(spec, batch, stored))
    return _failed_together(batch.result)


@dataclass(slots=True)
class _Batch:
    """What deciding a batch carries from one transfer to the next."""

    result: Evaluation
    # The accounts' totals as the transfers decided so far leave them; None when not known.
    running: dict[int, Totals] | None
    resolved: set[uuid.UUID]
    in_batch: dict[uuid.UUID, NewTransfer] = field(default_factory=dict)
    # Cumulative change of each account's room under its limit, to derive what it needs.
    debit_room: dict[int, int] = field(default_factory=dict)
    credit_room: dict[int, int] = field(default_factory=dict)


def _decide(
    spec: TransferSpec, batch: _Batch, stored: Mapping[uuid.UUID, StoredTransfer]
) -> TransferStatus:
    """One transfer's status; an accepted new transfer is added to the batch's rows and deltas."""
    if batch.result.refused:
        return TransferStatus.BATCH_FAILED
    if spec.id in batch.in_batch:
        return TransferStatus.DUPLICATE_ID_IN_BATCH
    pending = None
    if spec.pending_id is not None:
        batch_pending = batch.in_batch.get(spec.pending_id)
        pending = stored.get(spec.pending_id) or (
            _as_stored(batch_pending) if batch_pending else None
        )
    existing = stored.get(spec.id)
    if existing is not None:
        # An earlier post of this id: a retry, answered without writing anything. (If it
        # resolved a pending transfer, that resolution is itself, not a reason to refuse.)
        row, _refusal = _resolve(spec, pending, set())
        same = row is not None and _same_fields(row, existing)
        return TransferStatus.EXISTS if same else TransferStatus.EXISTS_WITH_DIFFERENT_FIELDS
    row, refusal = _resolve(spec, pending, batch.resolved)
    if row is None:
        return refusal or TransferStatus.BATCH_FAILED
    running = batch.running
    if running is not None and (
        row.debit_account_id not in running or row.credit_account_id not in running
    ):
        return TransferStatus.ACCOUNT_NOT_FOUND
    debit, credit = effects(row, pending.amount if pending is not None else 0)
    if running is not None:
        over_limit = _move_running_totals(running, debit, credit)
        if over_limit is not None:
            return over_limit
    _add_to_deltas(batch, debit, credit)
    if row.pending_id is not None:
        batch.resolved.add(row.pending_id)
    batch.in_batch[row.id] = row
    batch.result.rows.append(row)
    return TransferStatus.OK


def _move_running_totals(
    running: dict[int, Totals], debit: tuple[int, int, int], credit: tuple[int, int, int]
) -> TransferStatus | None:
    """Move the accounts' known totals by one transfer, or the limit it would break."""
    (debit_id, d_pending, d_posted), (credit_id, c_pending, c_posted) = debit, credit
    debited, credited = running[debit_id], running[credit_id]
    if debited.debits_must_not_exceed_credits and (
        debited.debits_pending + d_pending + debited.debits_posted + d_posted
        > debited.credits_posted
    ):
        return TransferStatus.EXCEEDS_CREDITS
    if credited.credits_must_not_exceed_debits and (
        credited.credits_pending + c_pending + credited.credits_posted + c_posted
        > credited.debits_posted
    ):
        return TransferStatus.EXCEEDS_DEBITS
    debited.debits_pending += d_pending
    debited.debits_posted += d_posted
    credited.credits_pending += c_pending
    credited.credits_posted += c_posted
    return None


def _add_to_deltas(
    batch: _Batch, debit: tuple[int, int, int], credit: tuple[int, int, int]
) -> None:
    """Add one transfer to its accounts' deltas, and to the head-room they need."""
    (debit_id, d_pending, d_posted), (credit_id, c_pending, c_posted) = debit, credit
    debit_room, credit_room = batch.debit_room, batch.credit_room
    delta_d = batch.result.deltas.setdefault(debit_id, Delta())
    delta_d.debits_pending += d_pending
    delta_d.debits_posted += d_posted
    debit_room[debit_id] = debit_room.get(debit_id, 0) - d_pending - d_posted
    delta_d.need_debit_room = max(delta_d.need_debit_room, -debit_room[debit_id])
    delta_c = batch.result.deltas.setdefault(credit_id, Delta())
    delta_c.credits_pending += c_pending
    delta_c.credits_posted += c_posted
    credit_room[credit_id] = credit_room.get(credit_id, 0) - c_pending - c_posted
    delta_c.need_credit_room = max(delta_c.need_credit_room, -credit_room[credit_id])
    # Crediting an account adds to its debit room (and debiting to its credit room).
    debit_room[credit_id] = debit_room.get(credit_id, 0) + c_posted
    credit_room[debit_id] = credit_room.get(debit_id, 0) + d_posted


def _failed_together(result: Evaluation) -> Evaluation:
    """As in a TigerBeetle linked chain: the first refusal names the reason, every other
    transfer of the batch failed with it, and nothing is written."""
    if result.refused:
        first = next(i for i, status in enumerate(result.statuses) if status not in ACCEPTED)
        result.statuses = [
            status if i == first else TransferStatus.BATCH_FAILED
            for i, status in enumerate(result.statuses)
        ]
        result.rows, result.deltas = [], {}
    return result


def _as_stored(row: NewTransfer) -> StoredTransfer:
    return StoredTransfer(
        id=row.id,
        debit_account_id=row.debit_account_id,
        credit_account_id=row.credit_account_id,
        amount=row.amount,
        code=row.code,
        kind=row.kind,
        pending_id=row.pending_id,
        document_type=row.document_type,
        document_id=row.document_id,
    )
