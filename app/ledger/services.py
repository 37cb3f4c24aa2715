"""Posting to the ledger, and reading balances and statements.

``post_transfers`` is the only way money moves. It posts a batch atomically: every transfer
is accepted (``ok``, or ``exists`` for an identical retry) or the whole batch is refused and
nothing is written. Like every service it flushes and never commits: the caller commits once.

How a batch is posted, per database:

* PostgreSQL: one statement locks the involved accounts in id order (``FOR NO KEY UPDATE``),
  checks their limits against the freshly locked totals, inserts the transfers and updates the
  totals; the caller's COMMIT follows. Locks are held for that one round trip and the commit,
  which is what lets the fund account take hundreds of postings a second. Existing transfers
  (retries, pending transfers) are read before, without locks; the unique indexes catch what a
  concurrent transaction committed in between, and the posting is then decided again.
* SQLite: writes are serialised by the database, so the service takes the write lock first,
  reads, decides in Python and writes.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol, cast

import psycopg
import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from app.audit.models import AuditEvent
from app.audit.services import record_event
from app.ledger.models import (
    Account,
    Transfer,
    TransferKind,
)
from app.ledger.rules import (
    ACCEPTED,
    Evaluation,
    StoredTransfer,
    Totals,
    TransferSpec,
    TransferStatus,
    evaluate,
)
from app.platform.db import utcnow
from app.platform.errors import N_, Conflict
from app.platform.extensions import db

__all__ = [
    "Balance",
    "LedgerRefused",
    "StatementLine",
    "StatementPage",
    "TransferResult",
    "TransferSpec",
    "TransferStatus",
    "account_balance",
    "account_statement",
    "post_transfers",
    "post_transfers_and_commit",
    "require_accepted",
    "transfer_id",
]

# Fixed forever: deterministic transfer ids derived from business documents depend on it.
TRANSFER_NAMESPACE = uuid.UUID("6f1d7c8e-3b0a-5d2e-9c4f-8a7b6e5d4c3b")
MAX_ATTEMPTS = 4


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


class LedgerBusy(Conflict):
    """Another transaction posted a transfer with the same id at the same moment: retry."""


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
        evaluation, sequences = _post_postgresql(specs, actor=actor, batch_id=batch_id)
    else:
        evaluation, sequences = _post_serialised(specs, actor=actor, batch_id=batch_id)
    results = [
        TransferResult(id=spec.id, status=status, sequence=sequences.get(spec.id))
        for spec, status in zip(specs, evaluation.statuses, strict=True)
    ]
    if evaluation.rows and not evaluation.refused:
        _expire_accounts(evaluation.deltas)
    return results


def post_transfers_and_commit(
    specs: Sequence[TransferSpec], *, actor: Any, batch_id: uuid.UUID | None = None
) -> list[TransferResult]:
    """Post a batch and commit the whole unit of work with it; the one service that commits.

    For callers whose posting is the last write of their unit of work. Today that is the
    benchmark and the concurrency tests: the product's flows post with ``post_transfers``
    inside larger units of work that their routes commit, fully synchronously, holding the
    accounts' locks until that commit is flushed. On PostgreSQL the COMMIT travels in
    the posting's own network round trip, so the hot ``fund:available`` row is locked only
    while the server runs the statement and writes the commit, not while it waits for the disk;
    the call returns once the posting is flushed (DESIGN §4; decisions 0033 and 0035).

    The unit of work commits only if every transfer was posted now (``ok``). Otherwise it
    is rolled back, everything the caller flushed with it included, and the results say why:
    a refusal, or ``exists`` for transfers posted identically before (nothing else to do).
    """
    if not specs:
        db.session.commit()
        return []
    connection = db.session.connection()
    # Inside a savepoint (a caller's nested transaction, the test harness) a COMMIT on the
    # wire would end the enclosing transaction too: commit the ordinary way there.
    if connection.dialect.name != "postgresql" or connection.in_nested_transaction():
        results = post_transfers(specs, actor=actor, batch_id=batch_id)
        if all(result.status == TransferStatus.OK for result in results):
            db.session.commit()
        else:
            db.session.rollback()
        return results
    db.session.flush()
    batch_id = batch_id or uuid.uuid4()
    evaluation, sequences = _post_postgresql(specs, actor=actor, batch_id=batch_id, commit=True)
    results = [
        TransferResult(id=spec.id, status=status, sequence=sequences.get(spec.id))
        for spec, status in zip(specs, evaluation.statuses, strict=True)
    ]
    if sequences:
        # The database has committed; this ends SQLAlchemy's view of the transaction (the
        # driver has nothing left to commit) and expires what the session holds.
        db.session.commit()
    else:
        db.session.rollback()
    return results


def _audit(evaluation: Evaluation, *, actor: Any, batch_id: uuid.UUID) -> AuditEvent:
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


def _expire_accounts(deltas: Iterable[int]) -> None:
    """Account objects the session holds are stale once their totals moved in SQL."""
    touched = set(deltas)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Account) and obj.id in touched:
            db.session.expire(obj)


# -- reading what exists --------------------------------------------------------------------


def _read_stored(
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


def _involved_accounts(
    specs: Sequence[TransferSpec], stored: dict[uuid.UUID, StoredTransfer]
) -> set[int]:
    ids: set[int] = set()
    for spec in specs:
        ids.update(i for i in (spec.debit_account_id, spec.credit_account_id) if i is not None)
        pending = stored.get(spec.pending_id) if spec.pending_id else None
        if pending is not None:
            ids.update((pending.debit_account_id, pending.credit_account_id))
    return ids


# -- SQLite: serialised writes --------------------------------------------------------------


def _post_serialised(
    specs: Sequence[TransferSpec], *, actor: Any, batch_id: uuid.UUID
) -> tuple[Evaluation, dict[uuid.UUID, int]]:
    accounts_table = cast(sa.Table, Account.__table__)
    transfers_table = cast(sa.Table, Transfer.__table__)
    # A write first: SQLite then holds its write lock until commit, so what we read stays true.
    db.session.execute(
        sa.update(accounts_table).where(accounts_table.c.id == -1).values(id=accounts_table.c.id)
    )
    stored, resolved = _read_stored(specs)
    account_ids = _involved_accounts(specs, stored)
    accounts = _read_totals(account_ids)
    evaluation = evaluate(specs, stored=stored, resolved_pending_ids=resolved, accounts=accounts)
    if evaluation.refused or not evaluation.rows:
        return evaluation, {}
    last = db.session.execute(sa.select(sa.func.max(transfers_table.c.sequence))).scalar() or 0
    now = utcnow()
    actor_id = _actor_id(actor)
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
                "actor_id": actor_id,
                "memo": row.memo,
                "created_at": now,
            }
        )
    db.session.execute(sa.insert(transfers_table), values)
    _audit(evaluation, actor=actor, batch_id=batch_id)
    add_to_account_totals(evaluation.deltas)
    return evaluation, sequences


class TotalsChange(Protocol):
    """What is added to an account's four stored totals."""

    @property
    def debits_pending(self) -> int: ...
    @property
    def debits_posted(self) -> int: ...
    @property
    def credits_pending(self) -> int: ...
    @property
    def credits_posted(self) -> int: ...


