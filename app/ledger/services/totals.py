"""The accounts' four stored totals: read for the posting rules, and added to in one
statement (by the SQLite posting, and by the scale data generator)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, cast

import sqlalchemy as sa

from app.ledger.models import Account
from app.ledger.rules import Totals
from app.platform.extensions import db


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


def read_totals(account_ids: set[int]) -> dict[int, Totals]:
    """The accounts' stored totals and limits, as the posting rules take them."""
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
