"""One-time form keys: a second post of the same form finds the record the first one created.

A form that creates money records (a pledge, a bank receipt) carries a random key. The first post
stores the key before it creates its record, then the record's id with it, in the same
transaction. A second post of the same form (a double click, a reload, a browser's retry) finds
the key taken and is shown that record instead of creating another one. Two posts at the same
moment queue on the key's unique index on PostgreSQL: the second waits until the first commits
(then finds its record) or rolls back (then goes ahead itself).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from app.platform.db import Model, UTCDateTime, utcnow
from app.platform.errors import N_, Conflict
from app.platform.extensions import db

_KEY = re.compile(r"[A-Za-z0-9_-]{22,64}")


class FormSubmission(Model):
    """A form key, the kind of form that used it, and the record its first post created."""

    __tablename__ = "form_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    form: Mapped[str] = mapped_column(sa.String(40))
    record_id: Mapped[int | None] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def new_form_key() -> str:
    return secrets.token_urlsafe(24)


def is_form_key(key: str | None) -> bool:
    return bool(key) and _KEY.fullmatch(key or "") is not None


def claim_form_key(*, key: str, form: str, user_id: int | None) -> int | None:
    """Take ``key`` for a post of ``form``: None when it is ours (go on and create the record),
    else the id of the record an earlier post of the same form created. Flushes."""
    table = cast(sa.Table, FormSubmission.__table__)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    taken = db.session.execute(
        insert(table)
        .values(key=key, form=form, user_id=user_id, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.id)
    ).scalar_one_or_none()
    if taken is not None:
        return None
    earlier = db.session.execute(
        sa.select(FormSubmission).where(FormSubmission.key == key)
    ).scalar_one()
    if earlier.form != form or earlier.user_id != user_id or earlier.record_id is None:
        raise Conflict(N_("This form was already sent. Please open it again."))
    return earlier.record_id


def remember_form_record(*, key: str, record_id: int) -> None:
    """The record the post that claimed ``key`` created."""
    db.session.execute(
        sa.update(FormSubmission).where(FormSubmission.key == key).values(record_id=record_id)
    )