def add_to_account_totals(deltas: Mapping[int, TotalsChange]) -> None:
    """Add each account's pending and posted amounts to its stored totals, in one statement.

    In account id order, the ledger's lock order. Callers have checked the limits: this only
    adds (the database's CHECK constraints still refuse a balance that breaks one)."""
    table = cast(sa.Table, Account.__table__)
    c = table.c
    db.session.execute(
        sa.update(table)
        .where(c.id == sa.bindparam("b_id"))
        .values(
            debits_pending=c.debits_pending + sa.bindparam("b_dp"),
            debits_posted=c.debits_posted + sa.bindparam("b_dpo"),
            credits_pending=c.credits_pending + sa.bindparam("b_cp"),
            credits_posted=c.credits_posted + sa.bindparam("b_cpo"),
        ),
        [
            {
                "b_id": account_id,
                "b_dp": delta.debits_pending,
                "b_dpo": delta.debits_posted,
                "b_cp": delta.credits_pending,
                "b_cpo": delta.credits_posted,
            }
            for account_id, delta in sorted(deltas.items())
        ],
    )


def _read_totals(account_ids: set[int]) -> dict[int, Totals]:
    table = cast(sa.Table, Account.__table__)
    return {
        row.id: Totals(
            debits_pending=row.debits_pending,
            debits_posted=row.debits_posted,
            credits_pending=row.credits_pending,
            credits_posted=row.credits_posted,
            debits_must_not_exceed_credits=row.debits_must_not_exceed_credits,
            credits_must_not_exceed_debits=row.credits_must_not_exceed_debits,
        )
        for row in db.session.execute(sa.select(table).where(table.c.id.in_(account_ids)))
    }


