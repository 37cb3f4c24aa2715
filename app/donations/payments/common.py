"""What the card-gift modules share: tokens, idempotency keys, Stripe times, row locks."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa

from app.platform.db import utcnow
from app.platform.extensions import db

M = TypeVar("M")


def new_token() -> str:
    return secrets.token_hex(16)


def idempotency_key_for(kind: str, record_id: int, token: str, step: str) -> str:
    """An idempotency key from our own record: its id, and its token (ids can be reused after a
    rollback on SQLite; the token never is)."""
    return f"{kind}-{record_id}-{token[:12]}-{step}"


def opening_key_for(kind: str, token: str, step: str) -> str:
    """The idempotency key of what is opened at Stripe before our record is written (its
    customer, its SetupIntent): the record-to-be's token, random and never reused."""
    return f"{kind}-{token}-{step}"


def stripe_time(timestamp: Any) -> datetime:
    if isinstance(timestamp, int | float) and timestamp > 0:
        return datetime.fromtimestamp(timestamp, UTC)
    return utcnow()


def locked_row(model: type[M], *condition: sa.ColumnElement[bool]) -> M | None:
    """The row, locked for this transaction on PostgreSQL: concurrent webhooks for the same
    gift then apply one after the other (SQLite serialises writers anyway)."""
    return db.session.execute(
        sa.select(model)
        .where(*condition)
        # OF the row itself: eagerly joined relationships are outer joins PostgreSQL cannot lock.
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
