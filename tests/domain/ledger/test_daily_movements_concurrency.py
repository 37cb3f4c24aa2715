"""Real concurrent postings on PostgreSQL add to the same daily movement without losing an
amount or deadlocking, in batches that touch their rows in opposite orders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from app.ledger.models import DailyMovement
from app.ledger.verify import verify_ledger
from app.platform.extensions import db
from tests.domain.ledger.conftest import new_account
from tests.domain.ledger.test_concurrency import post_and_commit, race, single
from tests.real_commits import committed

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]


def test_racing_postings_add_up_in_the_daily_movements(app, cleanup):
    def setup() -> tuple[int, int, int]:
        return new_account().id, new_account().id, new_account().id

    cash, fund, fees = committed(app, setup)

    def worker(slot: int) -> Callable[[], list[str]]:
        def attempts() -> list[str]:
            statuses = []
            for _ in range(5):
                gift = single(cash, fund, 100, code="GIFT")
                fee = single(fund, fees, 3, code="FEE")
                # Half the workers write the two rows in one order, half in the other.
                statuses += post_and_commit(*((gift, fee) if slot % 2 else (fee, gift)))
            return statuses

        return attempts

    results = race(app, [worker(slot) for slot in range(6)])
    assert all(status == "ok" for statuses in results for status in statuses), results

    def kept() -> dict[str, Any]:
        m = DailyMovement.__table__.c
        rows = db.session.execute(
            sa.select(m.code, sa.func.sum(m.amount), sa.func.sum(m.transfers))
            .where(m.debit_account_id.in_([cash, fund]), m.credit_account_id.in_([fund, fees]))
            .group_by(m.code)
        ).all()
        return {str(code): (int(amount), int(count)) for code, amount, count in rows}

    assert committed(app, kept) == {"GIFT": (30 * 100, 30), "FEE": (30 * 3, 30)}
    assert committed(app, verify_ledger).ok