def _actor_id(actor: Any) -> int | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return int(actor.id)


# -- PostgreSQL: one locking statement ------------------------------------------------------

# Locks the accounts in id order, checks their limits on the locked rows, inserts the
# transfers, moves the totals and writes the audit event, all in one round trip: after it
# only the caller's COMMIT stands between taking the hot account's lock and releasing it.
# Nothing is written unless every account exists, every limit holds, no transfer id or
# pending resolution exists yet (as this statement sees it) and every insert went through
# (ON CONFLICT catches what concurrent transactions committed meanwhile).
_POST_SQL = sa.text(
    """
WITH v AS (
    SELECT * FROM json_to_recordset(CAST(:rows AS json)) AS v(
        ord int, id uuid, debit_account_id int, credit_account_id int, amount bigint,
        code text, kind text, pending_id uuid, document_type text, document_id text, memo text)
), d AS (
    SELECT * FROM json_to_recordset(CAST(:deltas AS json)) AS d(
        account_id int, dp bigint, dpo bigint, cp bigint, cpo bigint,
        need_d bigint, need_c bigint)
), locked AS (
    SELECT a.id, a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted,
           a.debits_must_not_exceed_credits, a.credits_must_not_exceed_debits
    FROM ledger_accounts a
    WHERE a.id = ANY(CAST(:account_ids AS int[]))
    ORDER BY a.id
    FOR NO KEY UPDATE
), chk AS (
    SELECT count(*) = :n_accounts AS found,
           coalesce(bool_and(
               (NOT l.debits_must_not_exceed_credits
                OR l.credits_posted - l.debits_posted - l.debits_pending >= d.need_d)
               AND (NOT l.credits_must_not_exceed_debits
                OR l.debits_posted - l.credits_posted - l.credits_pending >= d.need_c)
           ), true) AS within
    FROM locked l JOIN d ON d.account_id = l.id
), fresh AS (
    -- Arrays, not joins with v: index probes whatever the planner guesses v's size to be.
    SELECT NOT EXISTS (
               SELECT 1 FROM ledger_transfers t WHERE t.id = ANY(CAST(:ids AS uuid[])))
       AND NOT EXISTS (
               SELECT 1 FROM ledger_transfers t
               WHERE t.pending_id = ANY(CAST(:pending_ids AS uuid[])))
       AS ok
), ins AS (
    INSERT INTO ledger_transfers (
        id, sequence, debit_account_id, credit_account_id, amount, code, kind, pending_id,
        batch_id, document_type, document_id, actor_id, memo, created_at)
    SELECT v.id, nextval('ledger_transfers_sequence_seq'), v.debit_account_id, v.credit_account_id,
           v.amount, v.code, v.kind, v.pending_id, CAST(:batch_id AS uuid), v.document_type,
           v.document_id, CAST(:actor_id AS int), v.memo, clock_timestamp()
    FROM v, chk, fresh
    WHERE chk.found AND chk.within AND fresh.ok
    ORDER BY v.ord
    ON CONFLICT DO NOTHING
    RETURNING id, sequence
), upd AS (
    -- New totals come from the locked rows, not from a.*: PostgreSQL checks constraints on
    -- the row as this statement's snapshot saw it before it follows a concurrent update, so
    -- "a.credits_posted + ..." could fail a CHECK spuriously on a stale version.
    UPDATE ledger_accounts a
    SET debits_pending = l.debits_pending + d.dp,
        debits_posted = l.debits_posted + d.dpo,
        credits_pending = l.credits_pending + d.cp,
        credits_posted = l.credits_posted + d.cpo
    FROM locked l JOIN d ON d.account_id = l.id
    WHERE a.id = ANY(CAST(:account_ids AS int[])) AND a.id = l.id
      AND (SELECT count(*) FROM ins) = :n_rows
    RETURNING a.id
), aud AS (
    INSERT INTO audit_events (
        occurred_at, actor_id, actor_label, action, subject_type, subject_id, summary,
        changes, ip)
    SELECT clock_timestamp(), CAST(:audit_actor_id AS int), :audit_actor_label, :audit_action,
           :audit_subject_type, :audit_subject_id, :audit_summary,
           CAST(:audit_changes AS json), :audit_ip
    WHERE (SELECT count(*) FROM ins) = :n_rows
)
SELECT (SELECT found FROM chk) AS found,
       (SELECT within FROM chk) AS within,
       (SELECT ok FROM fresh) AS fresh,
       (SELECT count(*) FROM upd) AS updated,
       (SELECT json_agg(json_build_array(id, sequence)) FROM ins) AS inserted,
       (SELECT json_agg(json_build_array(
            id, debits_pending, debits_posted, credits_pending, credits_posted,
            debits_must_not_exceed_credits, credits_must_not_exceed_debits)) FROM locked)
           AS totals,
       -- When the caller's COMMIT is sent right behind this statement, a batch that did not
       -- post must abort the transaction, or that COMMIT would keep the caller's other writes.
       CASE WHEN CAST(:abort_unless_posted AS boolean) AND (SELECT count(*) FROM ins) <> :n_rows
            THEN ledger_refuse(json_build_object(
                'found', (SELECT found FROM chk),
                'within', (SELECT within FROM chk),
                'fresh', (SELECT ok FROM fresh),
                'totals', (SELECT json_agg(json_build_array(
                    id, debits_pending, debits_posted, credits_pending, credits_posted,
                    debits_must_not_exceed_credits, credits_must_not_exceed_debits))
                    FROM locked)))
       END AS aborted
"""
)


