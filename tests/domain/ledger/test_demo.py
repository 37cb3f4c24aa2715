"""The demo ledger history comes from the demo's real records, is sealed, and verifies."""

from __future__ import annotations

import sqlalchemy as sa

from app.donations.models import (
    BankReceipt,
    BankReceiptAllocation,
    Donor,
    Gift,
    GiftDispute,
    GiftRefund,
    Pledge,
)
from app.grants.models import Grant, Tranche
from app.ledger import chart
from app.ledger.models import Transfer
from app.ledger.services.balances import account_balance
from app.platform.extensions import db
from devtools.seed import load_demo

RECORDS = {
    "gift": Gift,
    "gift_refund": GiftRefund,
    "gift_dispute": GiftDispute,
    "pledge": Pledge,
    "bank_receipt": BankReceipt,
    "bank_receipt_allocation": BankReceiptAllocation,
    "donor": Donor,
    "grant": Grant,
    "tranche": Tranche,
}


def test_every_demo_transfer_comes_from_a_record_that_exists(runner):
    load_demo()
    documents = db.session.execute(
        sa.select(Transfer.document_type, Transfer.document_id).distinct()
    ).all()
    assert {kind for kind, _id in documents} >= {"gift", "pledge", "grant", "tranche"}
    for kind, document_id in documents:
        model = RECORDS.get(kind)
        assert model is not None, f"transfers recorded for an unknown document type {kind!r}"
        assert db.session.get(model, int(document_id)) is not None, (kind, document_id)
    assert account_balance(account=chart.account_by_key(chart.FUND_AVAILABLE)).posted > 0

    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    assert "1 checkpoint(s)" in result.output
    load_demo()  # a second run posts and seals nothing new
    assert "1 checkpoint(s)" in runner.invoke(args=["ledger", "verify"]).output
