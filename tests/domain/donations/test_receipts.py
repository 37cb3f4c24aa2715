"""Receipt numbers: one sequence per year, never the same number twice, even under load."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.donations import services
from app.donations.models import ReceiptSequence
from app.platform.extensions import db
from tests.donations_support import finance_user
from tests.real_commits import race


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

    def issue() -> list[int]:
        numbers = []
        for _ in range(each):
            numbers.append(services._next_receipt_number(year))
            db.session.commit()
        return numbers

    try:
        results = race(app, [issue] * workers, commit=False)
        assert [r for r in results if isinstance(r, Exception)] == []
        numbers = sorted(number for result in results for number in result)
        assert numbers == list(range(1, workers * each + 1))
    finally:
        db.session.execute(sa.delete(ReceiptSequence).where(ReceiptSequence.year == year))
        db.session.commit()