def _prepared_form(statement: sa.TextClause) -> tuple[str, tuple[str, ...]]:
    """The statement with ``$n`` placeholders for PREPARE, and the parameter names in order.

    Comments and spare whitespace are dropped: the text is sent once per connection.
    """
    compact = re.sub(r"\s+", " ", re.sub(r"--[^\n]*", "", statement.text)).strip()
    names: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    return re.sub(r"(?<![:\w]):(\w+)", placeholder, compact), tuple(names)


_POST_PREPARED, _POST_PARAMS = _prepared_form(_POST_SQL)
_POST_STATEMENT_NAME = "ledger_post"
# One message, so one network round trip: the posting runs on its generic plan (a custom plan
# would cost more server time than the statement itself, on every posting), and the planner
# setting is restored for the rest of the caller's transaction. With ``commit``, the COMMIT
# follows in the same message: the server commits the moment the statement ends, without
# waiting for this process to be scheduled, read the result and answer, so the accounts'
# locks are released sooner (decision 0033). An error in the statement skips what follows it.
#
# That COMMIT does not wait for its WAL flush (synchronous_commit off for that transaction
# only), so the locks are released before the disk write rather than after: postings on the
# hot account no longer queue behind each other's flushes. The message then commits a second
# transaction synchronously; its flush covers everything written before it, the posting
# included, so the caller hears of the posting only once it is on disk (decision 0035). That
# transaction must write to the WAL, or PostgreSQL would not flush at its commit: it writes a
# transactional logical-decoding message, which needs no table and no privilege.
_EXECUTE_POST = (
    "EXECUTE " + _POST_STATEMENT_NAME + "(" + ", ".join(f"%({n})s" for n in _POST_PARAMS) + ")"
)
_POST_MESSAGE = (
    f"SET LOCAL plan_cache_mode = force_generic_plan; {_EXECUTE_POST}; "
    "SET LOCAL plan_cache_mode TO DEFAULT"
)
_POST_AND_COMMIT_MESSAGE = (
    "SET LOCAL synchronous_commit = off; "
    f"SET LOCAL plan_cache_mode = force_generic_plan; {_EXECUTE_POST}; COMMIT; "
    "BEGIN; SELECT pg_logical_emit_message(true, 'trustfund.ledger', 'flush'); COMMIT"
)


