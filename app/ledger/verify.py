"""Tamper evidence: seal the ledger with a hash chain, and verify it against its transfers.

``seal_ledger`` hashes every transfer since the last checkpoint, in sequence order, chained
to the previous checkpoint's hash. ``verify_ledger`` recomputes every checkpoint, every
account's four totals and the daily movements the reports read (``ledger_daily_movements``)
from the transfers and reports the first difference.

The checkpoints sit in the database they protect: deleting them and sealing again would make a
changed ledger verify. So every seal's head is published outside it (app/ledger/heads.py), and
``verify_ledger(against=...)`` also checks that the chain recomputed from the transfers, from
the first one, still passes through each head kept outside. The chaining and the search for
heads are app/platform/hashchain.py's, shared with the audit log's seals.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.audit.services import record_event
from app.ledger.models import Account, Checkpoint, DailyMovement, Transfer, TransferKind
from app.ledger.services.batch import actor_id
from app.platform.extensions import db
from app.platform.hashchain import GENESIS_HASH, chain_hash, link, utc_text, walk_to_heads
from app.platform.sql import day_of

_CHUNK = 2000


def _canonical(row: Any) -> str:
    """One transfer as the text that is hashed: every stored field, in a fixed format."""
    fields = (
        row.id,
        row.sequence,
        row.debit_account_id,
        row.credit_account_id,
        row.amount,
        row.code,
        row.kind,
        row.pending_id or "",
        row.batch_id or "",
        row.document_type or "",
        row.document_id or "",
        "" if row.actor_id is None else row.actor_id,
        row.memo or "",
        utc_text(row.created_at),
    )
    return "\x1f".join(str(getattr(value, "value", value)) for value in fields)


def _canonicals(rows: Iterable[Any]) -> Iterator[str]:
    return (_canonical(row) for row in rows)


def _transfers_between(after: int, last: int | None) -> Iterator[Any]:
    """Transfers with after < sequence <= last (or to the end), in order, in chunks."""
    t = Transfer.__table__
    while True:
        query = sa.select(t).where(t.c.sequence > after).order_by(t.c.sequence).limit(_CHUNK)
        if last is not None:
            query = query.where(t.c.sequence <= last)
        rows = db.session.execute(query).all()
        yield from rows
        if len(rows) < _CHUNK:
            return
        after = rows[-1].sequence


def _last_checkpoint() -> Checkpoint | None:
    return db.session.execute(
        sa.select(Checkpoint).order_by(Checkpoint.last_sequence.desc()).limit(1)
    ).scalar_one_or_none()


def seal_ledger(*, actor: Any) -> Checkpoint | None:
    """Write a checkpoint over the transfers since the last one; None if there are none.

    On PostgreSQL the transfers table is locked against new postings while sealing, so no
    transfer still being posted can later appear below the seal (sequence numbers are taken
    before commit). Flushes, never commits.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("LOCK TABLE ledger_transfers IN SHARE ROW EXCLUSIVE MODE"))
    previous = _last_checkpoint()
    after = previous.last_sequence if previous else 0
    previous_hash = previous.hash if previous else GENESIS_HASH
    first = last = None
    count = 0
    digest = previous_hash
    for row in _transfers_between(after, None):
        digest = link(digest, _canonical(row))
        first = row.sequence if first is None else first
        last = row.sequence
        count += 1
    if last is None or first is None:
        return None
    checkpoint = Checkpoint(
        first_sequence=first,
        last_sequence=last,
        transfer_count=count,
        previous_hash=previous_hash,
        hash=digest,
        sealed_by_id=actor_id(actor),
    )
    db.session.add(checkpoint)
    db.session.flush()
    record_event(
        actor=actor,
        action="ledger.sealed",
        subject=checkpoint,
        summary=f"ledger sealed: {count} transfer(s), sequence {first}-{last}, {digest[:16]}",
    )
    return checkpoint


