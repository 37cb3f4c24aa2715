"""A transfer's page: every field, its batch, its pending twin, who posted it and why."""

from __future__ import annotations

import uuid

from app.accounts.models import Role
from app.ledger.chart import CASH_BANK, FUND_AVAILABLE, FUND_PLEDGED
from app.ledger.models import TransferCode, TransferKind
from app.ledger.verify import seal_ledger
from app.ledger.web import labels
from tests.factories import user_with
from tests.web.ledger.helpers import (
    account,
    commit,
    gift,
    new_donor,
    new_grant,
    post,
    resolve,
    send_tranche,
    transfer,
)


def page(client, transfer_id) -> str:
    response = client.get(f"/ledger/transfers/{transfer_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_shows_every_field_and_who_posted_it(client, reader, finance_officer):
    grant = new_grant("Freedom Path")
    gift(1_000_000)
    result = commit(
        grant,
        600_000,
        actor=finance_officer,
        document_type="grant",
        document_id="14",
        memo="Board decision 2026/3",
    )
    html = page(client, result.id)
    assert f"Transfer {result.sequence}: Grant commitment" in html
    for text in (
        "USD\u00a06,000.00",
        "600000 in minor units of USD",
        "Fund balance available for grants",
        "fund:available",
        "Grant payable: Freedom Path",
        grant.key,
        "COMMITMENT",
        "single",
        "Board decision 2026/3",
        "Felix Finance",
        finance_officer.email,
        str(result.id),
        "Not sealed yet.",
        "This transfer was posted on its own.",
    ):
        assert text in html, text
    assert f'href="/ledger/accounts/{grant.id}"' in html
    assert f'href="/ledger/accounts/{account(FUND_AVAILABLE).id}"' in html


def test_a_transfer_without_an_actor_was_posted_by_the_system(client, reader):
    html = page(client, gift(5_000).id)
    assert "The system" in html


def test_a_pending_transfer_and_the_transfer_that_resolved_it_link_to_each_other(client, reader):
    grant = new_grant()
    gift(100_000)
    commit(grant, 100_000)
    pending = send_tranche(grant, 40_000)

    still = page(client, pending.id)
    assert "Still pending" in still

    posted = resolve(pending, TransferKind.POST_PENDING)
    resolved = page(client, pending.id)
    assert "Still pending" not in resolved
    assert f'href="/ledger/transfers/{posted.id}"' in resolved
    assert f"Transfer {posted.sequence}" in resolved

    resolving = page(client, posted.id)
    assert "Resolves pending transfer" in resolving
    assert f'href="/ledger/transfers/{pending.id}"' in resolving


def test_the_other_transfers_of_the_batch_are_listed(client, reader):
    donor = new_donor("Government of Norway")
    post(transfer(TransferCode.PLEDGE, 500_000, donor, account(FUND_PLEDGED)))
    batch = uuid.uuid4()
    cash, release = post(
        transfer(TransferCode.PLEDGE_PAYMENT, 500_000, account(CASH_BANK), donor),
        transfer(
            TransferCode.PLEDGE_PAYMENT, 500_000, account(FUND_PLEDGED), account(FUND_AVAILABLE)
        ),
        batch_id=batch,
    )
    html = page(client, cash.id)
    assert "Other transfers of the same batch" in html
    assert "The batch has 2 transfers, posted together: all or none." in html
    assert f'href="/ledger/transfers/{release.id}"' in html
    assert str(batch) in html


def test_the_business_document_is_named_and_linked_when_its_page_exists(
    client, reader, monkeypatch
):
    grant = new_grant()
    gift(10_000)
    result = commit(grant, 10_000, document_type="bank_receipt_allocation", document_id="14")
    # No page for this kind of document: it is named, not linked.
    html = page(client, result.id)
    assert "Bank receipt allocation 14" in html
    assert 'href="/ledger/accounts/14"' not in html
    # Once an area has the page, the same transfer links to it.
    monkeypatch.setitem(
        labels.DOCUMENT_PAGES, "bank_receipt_allocation", ("ledger.statement", "account_id")
    )
    assert 'href="/ledger/accounts/14">Bank receipt allocation 14</a>' in page(client, result.id)


def test_a_document_id_the_page_cannot_take_is_shown_as_text(client, reader, monkeypatch):
    monkeypatch.setitem(labels.DOCUMENT_PAGES, "gift", ("ledger.statement", "account_id"))
    result = gift(10_000, document_type="gift", document_id="pi_3Nk2")
    html = page(client, result.id)
    assert "Gift pi_3Nk2" in html


def test_the_seal_covering_a_transfer_is_named(client, reader, finance_officer):
    result = gift(10_000)
    checkpoint = seal_ledger(actor=finance_officer)
    assert checkpoint is not None
    html = page(client, result.id)
    assert f"in checkpoint {checkpoint.id}" in html


def test_the_audit_trail_of_the_batch_is_linked_for_auditors_only(client, sign_in):
    result = gift(10_000)
    sign_in(user_with(Role.AUDITOR))
    assert "Audit events of this batch" in page(client, result.id)
    sign_in(user_with(Role.FINANCE))
    assert "Audit events of this batch" not in page(client, result.id)


def test_an_unknown_transfer_is_not_found(client, reader):
    assert client.get(f"/ledger/transfers/{uuid.uuid4()}").status_code == 404
    assert client.get("/ledger/transfers/not-a-uuid").status_code == 404
