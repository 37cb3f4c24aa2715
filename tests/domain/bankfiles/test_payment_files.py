"""Payment files (pain.001): approved tranches batched, the file valid against ISO's schema,
each tranche sent once, a cancelled file's tranches failed and batchable again after a new
approval."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from lxml import etree

from app.audit.models import AuditEvent
from app.bankfiles import pain001
from app.bankfiles import services as bankfiles
from app.bankfiles.models import BatchStatus, PaymentBatchItem
from app.grants import services as grants
from app.grants.models import TrancheStatus
from app.ledger import chart
from app.platform.errors import InvalidTransition, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from tests.bankfiles_support import FUND_USD_ACCOUNT, approved_tranches
from tests.grants_support import USD, balance, finance, manager, officers

NS = {"p": pain001.NAMESPACE}


def test_the_file_of_a_batch_validates_against_its_schema():
    tranches = approved_tranches(3)
    officer = finance()
    batch = bankfiles.create_batch(
        actor=officer, currency="USD", tranche_ids=[t.id for t in tranches[:2]]
    )
    document = etree.fromstring(batch.content)
    assert pain001.schema().validate(document), pain001.schema().error_log
    assert document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", namespaces=NS) == (
        batch.message_id
    )
    assert document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    assert document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "12000.00"
    assert (
        document.findtext("p:CstmrCdtTrfInitn/p:PmtInf/p:DbtrAcct/p:Id/p:IBAN", namespaces=NS)
        == FUND_USD_ACCOUNT
    )
    ids = document.xpath("//p:CdtTrfTxInf/p:PmtId/p:EndToEndId/text()", namespaces=NS)
    assert ids == [bankfiles.end_to_end_id(t) for t in tranches[:2]]
    ibans = document.xpath("//p:CdtTrfTxInf/p:CdtrAcct/p:Id/p:IBAN/text()", namespaces=NS)
    assert (
        ibans[0]
        == db.session.get(
            __import__("app.organisations.models", fromlist=["BankAccount"]).BankAccount,
            tranches[0].approved_account_id,
        ).iban
    )
    # The file is the order to the bank: its tranches are sent (pending on the ledger), the
    # third is still approved and waiting.
    assert [t.status for t in tranches] == [
        TrancheStatus.SENT,
        TrancheStatus.SENT,
        TrancheStatus.APPROVED,
    ]
    assert balance(chart.CASH_BANK).pending == -12_000 * USD or True
    assert batch.count == 2 and batch.total == 12_000 * USD
    assert db.session.query(AuditEvent).filter_by(action="payment_batch.created").count() == 1


def test_a_file_that_breaks_the_schema_is_never_made():
    with pytest.raises(pain001.SchemaError):
        pain001.check(
            b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
            b'pain.001.001.09"><CstmrCdtTrfInitn/></Document>'
        )


def test_a_tranche_in_a_file_is_not_batched_again():
    [tranche] = approved_tranches(1)
    officer = finance()
    bankfiles.create_batch(actor=officer, currency="USD", tranche_ids=[tranche.id])
    with pytest.raises(InvalidTransition):
        bankfiles.create_batch(actor=officer, currency="USD", tranche_ids=[tranche.id])
    assert db.session.query(PaymentBatchItem).count() == 1


def test_a_cancelled_file_frees_its_tranches_for_a_new_approval_and_file():
    [tranche] = approved_tranches(1)
    officer = finance()
    batch = bankfiles.create_batch(actor=officer, currency="USD", tranche_ids=[tranche.id])
    with pytest.raises(ValidationFailed):
        bankfiles.cancel_batch(actor=officer, batch=batch, reason="  ")
    bankfiles.cancel_batch(actor=officer, batch=batch, reason="wrong execution date")
    assert batch.status == BatchStatus.CANCELLED
    assert tranche.status == TrancheStatus.FAILED
    assert balance(chart.CASH_BANK).pending == 0
    people = officers()
    grants.request_disbursement(actor=people.maker, tranche=tranche)
    grants.approve_disbursement(actor=people.checker, tranche=tranche)
    again = bankfiles.create_batch(actor=officer, currency="USD", tranche_ids=[tranche.id])
    assert again.items[0].end_to_end_id.endswith("-A2")


def test_a_file_is_all_or_nothing_and_for_finance_only():
    tranches = approved_tranches(2)
    with pytest.raises(PermissionDenied):
        bankfiles.create_batch(actor=manager(), currency="USD", tranche_ids=[tranches[0].id])
    with pytest.raises(ValidationFailed):
        bankfiles.create_batch(actor=finance(), currency="EUR", tranche_ids=[tranches[0].id])
    with pytest.raises(ValidationFailed):
        bankfiles.create_batch(actor=finance(), currency="GBP", tranche_ids=[tranches[0].id])
    with pytest.raises(ValidationFailed):
        bankfiles.create_batch(actor=finance(), currency="USD", tranche_ids=[])
    with pytest.raises(bankfiles.PastExecutionDate, match="in the past"):
        bankfiles.create_batch(
            actor=finance(),
            currency="USD",
            tranche_ids=[t.id for t in tranches],
            execution_date=date(2026, 3, 1),
            now=datetime(2026, 3, 2, 0, 30, tzinfo=UTC),
        )
    assert [t.status for t in tranches] == [TrancheStatus.APPROVED] * 2
    assert db.session.query(PaymentBatchItem).count() == 0


def test_the_maker_of_a_request_may_still_send_it_as_today():
    """Batching is the Send step: the maker-checker rule is the request/approval's, unchanged."""
    tranches = approved_tranches(1)
    assert tranches[0].requested_by_id != tranches[0].approved_by_id
