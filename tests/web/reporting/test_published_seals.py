"""Every seal's head is published for people outside the database: on the public transparency
page and in its JSON API, newest first, the older fields unchanged."""

from __future__ import annotations

from app.ledger.verify import seal_ledger
from tests.web.ledger.helpers import gift


def test_before_any_seal_the_page_says_so_and_the_api_lists_none(client):
    assert "The ledger has not been sealed yet." in client.get("/transparency").get_data(
        as_text=True
    )
    data = client.get("/api/v1/transparency").get_json()
    assert data["ledger_seals"] == []
    assert "totals" in data and "donors" in data


def test_the_heads_are_on_the_page_and_in_the_api_newest_first(client):
    gift(1_000)
    first = seal_ledger(actor=None)
    gift(2_000)
    second = seal_ledger(actor=None)
    assert first is not None and second is not None

    page = client.get("/transparency").get_data(as_text=True)
    assert "Seals of the ledger" in page
    assert page.index(second.hash) < page.index(first.hash)

    seals = client.get("/api/v1/transparency").get_json()["ledger_seals"]
    assert [seal["hash"] for seal in seals] == [second.hash, first.hash]
    assert seals[0] == {
        "hash": second.hash,
        "first_sequence": second.first_sequence,
        "last_sequence": second.last_sequence,
        "transfer_count": second.transfer_count,
        "sealed_at": second.sealed_at.isoformat(),
    }
