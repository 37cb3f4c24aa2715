"""Seal heads kept outside the database: `flask ledger verify --against` catches a ledger that was
changed, had its checkpoints deleted and was sealed again, which plain verification accepts."""

from __future__ import annotations

import json

import sqlalchemy as sa

from app.accounts.models import Role
from app.ledger.heads import published_heads
from app.ledger.verify import verify_ledger
from app.outbox.models import OutboxMessage
from app.platform.extensions import db
from app.platform.hashchain import heads_in
from tests.domain.ledger.conftest import Books, post, spec
from tests.factories import user_with

ID = sa.bindparam("id", type_=sa.Uuid)


def _bypass_append_only_triggers(dialect: str) -> None:
    """What an attacker with database rights could do; undone when the test rolls back."""
    for table in ("ledger_transfers", "ledger_checkpoints"):
        if dialect == "postgresql":
            db.session.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"))
        else:
            db.session.execute(sa.text(f"DROP TRIGGER {table}_no_update"))
            db.session.execute(sa.text(f"DROP TRIGGER {table}_no_delete"))


def _rewrite_history(dialect: str, books: Books, transfer_id, *, extra: int) -> None:
    """Raise a sealed transfer's amount, both accounts' totals and the day's movement between
    them, then delete every seal."""
    _bypass_append_only_triggers(dialect)
    db.session.execute(
        sa.text("UPDATE ledger_transfers SET amount = amount + :extra WHERE id = :id").bindparams(
            ID
        ),
        {"id": transfer_id, "extra": extra},
    )
    for column, account in (("debits_posted", books.cash), ("credits_posted", books.fund)):
        db.session.execute(
            sa.text(f"UPDATE ledger_accounts SET {column} = {column} + :extra WHERE id = :id"),
            {"id": account.id, "extra": extra},
        )
    db.session.execute(
        sa.text(
            "UPDATE ledger_daily_movements SET amount = amount + :extra"
            " WHERE debit_account_id = :debit AND credit_account_id = :credit"
        ),
        {"debit": books.cash.id, "credit": books.fund.id, "extra": extra},
    )
    db.session.execute(sa.text("DELETE FROM ledger_checkpoints"))
    db.session.expire_all()


def test_resealing_a_changed_ledger_fools_plain_verify_but_not_the_published_head(
    books, runner, dialect
):
    paid = spec(books.cash, books.fund, 100, memo="for the shelter")
    post(paid, spec(books.cash, books.fund, 5))
    assert runner.invoke(args=["ledger", "seal"]).exit_code == 0
    published = published_heads()[0].hash
    post(spec(books.cash, books.fund, 7))
    assert runner.invoke(args=["ledger", "seal"]).exit_code == 0
    later = published_heads()[0].hash
    result = runner.invoke(args=["ledger", "verify", "--against", published, "--against", later])
    assert result.exit_code == 0, result.output
    assert "The transfers lead to all 2 published head(s) given." in result.output

    _rewrite_history(dialect, books, paid.id, extra=900)
    assert runner.invoke(args=["ledger", "seal"]).exit_code == 0
    assert published_heads()[0].hash not in (published, later)

    plain = runner.invoke(args=["ledger", "verify"])
    assert plain.exit_code == 0, plain.output
    assert "Ledger consistent" in plain.output

    result = runner.invoke(args=["ledger", "verify", "--against", published])
    assert result.exit_code == 1
    assert f"Ledger verification FAILED: published head {published} is not on the chain" in (
        result.output
    )
    assert "changed, removed or added since it was published" in result.output
    report = verify_ledger(against=[published, later])
    assert report.heads_reached == 0 and len(report.problems) == 2


def test_heads_are_read_from_a_saved_api_answer_or_an_e_mail(books, runner, tmp_path):
    post(spec(books.cash, books.fund, 100))
    assert runner.invoke(args=["ledger", "seal"]).exit_code == 0
    head = published_heads()[0].hash
    saved = tmp_path / "transparency.json"
    saved.write_text(json.dumps({"ledger_seals": [{"hash": head, "last_sequence": 1}]}))
    result = runner.invoke(args=["ledger", "verify", "--against", str(saved)])
    assert result.exit_code == 0, result.output
    assert "all 1 published head(s)" in result.output
    assert heads_in(f"head:\n\n{head.upper()}\n{'0' * 64} {head}") == [head]


def test_a_value_that_holds_no_head_is_refused(runner):
    result = runner.invoke(args=["ledger", "verify", "--against", "not-a-hash"])
    assert result.exit_code == 2
    assert "neither a 64-character seal head nor a file holding one" in result.output


def test_each_auditor_is_e_mailed_the_head_once(books, runner):
    auditor = user_with(Role.AUDITOR, locale="fr")
    user_with(Role.FINANCE)
    post(spec(books.cash, books.fund, 100))
    result = runner.invoke(args=["ledger", "seal"])
    assert result.exit_code == 0, result.output
    head = published_heads()[0].hash
    messages = (
        db.session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.idempotency_key.like("ledger-seal:%"))
        )
        .scalars()
        .all()
    )
    assert [message.recipient for message in messages] == [auditor.email]
    assert f"flask ledger verify --against {head}" in messages[0].body
    assert "(e-mailed to 1 auditor(s))" in result.output
