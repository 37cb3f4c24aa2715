"""The audit log's hash chain: `flask audit seal` and `flask audit verify` catch an event changed,
deleted or slipped in behind the append-only trigger's back, and `--against` a published head
catches seals deleted and made again, which plain verification accepts."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.chain import canonical, seal_audit_log, verify_audit_log
from app.audit.heads import published_audit_heads
from app.audit.models import AuditCheckpoint, AuditEvent
from app.audit.services import record_event
from app.outbox.models import OutboxMessage
from app.platform.extensions import db
from app.platform.hashchain import heads_in
from tests.factories import user_with


def _events(*summaries: str, changes: dict | None = None) -> list[AuditEvent]:
    actor = user_with(Role.FINANCE)
    events = [
        record_event(actor=actor, action="test.happened", summary=summary, changes=changes)
        for summary in summaries
    ]
    db.session.flush()
    return events


def _bypass_append_only_triggers(dialect: str) -> None:
    """What someone with the database's superuser rights could do; undone when the test rolls
    back."""
    for table in ("audit_events", "audit_checkpoints"):
        if dialect == "postgresql":
            db.session.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"))
        else:
            db.session.execute(sa.text(f"DROP TRIGGER {table}_no_update"))
            db.session.execute(sa.text(f"DROP TRIGGER {table}_no_delete"))


def _seal(runner) -> str:
    result = runner.invoke(args=["audit", "seal"])
    assert result.exit_code == 0, result.output
    assert "Sealed" in result.output
    return published_audit_heads()[0].hash


def test_seal_then_verify(runner):
    _events("one", "two")
    result = runner.invoke(args=["audit", "seal"])
    assert result.exit_code == 0, result.output
    first = published_audit_heads()[0]
    assert f"numbers {first.first_event_id}-{first.last_event_id}: {first.hash}" in result.output
    assert runner.invoke(args=["audit", "seal"]).output == (
        "Nothing to seal: no audit event since the last seal.\n"
    )
    [three] = _events("three")
    _seal(runner)
    checkpoints = (
        db.session.execute(sa.select(AuditCheckpoint).order_by(AuditCheckpoint.id)).scalars().all()
    )
    assert checkpoints[-1].previous_hash == checkpoints[-2].hash
    assert (checkpoints[-1].first_event_id, checkpoints[-1].last_event_id) == (three.id, three.id)
    assert checkpoints[-1].event_count == 1

    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"Audit log intact: {len(checkpoints)} seal(s) covering " in result.output
    assert "0 event(s) written since the last seal." in result.output
    _events("four")
    assert verify_audit_log().unsealed_events == 1


def test_every_field_of_an_event_is_in_what_is_hashed():
    [event] = _events("paid", changes={"amount": 100, "currency": "USD"})
    row = db.session.execute(sa.select(AuditEvent.__table__).where(AuditEvent.id == event.id)).one()
    text = canonical(row)
    for value in (str(event.id), '"test.happened"', '"paid"', '"amount":100', event.actor_label):
        assert value in text
    # A separator inside a field cannot make two different events hash alike.
    fields = row._asdict()
    split = SimpleNamespace(**{**fields, "subject_id": "a\x1fb", "summary": "c"})
    joined = SimpleNamespace(**{**fields, "subject_id": "a", "summary": "b\x1fc"})
    assert canonical(split) != canonical(joined)


@pytest.mark.parametrize(
    "assignment",
    [
        "summary = 'approved by the Board'",
        "actor_id = actor_id + 1",
        "actor_label = 'someone.else@example.org'",
        "action = 'test.other'",
        "changes = NULL",
        "ip = '198.51.100.7'",
    ],
    ids=["summary", "actor_id", "actor_label", "action", "changes", "ip"],
)
def test_verify_catches_a_sealed_event_changed(runner, dialect, assignment):
    [_, changed, _] = _events("one", "two", "three", changes={"amount": 100})
    _seal(runner)
    _bypass_append_only_triggers(dialect)
    db.session.execute(
        sa.text(f"UPDATE audit_events SET {assignment} WHERE id = :id"), {"id": changed.id}
    )

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert "Audit log verification FAILED: seal " in result.output
    assert "hash differs" in result.output and "(a sealed event was changed)" in result.output


def test_verify_catches_a_sealed_event_deleted(runner, dialect):
    [_, deleted, _] = _events("one", "two", "three")
    _seal(runner)
    count = published_audit_heads()[0].event_count
    _bypass_append_only_triggers(dialect)
    db.session.execute(sa.text("DELETE FROM audit_events WHERE id = :id"), {"id": deleted.id})

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert f"sealed {count} event(s), {count - 1} found now" in result.output
    assert "(an event was deleted or inserted)" in result.output


def test_verify_catches_an_event_slipped_into_a_sealed_range(runner):
    """Ids have gaps where a transaction rolled back: an event forged into one is caught."""
    [before] = _events("before the gap")
    db.session.add(
        AuditEvent(
            id=before.id + 2, actor_label="system", action="test.after", summary="after the gap"
        )
    )
    db.session.flush()
    _seal(runner)
    count = published_audit_heads()[0].event_count
    db.session.execute(
        sa.insert(AuditEvent).values(
            id=before.id + 1, actor_label="system", action="user.role_granted", summary="forged"
        )
    )

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert f"sealed {count} event(s), {count + 1} found now" in result.output


def test_resealing_a_changed_log_fools_plain_verify_but_not_the_published_head(runner, dialect):
    [granted, _] = _events("role granted", "amount approved", changes={"amount": 100})
    published = _seal(runner)
    _events("later")
    later = _seal(runner)
    result = runner.invoke(args=["audit", "verify", "--against", published, "--against", later])
    assert result.exit_code == 0, result.output
    assert "The audit events lead to all 2 published head(s) given." in result.output

    # Someone with superuser rights rewrites an old event and every seal, then seals again.
    _bypass_append_only_triggers(dialect)
    db.session.execute(
        sa.text("UPDATE audit_events SET summary = 'nothing happened' WHERE id = :id"),
        {"id": granted.id},
    )
    db.session.execute(sa.text("DELETE FROM audit_checkpoints"))
    db.session.expire_all()
    resealed = _seal(runner)
    assert resealed not in (published, later)

    plain = runner.invoke(args=["audit", "verify"])
    assert plain.exit_code == 0, plain.output
    assert "Audit log intact: 1 seal(s)" in plain.output

    result = runner.invoke(args=["audit", "verify", "--against", published])
    assert result.exit_code == 1
    assert (
        f"Audit log verification FAILED: published head {published} is not on the chain"
        in result.output
    )
    assert "an event it covered was changed, removed or added since it was published" in (
        result.output
    )
    report = verify_audit_log(against=[published, later])
    assert report.heads_reached == 0 and len(report.problems) == 2


def test_deleting_the_seals_and_sealing_again_without_a_change_still_reaches_the_heads(
    runner, dialect
):
    _events("one", "two")
    published = _seal(runner)
    _bypass_append_only_triggers(dialect)
    db.session.execute(sa.text("DELETE FROM audit_checkpoints"))
    _seal(runner)
    result = runner.invoke(args=["audit", "verify", "--against", published])
    assert result.exit_code == 0, result.output


def test_a_saved_api_answer_gives_the_audit_heads_only(runner, tmp_path):
    _events("one")
    head = _seal(runner)
    other = "ab" * 32  # another chain's head in the same answer
    saved = tmp_path / "transparency.json"
    saved.write_text(
        json.dumps({"ledger_seals": [{"hash": other}], "audit_log_seals": [{"hash": head}]})
    )
    result = runner.invoke(args=["audit", "verify", "--against", str(saved)])
    assert result.exit_code == 0, result.output
    assert "all 1 published head(s)" in result.output
    assert heads_in(saved.read_text()) == [other, head]
    assert heads_in(saved.read_text(), section="audit_log_seals") == [head]
    assert heads_in("not json {", section="audit_log_seals") == []


def test_a_value_that_holds_no_head_is_refused(runner):
    result = runner.invoke(args=["audit", "verify", "--against", "not-a-hash"])
    assert result.exit_code == 2
    assert "neither a 64-character seal head nor a file holding one" in result.output


def test_each_auditor_is_e_mailed_the_head_once(runner):
    auditor = user_with(Role.AUDITOR, locale="fr")
    _events("one")
    result = runner.invoke(args=["audit", "seal"])
    assert result.exit_code == 0, result.output
    assert "(e-mailed to 1 auditor(s))" in result.output
    head = published_audit_heads()[0].hash
    messages = (
        db.session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.idempotency_key.like("audit-seal:%"))
        )
        .scalars()
        .all()
    )
    assert [message.recipient for message in messages] == [auditor.email]
    assert f"flask audit verify --against {head}" in messages[0].body


def test_the_seal_is_its_own_record_and_leaves_nothing_to_seal():
    """An audit event about sealing would be one more event to seal each time."""
    _events("one")
    actor = user_with(Role.ADMIN)
    checkpoint = seal_audit_log(actor=actor)
    assert checkpoint is not None and checkpoint.sealed_by_id == actor.id
    assert seal_audit_log(actor=None) is None
