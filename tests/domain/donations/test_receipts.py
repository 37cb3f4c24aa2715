"""Receipt numbers: one sequence per year, never the same number twice, even under load."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.domain.donations import services
from app.domain.donations.models import ReceiptSequence
from app.extensions import db
from tests.donations_support import finance_user


def test_each_year_has_its_own_sequence(app):
    _bank_receipt, first = services.record_bank_receipt(
        actor=finance_user(),
        value_date=datetime.now(UTC).date(),
        amount=1_00,
        currency="USD",
        bank_reference="YEARLY-1",
    )
    assert first.reference == f"{first.year}-{first.number:06d}"
    # A new year starts again from 1; this year's sequence goes on where it was.
    assert services._next_receipt_number(2098) == 1
    assert services._next_receipt_number(2098) == 2
    assert services._next_receipt_number(first.year) == first.number + 1


@pytest.mark.postgres
@pytest.mark.real_commits
def test_concurrent_receipts_never_share_a_number(app):
    year, workers, each = 2099, 4, 15
    numbers: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def issue() -> None:
        try:
            with app.app_context():
                for _ in range(each):
                    number = services._next_receipt_number(year)
                    db.session.commit()
                    with lock:
                        numbers.append(number)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=issue) for _ in range(workers)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert sorted(numbers) == list(range(1, workers * each + 1))
    finally:
        db.session.execute(sa.delete(ReceiptSequence).where(ReceiptSequence.year == year))
        db.session.commit()
