"""Tamper evidence for the audit log: seal its events with a hash chain, verify them against it.

The database refuses UPDATE and DELETE on audit events (a trigger), but whoever can switch the
trigger off (a superuser, a restored dump) could rewrite an event unseen. So, as the ledger's
transfers are (app/ledger/verify.py), the events are sealed: ``seal_audit_log`` hashes every
event since the last seal, in id order, chained to the last seal's hash, and writes a checkpoint
whose hash (the head) is published outside the database (app/audit/heads.py). ``verify_audit_log``
recomputes every seal and, given heads kept outside, checks that the chain recomputed from the
events alone still passes through each: a changed, deleted or inserted event, or seals deleted
and made again, fails. The chaining is app/platform/hashchain.py's, shared with the ledger.

A consistent snapshot: ids are handed out when an event is written, not when it commits, so an
event with a lower id may commit after one with a higher id. Sealing reads the highest id once
no transaction is still writing an event (on PostgreSQL: a SHARE lock on the events, taken and
let go inside a savepoint, waits for those writing to finish), then seals every event up to
that id only. Events written meanwhile get higher ids and are the next seal's. Writers wait at
most the moment that lock takes, never for the hashing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa

from app.audit.models import AuditCheckpoint, AuditEvent
from app.platform.extensions import db
from app.platform.hashchain import GENESIS_HASH, chain_hash, link, utc_text, walk_to_heads

_CHUNK = 2000
_EVENTS = cast(sa.Table, AuditEvent.__table__)

# How long sealing waits for the transactions writing an event to finish before it gives up
# (the writers that come meanwhile queue behind it, so the wait is kept short).
SNAPSHOT_WAIT_SECONDS = 10.0


class SealPostponed(Exception):
    """The events could not be sealed now: a transaction kept writing one for too long."""


def canonical(row: Any) -> str:
    """One audit event as the text that is hashed: every stored field, in order, as compact
    JSON (ASCII, sorted keys), so no text an event holds can pass for a field boundary."""
    fields = [
        row.id,
        utc_text(row.occurred_at),
        row.actor_id,
        row.actor_label,
        row.action,
        row.subject_type,
        row.subject_id,
        row.summary,
        row.changes,
        row.ip,
    ]
    return json.dumps(fields, ensure_ascii=True, sort_keys=True, separators=(",", ":"))


def _events_between(after: int, last: int | None) -> Iterator[Any]:
    """Events with after < id <= last (or to the end), in id order, in chunks."""
    while True:
        query = sa.select(_EVENTS).where(_EVENTS.c.id > after).order_by(_EVENTS.c.id).limit(_CHUNK)
        if last is not None:
            query = query.where(_EVENTS.c.id <= last)
        rows = db.session.execute(query).all()
        yield from rows
        if len(rows) < _CHUNK:
            return
        after = rows[-1].id


def _canonicals(rows: Iterator[Any]) -> Iterator[str]:
    return (canonical(row) for row in rows)


def _last_checkpoint() -> AuditCheckpoint | None:
    return db.session.execute(
        sa.select(AuditCheckpoint).order_by(AuditCheckpoint.last_event_id.desc()).limit(1)
    ).scalar_one_or_none()


def _newest_settled_event_id(wait_seconds: float) -> int:
    """The highest event id below which no event can still appear.

    PostgreSQL: inside a savepoint, a SHARE lock on the events waits for every transaction
    writing one to commit or roll back (each holds its insert's lock until then, and takes it
    before its id); the highest id is read then, and rolling back to the savepoint lets the lock
    go. SQLite writes one transaction at a time, so any event not yet committed will have an id
    above every committed one.
    """
    newest = sa.select(sa.func.coalesce(sa.func.max(_EVENTS.c.id), 0))
    if db.session.get_bind().dialect.name != "postgresql":
        return int(db.session.execute(newest).scalar_one())
    snapshot = db.session.begin_nested()
    try:
        db.session.execute(sa.text(f"SET LOCAL lock_timeout = '{int(wait_seconds * 1000)}ms'"))
        try:
            db.session.execute(sa.text("LOCK TABLE audit_events IN SHARE MODE"))
        except sa.exc.OperationalError as error:
            raise SealPostponed(
                f"the audit log was not sealed: a transaction kept writing an event for more "
                f"than {wait_seconds:g} s; nothing was written, try again"
            ) from error
        return int(db.session.execute(newest).scalar_one())
    finally:
        snapshot.rollback()  # lets the lock (and the lock_timeout) go


def seal_audit_log(
    *, actor: Any, wait_seconds: float = SNAPSHOT_WAIT_SECONDS
) -> AuditCheckpoint | None:
    """Write a checkpoint over the events since the last one; None if there are none.

    One sealer at a time (PostgreSQL: the seals' table is locked until commit; reading it stays
    free). The checkpoint is itself the record of the seal (who and when, append-only): an audit
    event about it would be an event left to seal every time. Flushes, never commits; raises
    ``SealPostponed`` when the snapshot could not be taken within ``wait_seconds``.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("LOCK TABLE audit_checkpoints IN EXCLUSIVE MODE"))
    previous = _last_checkpoint()
    after = previous.last_event_id if previous else 0
    previous_hash = previous.hash if previous else GENESIS_HASH
    upto = _newest_settled_event_id(wait_seconds)
    first = last = None
    count = 0
    digest = previous_hash
    for row in _events_between(after, upto):
        digest = link(digest, canonical(row))
        first = row.id if first is None else first
        last = row.id
        count += 1
    if first is None or last is None:
        return None
    checkpoint = AuditCheckpoint(
        first_event_id=first,
        last_event_id=last,
        event_count=count,
        previous_hash=previous_hash,
        hash=digest,
        sealed_by_id=getattr(actor, "id", None),
    )
    db.session.add(checkpoint)
    db.session.flush()
    return checkpoint