class _PostOutcome(NamedTuple):
    found: bool
    within: bool
    fresh: bool
    updated: int
    inserted: list[list[Any]] | None
    totals: list[list[Any]] | None
    aborted: bool | None = None


# The SQLSTATE of ledger_refuse() (migration f1c4f00010).
_REFUSED_SQLSTATE = "LR001"


def _execute_post(params: dict[str, Any], *, commit: bool) -> _PostOutcome:
    """Run the posting statement on the session's own connection, inside its transaction.

    It goes straight to psycopg, as a statement prepared once per connection and executed in a
    single message (see ``_POST_MESSAGE``): postings are the hottest path of the product, and
    SQLAlchemy's statement handling or the extended protocol's pipeline would cost more client
    time than the statement itself. The parameters are bound by psycopg's client-side binding,
    which quotes every value. With ``commit`` a batch that did not post aborts the
    transaction instead (ledger_refuse); the session is then rolled back and the outcome
    carries what the statement saw.
    """
    pooled = db.session.connection().connection
    driver_connection = pooled.driver_connection
    assert driver_connection is not None
    params = {**params, "abort_unless_posted": commit}
    try:
        if not pooled.info.get(_POST_STATEMENT_NAME):
            # Prepared statements belong to the database session and are not transactional,
            # so this lasts as long as the connection, whatever becomes of this transaction.
            driver_connection.execute(f"PREPARE {_POST_STATEMENT_NAME} AS {_POST_PREPARED}")
            pooled.info[_POST_STATEMENT_NAME] = True
        row = _send_post(driver_connection, params, commit=commit)
    except psycopg.Error as error:
        if commit and error.sqlstate == _REFUSED_SQLSTATE:
            db.session.rollback()
            seen = json.loads(error.diag.message_detail or "{}")
            return _PostOutcome(
                found=bool(seen.get("found")),
                within=bool(seen.get("within")),
                fresh=bool(seen.get("fresh")),
                updated=0,
                inserted=None,
                totals=seen.get("totals"),
                aborted=True,
            )
        # Callers see the same exceptions as from any other statement.
        raise sa.exc.DBAPIError.instance(_EXECUTE_POST, params, error, psycopg.Error) from error
    assert row is not None
    return _PostOutcome(*row)


def _posting_row(cursor: psycopg.ClientCursor[Any]) -> Any:
    """The posting statement's row: the first result of the message that has rows."""
    while cursor.description is None and cursor.nextset():
        pass
    return cursor.fetchone()


def _send_post(connection: psycopg.Connection[Any], params: dict[str, Any], *, commit: bool) -> Any:
    """Send the posting message (and the COMMIT with it) and return the statement's row."""
    with psycopg.ClientCursor(connection) as cursor:
        if not (commit and connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE):
            cursor.execute(_POST_AND_COMMIT_MESSAGE if commit else _POST_MESSAGE, params)
            return _posting_row(cursor)
        # No transaction open yet: psycopg would open one with a BEGIN in a round trip of its
        # own, so the message opens it itself, psycopg standing aside for this one call.
        connection.autocommit = True
        try:
            cursor.execute("BEGIN; " + _POST_AND_COMMIT_MESSAGE, params)
            return _posting_row(cursor)
        finally:
            # Nothing to do after the COMMIT; ends the transaction if the statement failed.
            connection.rollback()
            connection.autocommit = False


