"""The audit log's seal heads are published beside the ledger's: on the public transparency page
and in its JSON API (audit_log_seals, newest first); the saved API answer serves both
`flask ledger verify --against` and `flask audit verify --against`, each reading its own heads."""

from __future__ import annotations

from app.audit.chain import seal_audit_log
from app.audit.services import record_event
from app.ledger.verify import seal_ledger
from app.platform.extensions import db
from tests.web.ledger.helpers import gift


def _sealed_events(summary: str):
    record_event(actor=None, action="test.happened", summary=summary)
    db.session.flush()
    checkpoint = seal_audit_log(actor=None)
    assert checkpoint is not None
    return checkpoint


def test_before_any_seal_the_page_says_so_and_the_api_lists_none(client):
    page = client.get("/transparency").get_data(as_text=True)
    assert "Seals of the audit log" in page
    assert "The audit log has not been sealed yet." in page
    assert client.get("/api/v1/transparency").get_json()["audit_log_seals"] == []


def test_the_heads_are_on_the_page_and_in_the_api_newest_first(client):
    first = _sealed_events("one")
    second = _sealed_events("two")

    page = client.get("/transparency").get_data(as_text=True)
    section = page[page.index("Seals of the audit log") :]
    assert section.index(second.hash) < section.index(first.hash)

    seals = client.get("/api/v1/transparency").get_json()["audit_log_seals"]
    assert [seal["hash"] for seal in seals] == [second.hash, first.hash]
    assert seals[0] == {
        "hash": second.hash,
        "first_event_id": second.first_event_id,
        "last_event_id": second.last_event_id,
        "event_count": second.event_count,
        "sealed_at": second.sealed_at.isoformat(),
    }


def test_the_saved_api_answer_verifies_both_chains(client, runner, tmp_path):
    gift(1_000)
    assert seal_ledger(actor=None) is not None
    _sealed_events("after the ledger's seal")
    saved = tmp_path / "transparency.json"
    saved.write_bytes(client.get("/api/v1/transparency").get_data())

    for chain in ("ledger", "audit"):
        result = runner.invoke(args=[chain, "verify", "--against", str(saved)])
        assert result.exit_code == 0, (chain, result.output)
        assert "all 1 published head(s) given" in result.output
