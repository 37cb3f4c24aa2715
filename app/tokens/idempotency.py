"""Idempotency keys: a POST retried with the same ``Idempotency-Key`` gets its first answer.

``claim`` writes the key's row in the transaction that then does the work; a concurrent
request with the same key waits on the unique index (PostgreSQL) until that transaction ends:
committed, it finds the stored answer; rolled back (the work was refused), it claims the key
itself. So however many copies of a request arrive at once, one does the work.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.platform.db import utcnow
from app.platform.errors import N_, ValidationFailed
from app.platform.extensions import db
from app.tokens.models import IdempotencyKey

MAX_KEY_LENGTH = 255
# A client retries within minutes; a day covers a retry after an outage. Older keys may go.
KEEP_FOR = timedelta(days=1)


class KeyReused(ValidationFailed):
    """The key came with a different request: a client bug, never replayed (422)."""

    status_code = 422


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: str


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def claim(*, user_id: int, key: str, request_fingerprint: str) -> StoredAnswer | None:
    """Claim ``key`` for this request (``None``: do the work, then ``record``) or return the
    answer a first request with the same key and body already committed."""
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(
            N_("An Idempotency-Key is 1 to %(max)d printable characters."), max=MAX_KEY_LENGTH
        )
    now = utcnow()
    # This person's keys older than KEEP_FOR are forgotten (on their unique index's prefix).
    db.session.execute(
        sa.delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.created_at < now - KEEP_FOR
        )
    )
    values = {
        "user_id": user_id,
        "key": key,
        "fingerprint": request_fingerprint,
        "created_at": now,
    }
    insert = (
        postgresql.insert(IdempotencyKey)
        if db.session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(IdempotencyKey)
    )
    # Waits on a concurrent claim of the same key until it commits or rolls back.
    inserted = db.session.execute(
        insert.values(**values)
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(IdempotencyKey.id)
    ).scalar_one_or_none()
    if inserted is not None:
        return None
    row = db.session.execute(
        sa.select(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
        )
    ).scalar_one()
    if row.fingerprint != request_fingerprint:
        raise KeyReused(
            N_(
                "This Idempotency-Key was used with a different request. Use a new key for "
                "each new request."
            )
        )
    if row.response_status is None:  # pragma: no cover - the claim is committed with its answer
        raise ValidationFailed(N_("A request with this Idempotency-Key is still running."))
    return StoredAnswer(status=row.response_status, body=row.response_body or "")


def record(*, user_id: int, key: str, status: int, body: str) -> None:
    """Keep the answer of the claimed key, to be committed with the work."""
    db.session.execute(
        sa.update(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        .values(response_status=status, response_body=body)
        .execution_options(synchronize_session=False)
    )


def purge(*, now: datetime | None = None) -> int:
    """Forget keys older than ``KEEP_FOR``; how many."""
    cutoff = (now or utcnow()) - KEEP_FOR
    result = db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