def _post_postgresql(
    specs: Sequence[TransferSpec], *, actor: Any, batch_id: uuid.UUID, commit: bool = False
) -> tuple[Evaluation, dict[uuid.UUID, int]]:
    # New transfers cannot exist yet in the common case: read first only for pending
    # transfers, and whenever the posting statement says something already exists.
    needs_read = any(spec.pending_id is not None for spec in specs)
    stored: dict[uuid.UUID, StoredTransfer] = {}
    resolved: set[uuid.UUID] = set()
    actor_id = _actor_id(actor)
    for _attempt in range(MAX_ATTEMPTS):
        if needs_read:
            stored, resolved = _read_stored(specs)
        evaluation = evaluate(specs, stored=stored, resolved_pending_ids=resolved, accounts=None)
        if evaluation.refused:
            # Refused whatever the totals; read them (and what exists) only to name the
            # first reason in batch order, as SQLite does.
            if not needs_read:
                stored, resolved = _read_stored(specs)
            totals = _read_totals(_involved_accounts(specs, stored))
            return evaluate(
                specs, stored=stored, resolved_pending_ids=resolved, accounts=totals
            ), {}
        if not evaluation.rows:
            return evaluation, {}
        # The audit event is made by the audit service as always, but written by the posting
        # statement, so it exists exactly when the transfers do.
        event = _audit(evaluation, actor=actor, batch_id=batch_id)
        db.session.expunge(event)
        outcome = _execute_post(
            {
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
                "actor_id": actor_id,
            },
            commit=commit,
        )
        inserted = outcome.inserted or []
        if outcome.fresh and not (outcome.found and outcome.within):
            # The locked totals are current and stay locked: decide on them, exactly.
            totals = {
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
            refusal = evaluate(specs, stored=stored, resolved_pending_ids=resolved, accounts=totals)
            if refusal.refused:
                return refusal, {}
        if outcome.aborted:
            # The caller's unit of work is rolled back, so it cannot be tried again here: say
            # what exists now (an identical earlier posting, a refusal) or ask for a retry.
            stored, resolved = _read_stored(specs)
            now = evaluate(specs, stored=stored, resolved_pending_ids=resolved, accounts=None)
            if now.refused or not now.rows:
                return now, {}
            raise LedgerBusy(N_("The ledger is busy with the same transfers; please retry."))
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


# -- balances and statements ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Balance:
    """An account's totals at a moment, and its balances on the account's normal side.

    ``posted`` is the balance of completed transfers; ``pending`` the net of transfers still
    pending; ``available`` is posted less pending outflows (what could still be spent).
    """

    debits_pending: int
    debits_posted: int
    credits_pending: int
    credits_posted: int
    debit_normal: bool

    @property
    def posted(self) -> int:
        net = self.debits_posted - self.credits_posted
        return net if self.debit_normal else -net

    @property
    def pending(self) -> int:
        net = self.debits_pending - self.credits_pending
        return net if self.debit_normal else -net

    @property
    def available(self) -> int:
        if self.debit_normal:
            return self.debits_posted - self.credits_posted - self.credits_pending
        return self.credits_posted - self.debits_posted - self.debits_pending

    def after(self, transfer: Transfer, account_id: int) -> Balance:
        """This balance moved by one transfer of the account."""
        pending_amount = transfer.pending.amount if transfer.pending is not None else 0
        pending, posted = _effect(transfer.kind, transfer.amount, pending_amount)
        if transfer.debit_account_id == account_id:
            return Balance(
                self.debits_pending + pending,
                self.debits_posted + posted,
                self.credits_pending,
                self.credits_posted,
                self.debit_normal,
            )
        return Balance(
            self.debits_pending,
            self.debits_posted,
            self.credits_pending + pending,
            self.credits_posted + posted,
            self.debit_normal,
        )


def _effect(kind: TransferKind, amount: int, pending_amount: int) -> tuple[int, int]:
    if kind == TransferKind.SINGLE:
        return 0, amount
    if kind == TransferKind.PENDING:
        return amount, 0
    if kind == TransferKind.POST_PENDING:
        return -pending_amount, amount
    return -pending_amount, 0


def _totals_query(account_id: int) -> tuple[sa.Select[Any], Any]:
    t = aliased(Transfer, name="t")
    p = aliased(Transfer, name="p")
    posted = sa.case(
        (t.kind.in_([TransferKind.SINGLE, TransferKind.POST_PENDING]), t.amount), else_=0
    )
    pending = sa.case(
        (t.kind == TransferKind.PENDING, t.amount),
        (t.kind.in_([TransferKind.POST_PENDING, TransferKind.VOID_PENDING]), -p.amount),
        else_=0,
    )
    is_debit = t.debit_account_id == account_id

    def total(side: sa.ColumnElement[bool], amount: sa.ColumnElement[Any]) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((side, amount), else_=0)), 0)

    query = (
        sa.select(
            total(is_debit, pending),
            total(is_debit, posted),
            total(~is_debit, pending),
            total(~is_debit, posted),
        )
        .select_from(t)
        .outerjoin(p, p.id == t.pending_id)
        .where(sa.or_(t.debit_account_id == account_id, t.credit_account_id == account_id))
    )
    return query, t


