"""The received totals' migration adds up the gifts and bank receipts already recorded (net of
refunds and lost disputes), its triggers follow what is written next, and its downgrade takes
the table, its triggers and their functions away."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.platform.extensions import db
from tests.migrations.test_migrations import _other_objects, scratch_app  # noqa: F401

pytestmark = pytest.mark.real_commits

REVISION = "5c2e8a4f6b1d"
BEFORE = "3f5b7d9e1a2c"


def _recorded_before_the_migration(conn: sa.Connection) -> None:
    """Two donors; gifts succeeded in two years (one named, one with an unknown functional
    amount but refunded), one pending, one refunded, one disputed and lost, one won; bank
    receipts of a donor and of nobody known."""
    now = datetime.now(UTC)
    sqlite = conn.dialect.name == "sqlite"

    def moment(value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=None) if sqlite and value is not None else value

    for donor_id, kind, name in ((1, "individual", "Ada"), (2, "foundation", "Ford")):
        conn.execute(
            sa.text(
                "INSERT INTO donors (id, kind, name, public_recognition, created_at, updated_at)"
                " VALUES (:id, :kind, :name, false, :now, :now)"
            ),
            {"id": donor_id, "kind": kind, "name": name, "now": moment(now)},
        )
    gifts = [
        # id, donor, status, functional, named, succeeded
        (1, 1, "succeeded", 100_00, True, datetime(2025, 12, 31, 23, 59, tzinfo=UTC)),
        (2, 1, "succeeded", 50_00, False, datetime(2026, 1, 1, 0, 1, tzinfo=UTC)),
        (3, 1, "pending", None, False, None),
        (4, 2, "succeeded", 80_00, False, datetime(2026, 2, 1, tzinfo=UTC)),
        (5, 2, "succeeded", 30_00, False, datetime(2026, 2, 2, tzinfo=UTC)),
        (6, 2, "succeeded", None, False, datetime(2026, 2, 3, tzinfo=UTC)),
    ]
    for gift_id, donor_id, status, functional, named, succeeded in gifts:
        conn.execute(
            sa.text(
                "INSERT INTO gifts (id, donor_id, donor_name, kind, status, amount, currency,"
                " functional_amount, fee_amount, public_recognition, public_token,"
                " succeeded_at, created_at, updated_at)"
                " VALUES (:id, :donor, 'Someone', 'one_off', :status, 1, 'USD', :functional, 0,"
                " :named, :token, :succeeded, :now, :now)"
            ),
            {
                "id": gift_id,
                "donor": donor_id,
                "status": status,
                "functional": functional,
                "named": named,
                "token": f"t{gift_id}",
                "succeeded": moment(succeeded),
                "now": moment(now),
            },
        )
    for refund_id, gift_id, amount in ((1, 4, 20_00), (2, 4, 5_00), (3, 6, 7_00)):
        conn.execute(
            sa.text(
                "INSERT INTO gift_refunds (id, gift_id, stripe_refund_id, amount,"
                " functional_amount, created_at) VALUES (:id, :gift, :stripe, 1, :amount, :now)"
            ),
            {
                "id": refund_id,
                "gift": gift_id,
                "stripe": f"re_{refund_id}",
                "amount": amount,
                "now": moment(now),
            },
        )
    for dispute_id, status, lost in ((1, "lost", 30_00), (2, "won", None)):
        conn.execute(
            sa.text(
                "INSERT INTO gift_disputes (id, gift_id, stripe_dispute_id, amount, status,"
                " functional_amount_lost, created_at, updated_at)"
                " VALUES (:id, 5, :stripe, 1, :status, :lost, :now, :now)"
            ),
            {
                "id": dispute_id,
                "stripe": f"dp_{dispute_id}",
                "status": status,
                "lost": lost,
                "now": moment(now),
            },
        )
    receipts: list[tuple[int, int | None, str, int]] = [
        (1, 2, "2026-03-01", 1_000_00),
        (2, 2, "2025-06-30", 400_00),
        (3, None, "2026-03-02", 70_00),
    ]
    for receipt_id, sender, day, amount in receipts:
        conn.execute(
            sa.text(
                "INSERT INTO bank_receipts (id, donor_id, value_date, amount, currency,"
                " bank_reference, reference_key, functional_amount, fx_rate, created_at,"
                " updated_at) VALUES (:id, :donor, :day, :amount, 'USD', :reference,"
                " :reference, :amount, 1, :now, :now)"
            ),
            {
                "id": receipt_id,
                "donor": sender,
                "day": datetime.strptime(day, "%Y-%m-%d").date(),
                "amount": amount,
                "reference": f"REF{receipt_id}",
                "now": moment(now),
            },
        )


def _totals() -> dict[tuple[int | None, int, bool | None], tuple[int, int]]:
    """Entries and amount per donor, year and choice to be named, summed over the rows."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT donor_id, year, named, sum(entries), sum(amount) FROM received_totals"
                " GROUP BY donor_id, year, named"
            )
        ).all()
    return {
        (donor, int(year), None if named is None else bool(named)): (int(entries), int(amount))
        for donor, year, named, entries, amount in rows
        if entries or amount
    }


EXPECTED = {
    (1, 2025, True): (1, 100_00),
    (1, 2026, False): (1, 50_00),
    # 80 less two refunds; 30 less the lost dispute; unknown functional amount less its refund.
    (2, 2026, False): (3, 80_00 - 25_00 + 0 - 7_00),
    (2, 2026, None): (1, 1_000_00),
    (2, 2025, None): (1, 400_00),
    (None, 2026, None): (1, 70_00),
}


def test_the_migration_adds_up_what_was_received_and_its_downgrade_takes_it_away(scratch_app):  # noqa: F811
    with scratch_app.app_context():
        upgrade(revision=BEFORE)
        objects_before = _other_objects()
        with db.engine.begin() as conn:
            _recorded_before_the_migration(conn)
        upgrade(revision=REVISION)
        assert _totals() == EXPECTED
        # The triggers follow what comes next: the pending gift paid, a receipt matched.
        with db.engine.begin() as conn:
            paid = datetime(2026, 5, 5, tzinfo=UTC)
            conn.execute(
                sa.text(
                    "UPDATE gifts SET status = 'succeeded', functional_amount = 900,"
                    " succeeded_at = :at WHERE id = 3"
                ),
                {"at": paid.replace(tzinfo=None) if conn.dialect.name == "sqlite" else paid},
            )
            conn.execute(sa.text("UPDATE bank_receipts SET donor_id = 1 WHERE id = 3"))
        after = dict(EXPECTED)
        after[(1, 2026, False)] = (2, 50_00 + 9_00)
        del after[(None, 2026, None)]
        after[(1, 2026, None)] = (1, 70_00)
        assert _totals() == after
        downgrade(revision=BEFORE)
        assert "received_totals" not in sa.inspect(db.engine).get_table_names()
        assert _other_objects() == objects_before
        upgrade(revision=REVISION)
        assert _totals() == after
        db.engine.dispose()
