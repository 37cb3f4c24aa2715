"""Bank statements (camt.053): a statement of a payment file records exactly its tranches paid
with the bank's reference; replaying it changes nothing; a malformed file is refused whole;
money in is proposed against pledges for finance to confirm, or flagged."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.bankfiles import services as bankfiles
from app.bankfiles.models import BankStatement, BatchStatus, EntryOutcome, StatementEntry
from app.donations.models import BankReceipt, PledgeStatus
from app.donations.services import confirm_pledge, make_pledge
from app.grants import services as grants
from app.grants.models import Tranche, TrancheStatus
from app.ledger import chart
from app.ledger.models import Transfer
from app.platform.errors import PermissionDenied, ValidationFailed
from app.platform.extensions import db
from tests.bankfiles_support import Line, approved_tranches, camt053, lines_for
from tests.donations_support import institutional_donor
from tests.grants_support import USD, balance, finance, manager


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (BankStatement, StatementEntry, Transfer, AuditEvent, BankReceipt)
    )


@pytest.fixture
def batch_and_spare():
    tranches = approved_tranches(3)
    batch = bankfiles.create_batch(
        actor=finance(), currency="USD", tranche_ids=[t.id for t in tranches[:2]]
    )
    db.session.commit()
    return batch, tranches


def test_the_statement_of_a_batch_marks_exactly_its_tranches_paid(batch_and_spare):
    batch, tranches = batch_and_spare
    # A tranche sent by hand (outside any file) is left alone by the statement too.
    officer = finance()
    grants.send_disbursement(actor=officer, tranche=tranches[2])
    bank_before = balance(chart.CASH_BANK).posted
    result = bankfiles.import_statement(
        actor=officer, content=camt053(lines_for(batch)), filename="stmt.xml"
    )
    assert result.paid == 2 and result.unmatched == 0
    assert [t.status for t in tranches] == [
        TrancheStatus.PAID,
        TrancheStatus.PAID,
        TrancheStatus.SENT,
    ]
    assert [t.bank_reference for t in tranches[:2]] == [f"BK{item.id:06d}" for item in batch.items]
    assert balance(chart.CASH_BANK).posted == bank_before - 12_000 * USD
    assert batch.status == BatchStatus.DONE
    assert db.session.query(AuditEvent).filter_by(action="bank_statement.imported").count() == 1


def test_replaying_the_statement_changes_nothing(batch_and_spare):
    batch, tranches = batch_and_spare
    content = camt053(lines_for(batch))
    officer = finance()
    bankfiles.import_statement(actor=officer, content=content, filename="stmt.xml")
    db.session.commit()
    before = _counts()
    statuses = [t.status for t in tranches]
    again = bankfiles.import_statement(actor=officer, content=content, filename="stmt.xml")
    assert not again.changed and again.already_imported == 1
    assert _counts() == before
    # The same transactions in a later, overlapping statement are skipped as well.
    later = bankfiles.import_statement(
        actor=officer,
        content=camt053(lines_for(batch), statement_id="STMT-NEXT"),
        filename="next.xml",
    )
    assert later.skipped == 2 and later.paid == 0
    assert [t.status for t in tranches] == statuses
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transfer)) == before[2]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"   \n",
        b"<Document",
        b"not xml at all",
        b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"/>',
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><Document '
        b'xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt/></Document>',
    ],
    ids=["empty", "blank", "cut", "text", "pain", "dtd"],
)
def test_a_malformed_file_is_refused_whole(batch_and_spare, content):
    before = _counts()
    with pytest.raises(ValidationFailed):
        bankfiles.import_statement(actor=finance(), content=content, filename="bad.xml")
    db.session.rollback()
    assert _counts() == before


def test_a_truncated_statement_or_one_bad_entry_refuses_the_whole_file(batch_and_spare):
    batch, tranches = batch_and_spare
    good = camt053(lines_for(batch))
    cut = good[: len(good) // 2]
    lines = lines_for(batch)
    bad_amount = camt053(lines).replace(
        b'<Amt Ccy="USD">6000.00</Amt>', b'<Amt Ccy="USD">6k</Amt>', 1
    )
    no_date = (
        camt053(lines).replace(b"<BookgDt>", b"<Bookg>", 1).replace(b"</BookgDt>", b"</Bookg>", 1)
    )
    before = _counts()
    for content in (cut, bad_amount, no_date):
        with pytest.raises(ValidationFailed):
            bankfiles.import_statement(actor=finance(), content=content, filename="bad.xml")
        db.session.rollback()
    assert _counts() == before
    assert all(db.session.get(Tranche, t.id).status != TrancheStatus.PAID for t in tranches)


def test_a_line_that_does_not_match_the_file_is_flagged_not_paid(batch_and_spare):
    batch, tranches = batch_and_spare
    lines = lines_for(batch)
    lines[0].amount -= 1  # the bank paid a cent less
    lines.append(Line(amount=50 * USD, reference="FEE-1"))  # bank charges: no EndToEndId
    result = bankfiles.import_statement(actor=finance(), content=camt053(lines), filename="s.xml")
    assert result.paid == 1 and result.unmatched == 2
    assert tranches[0].status == TrancheStatus.SENT
    assert tranches[1].status == TrancheStatus.PAID


def test_only_finance_imports_statements(batch_and_spare):
    batch, _ = batch_and_spare
    with pytest.raises(PermissionDenied):
        bankfiles.import_statement(
            actor=manager(), content=camt053(lines_for(batch)), filename="s.xml"
        )


def test_money_in_is_proposed_against_a_pledge_and_confirmed_by_finance(batch_and_spare):
    officer = finance()
    donor = institutional_donor("Kingdom of Norway")
    pledge = make_pledge(actor=officer, donor=donor, amount=25_000 * USD, currency="USD", year=2026)
    confirm_pledge(actor=officer, pledge=pledge, on=date.today())
    lines = [
        Line(
            amount=25_000 * USD,
            credit=True,
            reference="IN-1",
            party="KINGDOM OF NORWAY",
            remittance="Contribution 2026",
        ),
        Line(amount=99 * USD, credit=True, reference="IN-2", party="Somebody Else"),
    ]
    result = bankfiles.import_statement(actor=officer, content=camt053(lines), filename="s.xml")
    assert result.proposed == 1 and result.unmatched == 1
    proposed, flagged = sorted(result.statements[0].entries, key=lambda e: e.bank_reference)
    assert proposed.outcome == EntryOutcome.PROPOSED and proposed.pledge_id == pledge.id
    assert flagged.outcome == EntryOutcome.UNMATCHED and flagged.pledge_id is None
    # Nothing is recorded until finance confirms.
    assert db.session.query(BankReceipt).count() == 0
    receipt, _numbered = bankfiles.confirm_proposal(actor=officer, entry=proposed)
    assert receipt.bank_reference == "IN-1"
    assert pledge.status == PledgeStatus.PAID
    assert proposed.outcome == EntryOutcome.CONFIRMED
    with pytest.raises(Exception):  # noqa: B017 - confirmed once only
        bankfiles.confirm_proposal(actor=officer, entry=proposed)


def test_a_statement_imported_at_the_same_moment_by_another_officer_changes_nothing(
    batch_and_spare, monkeypatch
):
    """Both read "not imported yet"; the second's insert meets the unique key and stops there."""
    batch, _tranches = batch_and_spare
    content = camt053(lines_for(batch))
    bankfiles.import_statement(actor=finance(), content=content, filename="stmt.xml")
    db.session.commit()
    before = _counts()
    monkeypatch.setattr(bankfiles, "statement_imported", lambda account, statement_id: False)
    again = bankfiles.import_statement(actor=finance(), content=content, filename="stmt.xml")
    assert not again.changed and again.already_imported == 1
    db.session.commit()
    assert _counts() == before