def account_balance(*, account: Account, at: datetime | None = None) -> Balance:
    """The account's balance now, or as it stood at ``at`` (transfers created up to then)."""
    if at is None:
        db.session.refresh(account)
        return Balance(
            account.debits_pending,
            account.debits_posted,
            account.credits_pending,
            account.credits_posted,
            account.type.debit_normal,
        )
    query, t = _totals_query(account.id)
    row = db.session.execute(query.where(t.created_at <= at)).one()
    return _balance(row, account)


def _balance(row: Any, account: Account) -> Balance:
    debits_pending, debits_posted, credits_pending, credits_posted = (int(v) for v in row)
    return Balance(
        debits_pending, debits_posted, credits_pending, credits_posted, account.type.debit_normal
    )


def _balance_before(account: Account, sequence: int) -> Balance:
    """The account's totals before transfer ``sequence``.

    Summed from whichever end is nearer: the transfers before ``sequence``, or the account's
    current totals less the transfers from ``sequence`` on (one statement, one snapshot). The
    newest pages of a busy account then cost what a page costs, not its whole history.
    """
    query, t = _totals_query(account.id)
    last = db.session.execute(sa.select(sa.func.max(Transfer.sequence))).scalar() or 0
    if last - sequence >= sequence:
        row = db.session.execute(query.where(t.sequence < sequence)).one()
        return _balance(row, account)
    after = query.where(t.sequence >= sequence).subquery("after")
    a = Account.__table__.c
    d_pending, d_posted, c_pending, c_posted = (after.c[i] for i in range(4))
    row = db.session.execute(
        sa.select(
            a.debits_pending - d_pending,
            a.debits_posted - d_posted,
            a.credits_pending - c_pending,
            a.credits_posted - c_posted,
        )
        .select_from(Account.__table__)
        .join(after, sa.true())
        .where(a.id == account.id)
    ).one()
    return _balance(row, account)


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One transfer on an account's statement, and the account's balance after it."""

    transfer: Transfer
    is_debit: bool
    balance: Balance

    @property
    def amount(self) -> int:
        """Signed on the account's normal side: positive when it grows the balance."""
        grows = self.is_debit == self.balance.debit_normal
        return self.transfer.amount if grows else -self.transfer.amount

    @property
    def counterparty(self) -> Account:
        return self.transfer.credit_account if self.is_debit else self.transfer.debit_account


@dataclass(frozen=True, slots=True)
class StatementPage:
    """A page of a statement; pass ``next_cursor`` back as ``cursor`` for the next page."""

    lines: list[StatementLine]
    opening: Balance | None
    next_cursor: int | None


