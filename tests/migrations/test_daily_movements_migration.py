"""The daily movements' migration adds up the transfers already posted, and its downgrade takes
the table and its trigger away."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.platform.extensions import db
from tests.migrations.test_migrations import scratch_app  # noqa: F401 - the fixture

pytestmark = pytest.mark.real_commits

REVISION = "b7d1e2f3a4c5"
BEFORE = "7c1e9a2b4d60"
LATE = datetime(2026, 3, 1, 23, 59, 59, 999_999, tzinfo=UTC)
MIDNIGHT = datetime(2026, 3, 2, tzinfo=UTC)


def _posted_before_the_migration(conn: sa.Connection) -> dict[str, int]:
    """A donor's gift, two gift transfers either side of midnight, a fee, a pending transfer."""
    accounts = dict(conn.execute(sa.text("SELECT key, id FROM ledger_accounts")).all())
    now = datetime.now(UTC)
    conn.execute(
        sa.text(
            "INSERT INTO donors (id, kind, name, public_recognition, created_at, updated_at)"
            " VALUES (1, 'foundation', 'Ford', false, :now, :now)"
        ),
        {"now": now},
    )
    conn.execute(
        sa.text(
            "INSERT INTO gifts (id, donor_id, donor_name, kind, status, amount, currency,"
            " fee_amount, public_recognition, public_token, created_at, updated_at)"
            " VALUES (7, 1, 'Ford', 'one_off', 'succeeded', 100, 'USD', 3, false, 't7',"
            " :now, :now)"
        ),
        {"now": now},
    )
    stripe, fund = accounts["cash:stripe"], accounts["fund:available"]
    rows = [
        (stripe, fund, 60, "GIFT", "single", LATE, "gift", "7"),
        (stripe, fund, 40, "GIFT", "single", MIDNIGHT, "gift", "7"),
        (fund, stripe, 3, "FEE", "single", MIDNIGHT, "gift", "7"),
        (stripe, fund, 9, "GIFT", "single", MIDNIGHT, "gift", "70"),  # no such gift
        (fund, stripe, 5, "ADJUSTMENT", "pending", MIDNIGHT, None, None),
    ]
    for sequence, (debit, credit, amount, code, kind, at, doc_type, doc_id) in enumerate(rows, 1):
        conn.execute(
            sa.text(
                "INSERT INTO ledger_transfers (id, sequence, debit_account_id,"
                " credit_account_id, amount, code, kind, document_type, document_id, created_at)"
                " VALUES (:id, :sequence, :debit, :credit, :amount, :code, :kind, :doc_type,"
                " :doc_id, :at)"
            ),
            {
                "id": str(uuid.uuid4()) if conn.dialect.name == "sqlite" else uuid.uuid4(),
                "sequence": sequence,
                "debit": debit,
                "credit": credit,
                "amount": amount,
                "code": code,
                "kind": kind,
                "doc_type": doc_type,
                "doc_id": doc_id,
                "at": at if conn.dialect.name != "sqlite" else at.replace(tzinfo=None),
            },
        )
    return {"stripe": stripe, "fund": fund}


def _daily_rows() -> set[tuple[str, str, str, int, int, str, int, int]]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT day, code, kind, debit_account_id, credit_account_id, donor_kind,"
                " amount, transfers FROM ledger_daily_movements"
            )
        ).all()
    return {(str(row[0]), *row[1:]) for row in rows}


def test_the_migration_adds_up_what_was_posted_and_its_downgrade_takes_it_away(scratch_app):  # noqa: F811
    with scratch_app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            ids = _posted_before_the_migration(conn)
        upgrade(revision=REVISION)
        stripe, fund = ids["stripe"], ids["fund"]
        assert _daily_rows() == {
            ("2026-03-01", "GIFT", "single", stripe, fund, "foundation", 60, 1),
            ("2026-03-02", "GIFT", "single", stripe, fund, "foundation", 40, 1),
            ("2026-03-02", "GIFT", "single", stripe, fund, "", 9, 1),
            ("2026-03-02", "FEE", "single", fund, stripe, "", 3, 1),
        }
        downgrade(revision=BEFORE)
        assert "ledger_daily_movements" not in sa.inspect(db.engine).get_table_names()
        upgrade(revision=REVISION)
        assert len(_daily_rows()) == 4
        db.engine.dispose()
