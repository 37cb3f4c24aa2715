"""The CSV export of transfers (the ledger's own, reused by the reporting exports): the rows,
read in chunks so that a year of transfers never sits in memory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.ledger.models import Account, Transfer, TransferCode
from app.platform.extensions import db

EXPORT_CHUNK = 1000


def transfers_for_export(
    *,
    since: datetime,
    until: datetime,
    code: TransferCode | None = None,
    account: Account | None = None,
) -> Iterator[Any]:
    """Transfers created in [since, until), in sequence order, read in chunks (keyset)."""
    t = Transfer.__table__.c
    debit = aliased(Account, name="debit")
    credit = aliased(Account, name="credit")
    users = User.__table__.c
    query = (
        sa.select(
            t.sequence,
            t.id,
            t.created_at,
            t.code,
            t.kind,
            debit.key.label("debit_key"),
            credit.key.label("credit_key"),
            t.amount,
            debit.currency.label("currency"),
            t.pending_id,
            t.batch_id,
            t.document_type,
            t.document_id,
            t.actor_id,
            users.email.label("actor_email"),
            t.memo,
        )
        .select_from(Transfer.__table__)
        .join(debit, debit.id == t.debit_account_id)
        .join(credit, credit.id == t.credit_account_id)
        .outerjoin(User.__table__, users.id == t.actor_id)
        .where(t.created_at >= since, t.created_at < until)
        .order_by(t.sequence)
        .limit(EXPORT_CHUNK)
    )
    if code is not None:
        query = query.where(t.code == code)
    if account is not None:
        query = query.where(
            sa.or_(t.debit_account_id == account.id, t.credit_account_id == account.id)
        )
    after = None
    while True:
        chunk = query if after is None else query.where(t.sequence > after)
        rows = db.session.execute(chunk).all()
        yield from rows
        if len(rows) < EXPORT_CHUNK:
            return
        after = rows[-1].sequence


def count_transfers_for_export(
    *,
    since: datetime,
    until: datetime,
    code: TransferCode | None = None,
    account: Account | None = None,
) -> int:
    """How many transfers ``transfers_for_export`` gives (a large export is made by a worker)."""
    t = Transfer.__table__.c
    query = (
        sa.select(sa.func.count())
        .select_from(Transfer.__table__)
        .where(t.created_at >= since, t.created_at < until)
    )
    if code is not None:
        query = query.where(t.code == code)
    if account is not None:
        query = query.where(
            sa.or_(t.debit_account_id == account.id, t.credit_account_id == account.id)
        )
    return int(db.session.execute(query).scalar_one())