@dataclass(slots=True)
class AuditVerifyReport:
    """The outcome of ``verify_audit_log``: ``problems`` is empty when the log is intact."""

    problems: list[str] = field(default_factory=list)
    checkpoints: int = 0
    sealed_events: int = 0
    unsealed_events: int = 0
    # Heads published outside the database that the recomputed chain still passes through.
    heads_reached: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_audit_log(*, against: Sequence[str] = ()) -> AuditVerifyReport:
    """Recompute every seal from the events it covers; list every difference found.

    ``against``: seal heads kept outside the database, which the chain recomputed from the
    events (ignoring the seals) must still pass through.
    """
    report = AuditVerifyReport()
    previous_hash, after = GENESIS_HASH, 0
    checkpoints = db.session.execute(
        sa.select(AuditCheckpoint).order_by(AuditCheckpoint.last_event_id)
    ).scalars()
    for checkpoint in checkpoints:
        report.checkpoints += 1
        label = (
            f"seal {checkpoint.id} (events {checkpoint.first_event_id}-{checkpoint.last_event_id})"
        )
        if checkpoint.previous_hash != previous_hash:
            report.problems.append(f"{label}: does not chain to the seal before it")
        digest, count = chain_hash(
            checkpoint.previous_hash,
            _canonicals(_events_between(after, checkpoint.last_event_id)),
        )
        if count != checkpoint.event_count:
            report.problems.append(
                f"{label}: sealed {checkpoint.event_count} event(s), {count} found now "
                "(an event was deleted or inserted)"
            )
        elif digest != checkpoint.hash:
            report.problems.append(
                f"{label}: hash differs: sealed {checkpoint.hash[:16]}, recomputed {digest[:16]}"
                " (a sealed event was changed)"
            )
        report.sealed_events += count
        previous_hash, after = checkpoint.hash, checkpoint.last_event_id
    report.unsealed_events = int(
        db.session.execute(
            sa.select(sa.func.count()).select_from(_EVENTS).where(_EVENTS.c.id > after)
        ).scalar_one()
    )
    if against:
        walk = walk_to_heads(_canonicals(_events_between(0, None)), against)
        report.heads_reached = len(walk.reached)
        for head in against:
            if head.lower() not in walk.reached:
                report.problems.append(
                    f"published head {head} is not on the chain recomputed from the "
                    f"{walk.rows} audit event(s) (which ends at {walk.last_hash[:16]}): an event "
                    "it covered was changed, removed or added since it was published"
                )
    return report