@dataclass(slots=True)
class VerifyReport:
    """The outcome of ``verify_ledger``: ``problems`` is empty when the ledger is consistent."""

    problems: list[str] = field(default_factory=list)
    checkpoints: int = 0
    sealed_transfers: int = 0
    accounts: int = 0
    transfers: int = 0
    total_debits: int = 0
    total_credits: int = 0
    # Heads published outside the database that the recomputed chain still passes through.
    heads_reached: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


_TOTALS = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")


def _recomputed_totals() -> sa.Select[Any]:
    """Every account's stored totals beside the totals its transfers add up to (one query)."""
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
    zero = sa.literal(0, sa.BigInteger)
    sides = sa.union_all(
        sa.select(
            t.debit_account_id.label("account_id"),
            pending.label("dp"),
            posted.label("dpo"),
            zero.label("cp"),
            zero.label("cpo"),
        ).outerjoin(p, p.id == t.pending_id),
        sa.select(
            t.credit_account_id.label("account_id"),
            zero.label("dp"),
            zero.label("dpo"),
            pending.label("cp"),
            posted.label("cpo"),
        ).outerjoin(p, p.id == t.pending_id),
    ).subquery("sides")
    sums = (
        sa.select(
            sides.c.account_id,
            sa.func.sum(sides.c.dp).label("dp"),
            sa.func.sum(sides.c.dpo).label("dpo"),
            sa.func.sum(sides.c.cp).label("cp"),
            sa.func.sum(sides.c.cpo).label("cpo"),
        )
        .group_by(sides.c.account_id)
        .subquery("sums")
    )
    a = Account.__table__.c
    return (
        sa.select(
            a.id,
            a.key,
            a.debits_pending,
            a.debits_posted,
            a.credits_pending,
            a.credits_posted,
            sa.func.coalesce(sums.c.dp, 0),
            sa.func.coalesce(sums.c.dpo, 0),
            sa.func.coalesce(sums.c.cp, 0),
            sa.func.coalesce(sums.c.cpo, 0),
        )
        .select_from(Account.__table__.outerjoin(sums, sums.c.account_id == a.id))
        .order_by(a.id)
    )


def _daily_differences() -> sa.Select[Any]:
    """Each day, code, kind and pair of accounts whose kept daily movement differs from what
    its posted transfers add up to (one query: one snapshot, as for the accounts)."""
    t = Transfer.__table__.c
    day = sa.type_coerce(day_of(t.created_at), DailyMovement.__table__.c.day.type)
    keys = ("day", "code", "kind", "debit_account_id", "credit_account_id")
    posted = (
        sa.select(
            day.label("day"),
            t.code,
            t.kind,
            t.debit_account_id,
            t.credit_account_id,
            sa.func.sum(t.amount).label("amount"),
            sa.func.count().label("transfers"),
        )
        .where(t.kind.in_([TransferKind.SINGLE, TransferKind.POST_PENDING]))
        .group_by(day, t.code, t.kind, t.debit_account_id, t.credit_account_id)
        .subquery("posted")
    )
    m = DailyMovement.__table__.c
    kept = (
        sa.select(
            *(m[key] for key in keys),
            sa.func.sum(m.amount).label("amount"),
            sa.func.sum(m.transfers).label("transfers"),
        )
        .group_by(*(m[key] for key in keys))
        .subquery("kept")
    )
    both = posted.outerjoin(
        kept, sa.and_(*(posted.c[key] == kept.c[key] for key in keys)), full=True
    )
    return (
        sa.select(
            *(sa.func.coalesce(posted.c[key], kept.c[key]).label(key) for key in keys),
            sa.func.coalesce(kept.c.amount, 0).label("kept_amount"),
            sa.func.coalesce(posted.c.amount, 0).label("amount"),
            sa.func.coalesce(kept.c.transfers, 0).label("kept_transfers"),
            sa.func.coalesce(posted.c.transfers, 0).label("transfers"),
        )
        .select_from(both)
        .where(
            sa.or_(
                sa.func.coalesce(kept.c.amount, 0) != sa.func.coalesce(posted.c.amount, 0),
                sa.func.coalesce(kept.c.transfers, 0) != sa.func.coalesce(posted.c.transfers, 0),
            )
        )
        .order_by(sa.literal_column("day"), sa.literal_column("code"))
    )


