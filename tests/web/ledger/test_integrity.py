"""The seal summary: when the ledger was last sealed and what has been posted since."""

from __future__ import annotations

import sqlalchemy as sa

from app.ledger.models import Checkpoint
from app.ledger.verify import seal_ledger
from app.platform.extensions import db
from tests.web.ledger.helpers import gift


def test_before_any_seal_the_page_says_so(client, reader):
    # Every test starts from the migrated database, which holds no seal; a test that seals
    # for real removes its seals afterwards.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Checkpoint)) == 0
    gift(1_000)
    html = client.get("/ledger/integrity").get_data(as_text=True)
    assert "Last sealed" not in html
    assert "The ledger has not been sealed yet." in html
    assert "1 transfer not sealed yet" in html
    assert "flask --app wsgi ledger verify" in html


def test_the_latest_seal_and_the_transfers_since(client, reader, finance_officer):
    gift(1_000)
    checkpoint = seal_ledger(actor=finance_officer)
    assert checkpoint is not None
    html = client.get("/ledger/integrity").get_data(as_text=True)
    assert checkpoint.hash in html
    assert "by Felix Finance" in html
    assert f"to {checkpoint.last_sequence}" in html
    assert "Every transfer is sealed" in html
    assert "Debits equal credits: the ledger balances." in html

    gift(2_000)
    gift(3_000)
    html = client.get("/ledger/integrity").get_data(as_text=True)
    assert "2 transfers not sealed yet" in html
    chart = client.get("/ledger/").get_data(as_text=True)
    assert "2 transfers recorded since." in chart