def account_statement(
    *,
    account: Account,
    cursor: int | None = None,
    limit: int = 50,
    since: datetime | None = None,
    until: datetime | None = None,
    newest_first: bool = False,
) -> StatementPage:
    """A page of the account's transfers with the running balance after each one.

    Keyset pagination on the transfer sequence (``cursor`` is the last sequence shown), so
    every page costs the same; ``since``/``until`` limit the transfers' creation time.
    ``opening`` is the balance before the earliest line of the page.
    """
    limit = max(1, min(limit, 500))
    t = Transfer
    order = t.sequence.desc() if newest_first else t.sequence.asc()

    def side(column: Any) -> sa.Select[Any]:
        # One ordered index range scan per side (ix_ledger_transfers_debit_account /
        # _credit_account), each stopping after the page: an OR of the two sides would make
        # PostgreSQL collect and sort every transfer of a busy account (the fund's: 1,000,000).
        query = sa.select(t.sequence).where(column == account.id)
        if since is not None:
            query = query.where(t.created_at >= since)
        if until is not None:
            query = query.where(t.created_at < until)
        if cursor is not None:
            query = query.where(t.sequence < cursor if newest_first else t.sequence > cursor)
        return query.order_by(order).limit(limit + 1)

    both = sa.union_all(
        side(t.debit_account_id).subquery().select(), side(t.credit_account_id).subquery().select()
    ).subquery("page")
    sequences = (
        sa.select(both.c.sequence)
        .order_by(both.c.sequence.desc() if newest_first else both.c.sequence.asc())
        .limit(limit + 1)
    )
    query = (
        sa.select(t)
        .options(
            joinedload(t.debit_account),
            joinedload(t.credit_account),
            joinedload(t.pending),
        )
        .where(t.sequence.in_(sequences.scalar_subquery()))
    )
    transfers = list(db.session.execute(query.order_by(order)).scalars())
    has_more = len(transfers) > limit
    transfers = transfers[:limit]
    if not transfers:
        return StatementPage(lines=[], opening=None, next_cursor=None)
    chronological = sorted(transfers, key=lambda transfer: transfer.sequence)
    balance = opening = _balance_before(account, chronological[0].sequence)
    lines = []
    for transfer in chronological:
        balance = balance.after(transfer, account.id)
        lines.append(
            StatementLine(
                transfer=transfer,
                is_debit=transfer.debit_account_id == account.id,
                balance=balance,
            )
        )
    if newest_first:
        lines.reverse()
    return StatementPage(
        lines=lines,
        opening=opening,
        next_cursor=transfers[-1].sequence if has_more else None,
    )


def find_transfer(transfer_id_: uuid.UUID) -> Transfer | None:
    """The transfer with this id, with its accounts loaded, or None."""
    return db.session.get(
        Transfer,
        transfer_id_,
        options=[joinedload(Transfer.debit_account), joinedload(Transfer.credit_account)],
    )


def transfers_for_document(*, document_type: str, document_id: object) -> list[Transfer]:
    """Every transfer recorded for a business document, in posting order."""
    return list(
        db.session.execute(
            sa.select(Transfer)
            .where(
                Transfer.document_type == document_type,
                Transfer.document_id == str(document_id),
            )
            .order_by(Transfer.sequence)
        ).scalars()
    )


def balances_after(*, account: Account, sequences: Collection[int]) -> dict[int, Balance]:
    """The account's balance just after each of these transfers of it, in one query.

    For statements that show only some of an account's transfers (one code, say): the running
    balance must still count the transfers left out. The running sums mirror ``_totals_query``.
    """
    if not sequences:
        return {}
    t = aliased(Transfer, name="t")
    p = aliased(Transfer, name="p")
    posted = sa.case(
        (t.kind.in_([TransferKind.SINGLE, TransferKind.POST_PENDING]), t.amount), else_=0
    )
    pending = sa.case(
        (t.kind == TransferKind.PENDING, t.amount),
        (t.kind.in_([TransferKind.POST_PENDING, TransferKind.VOID_PENDING]), -p.amount),
        else_=0,
    )
    is_debit = t.debit_account_id == account.id

    def running(side: sa.ColumnElement[bool], amount: sa.ColumnElement[Any]) -> Any:
        return sa.func.sum(sa.case((side, amount), else_=0)).over(
            order_by=t.sequence, rows=(None, 0)
        )

    history = (
        sa.select(
            t.sequence.label("sequence"),
            running(is_debit, pending).label("dp"),
            running(is_debit, posted).label("dpo"),
            running(~is_debit, pending).label("cp"),
            running(~is_debit, posted).label("cpo"),
        )
        .select_from(t)
        .outerjoin(p, p.id == t.pending_id)
        .where(
            sa.or_(t.debit_account_id == account.id, t.credit_account_id == account.id),
            t.sequence <= max(sequences),
        )
        .subquery("history")
    )
    rows = db.session.execute(
        sa.select(history).where(history.c.sequence.in_(list(sequences)))
    ).all()
    return {int(row.sequence): _balance(row[1:], account) for row in rows}