def _check_heads(report: VerifyReport, heads: Sequence[str]) -> None:
    """Chain every transfer from the first one and note where each published head is passed.

    A seal's hash is the running hash after its last transfer, so a head kept outside is reached
    exactly when no transfer up to it was changed, removed or slipped in, whatever the
    checkpoints now say.
    """
    walk = walk_to_heads(_canonicals(_transfers_between(0, None)), heads)
    report.heads_reached = len(walk.reached)
    for head in heads:
        if head.lower() not in walk.reached:
            report.problems.append(
                f"published head {head} is not on the chain recomputed from the {walk.rows} "
                f"transfer(s) (which ends at {walk.last_hash[:16]}): a transfer it covered was "
                "changed, removed or added since it was published"
            )


def verify_ledger(*, against: Sequence[str] = ()) -> VerifyReport:
    """Recompute every checkpoint and every account's totals; list every difference found.

    ``against``: seal heads kept outside the database, which the chain recomputed from the
    transfers must still pass through. The account comparison is one statement, so it sees one
    consistent snapshot even while postings continue.
    """
    report = VerifyReport()
    previous_hash, after = GENESIS_HASH, 0
    checkpoints = db.session.execute(
        sa.select(Checkpoint).order_by(Checkpoint.last_sequence)
    ).scalars()
    for checkpoint in checkpoints:
        report.checkpoints += 1
        label = (
            f"checkpoint {checkpoint.id} (transfers {checkpoint.first_sequence}"
            f"-{checkpoint.last_sequence})"
        )
        if checkpoint.previous_hash != previous_hash:
            report.problems.append(f"{label}: does not chain to the checkpoint before it")
        digest, count = chain_hash(
            checkpoint.previous_hash,
            _canonicals(_transfers_between(after, checkpoint.last_sequence)),
        )
        if count != checkpoint.transfer_count:
            report.problems.append(
                f"{label}: sealed {checkpoint.transfer_count} transfer(s), {count} found now"
            )
        elif digest != checkpoint.hash:
            report.problems.append(
                f"{label}: hash differs: sealed {checkpoint.hash[:16]}, recomputed {digest[:16]}"
                " (a sealed transfer was changed)"
            )
        report.sealed_transfers += count
        previous_hash, after = checkpoint.hash, checkpoint.last_sequence

    for row in db.session.execute(_recomputed_totals()):
        report.accounts += 1
        stored, recomputed = row[2:6], row[6:10]
        report.total_debits += int(recomputed[1])
        report.total_credits += int(recomputed[3])
        for name, have, want in zip(_TOTALS, stored, recomputed, strict=True):
            if int(have) != int(want):
                report.problems.append(
                    f"account {row.key}: {name} is {have} but its transfers add up to {want}"
                )
    if report.total_debits != report.total_credits:
        report.problems.append(
            f"posted debits {report.total_debits} differ from posted credits {report.total_credits}"
        )
    for row in db.session.execute(_daily_differences()):
        report.problems.append(
            f"daily movements of {row.day} ({row.code} {row.kind}, account "
            f"{row.debit_account_id} to {row.credit_account_id}): kept {row.kept_amount} in "
            f"{row.kept_transfers} transfer(s), but the transfers add up to {row.amount} in "
            f"{row.transfers}"
        )
    report.transfers = db.session.execute(
        sa.select(sa.func.count()).select_from(Transfer)
    ).scalar_one()
    if against:
        _check_heads(report, against)
    return report
