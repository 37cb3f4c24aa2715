"""Posting transfers: every kind, every refusal, idempotent retries and all-or-nothing batches."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.ledger.models import Transfer, TransferCode, TransferKind
from app.ledger.services.balances import account_balance
from app.ledger.services.posting import (
    LedgerRefused,
    post_transfers,
    require_accepted,
    transfer_id,
)
from app.platform.extensions import db
from tests.domain.ledger.conftest import post, spec, statuses
from tests.factories import user_with

PENDING = TransferKind.PENDING
POST = TransferKind.POST_PENDING
VOID = TransferKind.VOID_PENDING


def totals(account):
    db.session.refresh(account)
    return (
        account.debits_pending,
        account.debits_posted,
        account.credits_pending,
        account.credits_posted,
    )


def count_transfers() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Transfer)).scalar_one()


def test_single_transfer_moves_posted_totals_on_both_sides(books):
    results = post(spec(books.cash, books.fund, 1_000, code=TransferCode.GIFT))
    assert statuses(results) == ["ok"]
    assert results[0].sequence is not None
    assert totals(books.cash) == (0, 1_000, 0, 0)
    assert totals(books.fund) == (0, 0, 0, 1_000)
    assert account_balance(account=books.fund).posted == 1_000
    assert account_balance(account=books.cash).posted == 1_000  # an asset: debit-normal


def test_stored_transfer_keeps_every_field(books):
    actor = user_with()
    tid = transfer_id("gift", 7)
    batch = uuid.uuid4()
    post_transfers(
        [
            spec(
                books.cash,
                books.fund,
                250,
                id=tid,
                code=TransferCode.GIFT,
                document_type="gift",
                document_id="7",
                memo="Thank you",
            )
        ],
        actor=actor,
        batch_id=batch,
    )
    transfer = db.session.get(Transfer, tid)
    assert (transfer.amount, transfer.code, transfer.kind) == (250, "GIFT", "single")
    assert (transfer.document_type, transfer.document_id, transfer.memo) == (
        "gift",
        "7",
        "Thank you",
    )
    assert (transfer.batch_id, transfer.actor_id) == (batch, actor.id)
    assert transfer.created_at.tzinfo is not None
    assert transfer.debit_account == books.cash and transfer.credit_account == books.fund


def test_transfer_ids_are_derived_from_the_business_document():
    assert transfer_id("grant", 14, "commitment") == transfer_id("grant", "14", "commitment")
    assert transfer_id("grant", 14, "commitment") != transfer_id("grant", 15, "commitment")


def test_sequence_numbers_increase(books):
    first = post(spec(books.cash, books.fund, 1))[0].sequence
    second, third = (
        r.sequence for r in post(spec(books.cash, books.fund, 1), spec(books.cash, books.fund, 1))
    )
    assert first < second < third


def test_retry_with_the_same_id_is_answered_without_moving_money_again(books):
    transfer = spec(books.cash, books.fund, 500)
    assert statuses(post(transfer)) == ["ok"]
    assert statuses(post(transfer)) == ["exists"]
    assert totals(books.fund) == (0, 0, 0, 500)
    assert require_accepted(post(transfer))[0].accepted


def test_same_id_with_different_fields_is_refused(books):
    transfer = spec(books.cash, books.fund, 500)
    post(transfer)
    changed = spec(books.cash, books.fund, 501, id=transfer.id)
    assert statuses(post(changed)) == ["exists_with_different_fields"]
    other_accounts = spec(books.other, books.fund, 500, id=transfer.id)
    assert statuses(post(other_accounts)) == ["exists_with_different_fields"]
    assert totals(books.fund) == (0, 0, 0, 500)


def test_a_memo_is_not_part_of_a_transfers_identity(books):
    transfer = spec(books.cash, books.fund, 500, memo="first")
    post(transfer)
    assert statuses(post(spec(books.cash, books.fund, 500, id=transfer.id, memo="retry"))) == [
        "exists"
    ]


def test_fund_cannot_commit_money_it_has_not_received(books):
    post(spec(books.cash, books.fund, 1_000))
    assert statuses(post(spec(books.fund, books.grant, 1_001))) == ["exceeds_credits"]
    assert statuses(post(spec(books.fund, books.grant, 1_000))) == ["ok"]
    assert account_balance(account=books.fund).available == 0


def test_pending_outflows_count_against_the_limit(books):
    post(spec(books.cash, books.fund, 1_000))
    assert statuses(post(spec(books.fund, books.grant, 600, kind=PENDING))) == ["ok"]
    assert statuses(post(spec(books.fund, books.grant, 500))) == ["exceeds_credits"]
    balance = account_balance(account=books.fund)
    assert (balance.posted, balance.pending, balance.available) == (1_000, -600, 400)


def test_credits_must_not_exceed_debits(books):
    post(spec(books.receivable, books.other, 300, code=TransferCode.PLEDGE))
    assert statuses(post(spec(books.cash, books.receivable, 301))) == ["exceeds_debits"]
    assert statuses(post(spec(books.cash, books.receivable, 300))) == ["ok"]


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda b: spec(b.cash, b.cash, 1), "accounts_must_differ"),
        (lambda b: spec(b.cash, b.fund, 0), "amount_must_be_positive"),
        (lambda b: spec(b.cash, b.fund, -5), "amount_must_be_positive"),
        (lambda b: spec(b.cash, b.fund, None), "amount_must_be_positive"),
        (lambda b: spec(b.cash, None, 5), "accounts_required"),
        (lambda b: spec(b.cash, b.fund, 5, pending=uuid.uuid4()), "pending_id_not_allowed"),
        (lambda b: spec(None, None, 5, kind=POST), "pending_id_required"),
        (lambda b: spec(None, None, 5, kind=POST, pending=uuid.uuid4()), "pending_not_found"),
        (lambda b: spec(None, None, None, kind=VOID, pending=uuid.uuid4()), "pending_not_found"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_malformed_transfers_are_refused(books, make, status):
    assert statuses(post(make(books))) == [status]
    assert count_transfers() == 0 or totals(books.fund) == (0, 0, 0, 0)


def test_unknown_account_is_refused(books):
    ghost = spec(books.cash, books.fund, 5)
    ghost = type(ghost)(
        id=ghost.id,
        code=ghost.code,
        amount=5,
        debit_account_id=books.cash.id,
        credit_account_id=987654,
    )
    assert statuses(post(ghost)) == ["account_not_found"]
    assert totals(books.cash) == (0, 0, 0, 0)


def test_pending_transfer_reserves_then_posts(books):
    post(spec(books.cash, books.grant, 1_000))
    pending = spec(books.grant, books.other, 400, kind=PENDING)
    assert statuses(post(pending)) == ["ok"]
    assert totals(books.grant) == (400, 0, 0, 1_000)
    assert totals(books.other) == (0, 0, 400, 0)
    assert statuses(post(spec(None, None, None, kind=POST, pending=pending.id))) == ["ok"]
    assert totals(books.grant) == (0, 400, 0, 1_000)
    assert totals(books.other) == (0, 0, 0, 400)


def test_partial_post_releases_the_remainder(books):
    post(spec(books.cash, books.grant, 1_000))
    pending = spec(books.grant, books.other, 400, kind=PENDING)
    post(pending)
    assert statuses(post(spec(None, None, 150, kind=POST, pending=pending.id))) == ["ok"]
    assert totals(books.grant) == (0, 150, 0, 1_000)
    assert account_balance(account=books.grant).available == 850


def test_void_releases_the_whole_pending_amount(books):
    post(spec(books.cash, books.grant, 1_000))
    pending = spec(books.grant, books.other, 400, kind=PENDING)
    post(pending)
    assert statuses(post(spec(None, None, None, kind=VOID, pending=pending.id))) == ["ok"]
    assert totals(books.grant) == (0, 0, 0, 1_000)
    assert totals(books.other) == (0, 0, 0, 0)


def test_a_pending_transfer_resolves_only_once(books):
    post(spec(books.cash, books.grant, 1_000))
    pending = spec(books.grant, books.other, 400, kind=PENDING)
    post(pending)
    post(spec(None, None, None, kind=POST, pending=pending.id))
    again = post(spec(None, None, None, kind=VOID, pending=pending.id))
    assert statuses(again) == ["pending_already_resolved"]
    assert statuses(post(spec(None, None, 10, kind=POST, pending=pending.id))) == [
        "pending_already_resolved"
    ]


@pytest.mark.parametrize("kind", [POST, VOID])
def test_retrying_a_resolution_is_answered_as_existing(books, kind):
    post(spec(books.cash, books.grant, 1_000))
    pending = spec(books.grant, books.other, 400, kind=PENDING)
    post(pending)
    resolution = spec(None, None, None, kind=kind, pending=pending.id)
    assert statuses(post(resolution)) == ["ok"]
    assert statuses(post(resolution)) == ["exists"]
    other = spec(None, None, None, kind=kind, pending=pending.id)
    assert statuses(post(other)) == ["pending_already_resolved"]
    assert totals(books.other)[0:3] == (0, 0, 0)


def test_posting_more_than_pending_is_refused(books):
    post(spec(books.cash, books.grant, 1_000))
    pending = spec(books.grant, books.other, 400, kind=PENDING)
    post(pending)
    assert statuses(post(spec(None, None, 401, kind=POST, pending=pending.id))) == [
        "amount_exceeds_pending"
    ]
    assert statuses(post(spec(None, None, 399, kind=VOID, pending=pending.id))) == [
        "void_amount_differs"
    ]


def test_resolution_must_name_the_pending_transfers_accounts(books):
    post(spec(books.cash, books.grant, 1_000))
    pending = spec(books.grant, books.other, 400, kind=PENDING)
    post(pending)
    wrong = spec(books.grant, books.cash, None, kind=POST, pending=pending.id)
    assert statuses(post(wrong)) == ["pending_accounts_differ"]
    right = spec(books.grant, books.other, None, kind=POST, pending=pending.id)
    assert statuses(post(right)) == ["ok"]


def test_only_pending_transfers_can_be_posted(books):
    single = spec(books.cash, books.fund, 100)
    post(single)
    assert statuses(post(spec(None, None, None, kind=POST, pending=single.id))) == [
        "pending_transfer_not_pending"
    ]


def test_pending_and_its_resolution_in_one_batch(books):
    pending = spec(books.cash, books.other, 70, kind=PENDING)
    results = post(pending, spec(None, None, 50, kind=POST, pending=pending.id))
    assert statuses(results) == ["ok", "ok"]
    assert totals(books.cash) == (0, 50, 0, 0)


def test_a_refusal_refuses_the_whole_batch_and_writes_nothing(books):
    post(spec(books.cash, books.fund, 100))
    before = count_transfers()
    results = post(
        spec(books.cash, books.fund, 50),
        spec(books.fund, books.grant, 1_000),  # more than the fund holds
        spec(books.cash, books.other, 10),
    )
    assert statuses(results) == ["batch_failed", "exceeds_credits", "batch_failed"]
    assert count_transfers() == before
    assert totals(books.fund) == (0, 0, 0, 100)
    with pytest.raises(LedgerRefused, match="exceeds_credits"):
        require_accepted(results)


def test_limits_are_checked_in_batch_order(books):
    # Money received later in the same batch cannot back a commitment made before it.
    results = post(spec(books.fund, books.grant, 100), spec(books.cash, books.fund, 100))
    assert statuses(results) == ["exceeds_credits", "batch_failed"]
    results = post(spec(books.cash, books.fund, 100), spec(books.fund, books.grant, 100))
    assert statuses(results) == ["ok", "ok"]


def test_pledge_payment_batch_moves_both_pairs_together(books):
    pledged = books.other
    post(spec(books.receivable, pledged, 1_000, code=TransferCode.PLEDGE))
    results = post(
        spec(books.cash, books.receivable, 600, code=TransferCode.PLEDGE_PAYMENT),
        spec(pledged, books.fund, 600, code=TransferCode.PLEDGE_PAYMENT),
    )
    assert statuses(results) == ["ok", "ok"]
    assert account_balance(account=books.receivable).posted == 400
    assert account_balance(account=books.fund).posted == 600


def test_duplicate_id_within_a_batch_is_refused(books):
    transfer = spec(books.cash, books.fund, 5)
    assert statuses(post(transfer, transfer)) == ["batch_failed", "duplicate_id_in_batch"]


def test_retried_batch_mixing_old_and_new_transfers_posts_only_the_new(books):
    first = spec(books.cash, books.fund, 5)
    post(first)
    second = spec(books.cash, books.fund, 7)
    assert statuses(post(first, second)) == ["exists", "ok"]
    assert totals(books.fund) == (0, 0, 0, 12)


def test_each_posted_batch_is_audited_once(books):
    actor = user_with()
    batch = uuid.uuid4()
    post_transfers(
        [spec(books.cash, books.fund, 5), spec(books.cash, books.fund, 6)],
        actor=actor,
        batch_id=batch,
    )
    db.session.flush()
    events = (
        db.session.execute(
            sa.select(AuditEvent).where(
                AuditEvent.action == "ledger.transfers_posted", AuditEvent.subject_id == str(batch)
            )
        )
        .scalars()
        .all()
    )
    assert len(events) == 1
    assert events[0].actor_id == actor.id
    assert "2 transfer(s) posted" in events[0].summary


def test_refused_batch_is_not_audited(books):
    batch = uuid.uuid4()
    post_transfers([spec(books.fund, books.grant, 5)], actor=None, batch_id=batch)
    db.session.flush()
    assert (
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.subject_id == str(batch))).first()
        is None
    )


def test_empty_batch_does_nothing():
    assert post_transfers([], actor=None) == []
