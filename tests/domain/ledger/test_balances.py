"""Balances at any date, and account statements with running balances, page by page."""

from __future__ import annotations

import time
from datetime import timedelta

from app.ledger.models import Transfer, TransferKind
from app.ledger.services.balances import account_balance
from app.ledger.services.statements import account_statement
from app.ledger.services.transfers import find_transfer, transfers_for_document
from app.platform.extensions import db
from tests.domain.ledger.conftest import post, spec


def _created_at(transfer_spec) -> object:
    return db.session.get(Transfer, transfer_spec.id).created_at


def test_balance_at_a_date_counts_only_transfers_made_by_then(books):
    gift = spec(books.cash, books.fund, 1_000)
    post(gift)
    time.sleep(0.002)
    pending = spec(books.fund, books.grant, 300, kind=TransferKind.PENDING)
    post(pending)
    time.sleep(0.002)
    post(spec(None, None, 200, kind=TransferKind.POST_PENDING, pending=pending.id))

    at_gift = account_balance(account=books.fund, at=_created_at(gift))
    assert (at_gift.posted, at_gift.pending, at_gift.available) == (1_000, 0, 1_000)
    at_pending = account_balance(account=books.fund, at=_created_at(pending))
    assert (at_pending.posted, at_pending.pending, at_pending.available) == (1_000, -300, 700)
    now = account_balance(account=books.fund)
    assert (now.posted, now.pending, now.available) == (800, 0, 800)
    before_anything = account_balance(account=books.fund, at=_created_at(gift) - timedelta(days=1))
    assert (before_anything.posted, before_anything.available) == (0, 0)


def test_balance_at_the_present_matches_the_account_totals(books):
    post(spec(books.cash, books.grant, 900))
    post(spec(books.grant, books.other, 100, kind=TransferKind.PENDING))
    latest = db.session.get(Transfer, post(spec(books.grant, books.other, 50))[0].id)
    assert account_balance(account=books.grant, at=latest.created_at) == account_balance(
        account=books.grant
    )


def _history(books):
    post(spec(books.cash, books.fund, 1_000))
    post(spec(books.fund, books.grant, 100))
    pending = spec(books.fund, books.grant, 250, kind=TransferKind.PENDING)
    post(pending)
    post(spec(books.cash, books.fund, 40))
    post(spec(None, None, 200, kind=TransferKind.POST_PENDING, pending=pending.id))
    post(spec(books.other, books.fund, 5))
    post(spec(books.fund, books.cash, 15))


def test_statement_pages_carry_a_running_balance(books):
    _history(books)
    seen = []
    cursor = None
    openings = []
    while True:
        page = account_statement(account=books.fund, cursor=cursor, limit=3)
        openings.append(page.opening.posted)
        seen.extend(page.lines)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert [len(seen), len(openings)] == [7, 3]
    assert [line.amount for line in seen] == [1_000, -100, -250, 40, -200, 5, -15]
    assert [line.balance.posted for line in seen] == [1_000, 900, 900, 940, 740, 745, 730]
    assert [line.balance.available for line in seen] == [1_000, 900, 650, 690, 740, 745, 730]
    # Each page opens where the one before closed.
    assert openings == [0, 900, 745]
    assert seen[-1].balance == account_balance(account=books.fund)
    assert seen[1].counterparty == books.grant and not seen[0].is_debit
    sequences = [line.transfer.sequence for line in seen]
    assert sequences == sorted(sequences)


def test_statement_newest_first(books):
    _history(books)
    page = account_statement(account=books.fund, limit=4, newest_first=True)
    assert [line.balance.posted for line in page.lines] == [730, 745, 740, 940]
    rest = account_statement(
        account=books.fund, limit=4, newest_first=True, cursor=page.next_cursor
    )
    assert [line.balance.posted for line in rest.lines] == [900, 900, 1_000]
    assert rest.next_cursor is None


def test_statement_for_a_period(books):
    post(spec(books.cash, books.fund, 10))
    time.sleep(0.002)
    middle = spec(books.cash, books.fund, 20)
    post(middle)
    time.sleep(0.002)
    post(spec(books.cash, books.fund, 30))
    at = _created_at(middle)
    page = account_statement(account=books.fund, since=at, until=at + timedelta(microseconds=1))
    assert [line.amount for line in page.lines] == [20]
    assert page.opening.posted == 10
    assert page.lines[0].balance.posted == 30


def test_empty_statement(books):
    page = account_statement(account=books.other)
    assert (page.lines, page.next_cursor) == ([], None)


def test_transfers_are_found_by_id_and_by_document(books):
    gift = spec(books.cash, books.fund, 10, document_type="gift", document_id="31")
    fee = spec(books.fund, books.cash, 1, document_type="gift", document_id="31")
    post(gift, fee)
    assert find_transfer(gift.id).credit_account == books.fund
    assert [t.id for t in transfers_for_document(document_type="gift", document_id=31)] == [
        gift.id,
        fee.id,
    ]
