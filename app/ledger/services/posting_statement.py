"""The PostgreSQL posting statement, and how it is sent: prepared once per connection and
executed in a single message on the session's own connection, inside its transaction."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import psycopg
import sqlalchemy as sa

from app.platform.extensions import db

# Locks the accounts in id order, checks their limits on the locked rows, inserts the
# transfers, moves the totals and writes the audit event, all in one round trip: after it
# only the caller's COMMIT stands between taking the hot account's lock and releasing it.
# Nothing is written unless every account exists, every limit holds, no transfer id or
# pending resolution exists yet (as this statement sees it) and every insert went through
# (ON CONFLICT catches what concurrent transactions committed meanwhile).
POST_SQL = sa.text(
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
           AS totals
"""
)


def prepared_form(statement: sa.TextClause) -> tuple[str, tuple[str, ...]]:
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


_POST_PREPARED, _POST_PARAMS = prepared_form(POST_SQL)
_POST_STATEMENT_NAME = "ledger_post"
# One message, so one network round trip: the posting runs on its generic plan (a custom plan
# would cost more server time than the statement itself, on every posting), and the planner
# setting is restored for the rest of the caller's transaction.
_EXECUTE_POST = (
    "EXECUTE " + _POST_STATEMENT_NAME + "(" + ", ".join(f"%({n})s" for n in _POST_PARAMS) + ")"
)
_POST_MESSAGE = (
    f"SET LOCAL plan_cache_mode = force_generic_plan; {_EXECUTE_POST}; "
    "SET LOCAL plan_cache_mode TO DEFAULT"
)


class PostOutcome(NamedTuple):
    """What the posting statement saw and did."""

    found: bool
    within: bool
    fresh: bool
    updated: int
    inserted: list[list[Any]] | None
    totals: list[list[Any]] | None


def execute_post(params: dict[str, Any]) -> PostOutcome:
    """Run the posting statement on the session's own connection, inside its transaction.

    It goes straight to psycopg, as a statement prepared once per connection and executed in a
    single message (see ``_POST_MESSAGE``): postings are the hottest path of the product, and
    SQLAlchemy's statement handling or the extended protocol's pipeline would cost more client
    time than the statement itself. The parameters are bound by psycopg's client-side binding,
    which quotes every value.
    """
    pooled = db.session.connection().connection
    driver_connection = pooled.driver_connection
    assert driver_connection is not None
    try:
        if not pooled.info.get(_POST_STATEMENT_NAME):
            # Prepared statements belong to the database session and are not transactional,
            # so this lasts as long as the connection, whatever becomes of this transaction.
            driver_connection.execute(f"PREPARE {_POST_STATEMENT_NAME} AS {_POST_PREPARED}")
            pooled.info[_POST_STATEMENT_NAME] = True
        with psycopg.ClientCursor(driver_connection) as cursor:
            cursor.execute(_POST_MESSAGE, params)
            row = _posting_row(cursor)
    except psycopg.Error as error:
        # Callers see the same exceptions as from any other statement.
        raise sa.exc.DBAPIError.instance(_EXECUTE_POST, params, error, psycopg.Error) from error
    assert row is not None
    return PostOutcome(*row)


def _posting_row(cursor: psycopg.ClientCursor[Any]) -> Any:
    """The posting statement's row: the first result of the message that has rows."""
    while cursor.description is None and cursor.nextset():
        pass
    return cursor.fetchone()
