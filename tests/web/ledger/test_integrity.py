"""The seal summary: when the ledger was last sealed and what has been posted since."""

from __future__ import annotations

from app.domain.ledger.verify import seal_ledger
from tests.web.ledger.helpers import gift


def test_before_any_seal_the_page_says_so(client, reader):
    gift(1_000)
    html = client.get("/ledger/integrity").get_data(as_text=True)
    if "Last sealed" not in html:  # no earlier test data sealed in this database
        assert "The ledger has not been sealed yet." in html
    assert "not sealed yet" in html
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
