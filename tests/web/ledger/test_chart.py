"""The chart of accounts: the balances a finance officer or an auditor checks, and the totals."""

from __future__ import annotations

from app.ledger.chart import CASH_BANK, CASH_STRIPE, FUND_AVAILABLE, FUND_PLEDGED
from app.ledger.models import TransferCode
from app.ledger.web import routes
from tests.web.ledger.helpers import (
    account,
    commit,
    gift,
    new_donor,
    new_grant,
    post,
    posted,
    row_starting,
    row_with,
    send_tranche,
    table_rows,
    transfer,
    usd,
)


def test_each_account_shows_its_posted_pending_and_available_balance(
    client, reader, finance_officer
):
    before = {key: posted(key) for key in (CASH_STRIPE, CASH_BANK, FUND_AVAILABLE)}
    grant = new_grant("Safe Haven shelter")
    gift(1_500_000, actor=finance_officer)  # $15,000.00 by card
    fee = transfer(TransferCode.FEE, 43_530, account(FUND_AVAILABLE), account(CASH_STRIPE))
    post(fee, actor=finance_officer)
    commit(grant, 1_000_000, actor=finance_officer)
    send_tranche(grant, 400_000, actor=finance_officer)

    page = client.get("/ledger/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)

    stripe = usd(before[CASH_STRIPE] + 1_456_470)  # $15,000.00 less the $435.30 fee
    assert row_with(html, CASH_STRIPE)[2:] == [stripe, "USD 0.00", stripe]
    fund = usd(before[FUND_AVAILABLE] + 456_470)  # less the $10,000.00 committed
    assert row_with(html, FUND_AVAILABLE)[2:] == [fund, "USD 0.00", fund]
    # The $4,000.00 tranche is on its way: still posted on the grant, no longer available.
    grant_row = row_with(html, grant.key)
    assert grant_row[1] == f"Grant payable: Safe Haven shelter {grant.key}"
    assert grant_row[2:] == ["USD 10,000.00", "-USD 4,000.00", "USD 6,000.00"]
    bank = usd(before[CASH_BANK])
    assert row_with(html, CASH_BANK)[2:] == [
        bank,
        "-USD 4,000.00",
        usd(before[CASH_BANK] - 400_000),
    ]


def test_accounts_are_grouped_by_type_with_a_subtotal_each(client, reader):
    grant = new_grant()
    gift(200_000)
    commit(grant, 50_000)
    html = client.get("/ledger/").get_data(as_text=True)
    headings = [row[0] for row in table_rows(html) if len(row) == 1]
    assert headings[:4] == ["Assets", "Liabilities", "Net assets", "Revenue"]
    group = row_with(html, "Grants payable, one account per grant")
    assert row_with(html, "Total: Liabilities")[2:] == group[2:]
    net_assets = posted(FUND_AVAILABLE) + posted(FUND_PLEDGED)
    assert row_with(html, "Total: Net assets")[2] == usd(net_assets)


def test_the_totals_show_that_debits_equal_credits(client, reader):
    donor = new_donor("Government of Norway")
    gift(700_000)
    post(transfer(TransferCode.PLEDGE, 2_500_000, donor, account(FUND_PLEDGED)))
    html = client.get("/ledger/").get_data(as_text=True)

    assert "Debits equal credits: the ledger balances." in html
    debits, credits, difference = row_starting(html, "Posted")[1:4]
    assert debits == credits
    assert difference == "USD 0.00"
    assert row_with(html, donor.key)[2:] == ["USD 25,000.00", "USD 0.00", "USD 25,000.00"]
    assert (
        row_starting(html, "Assets and expenses")[1]
        == (row_starting(html, "Liabilities, net assets and revenue")[1])
    )


def test_the_chart_lists_a_few_grant_accounts_and_links_to_all_of_them(client, reader, monkeypatch):
    monkeypatch.setattr(routes, "CHART_PREVIEW", 2)
    grants = [new_grant(f"Grant number {n}") for n in range(3)]
    html = client.get("/ledger/").get_data(as_text=True)
    group = row_with(html, "Grants payable, one account per grant")
    assert "accounts)" in group[1]
    shown = [grant for grant in grants if grant.key in html]
    assert len(shown) <= 2
    assert "See all" in html
    assert 'href="/ledger/grants"' in html


def test_the_list_of_grant_accounts_is_paginated(app, client, reader, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    grants = [new_grant(f"Grant {n}") for n in range(3)]
    for index, grant in enumerate(grants, start=1):
        gift(10_000 * index)
        commit(grant, 10_000 * index)
    pages = []
    while True:
        response = client.get(f"/ledger/grants?page={len(pages) + 1}")
        assert response.status_code == 200
        pages.append(response.get_data(as_text=True))
        if f"page={len(pages) + 1}" not in pages[-1]:
            break
    assert len(pages) >= 2
    assert all(len([r for r in table_rows(p) if any("grant:" in c for c in r)]) <= 2 for p in pages)
    found = {grant.key: row_with(p, grant.key) for p in pages for grant in grants if grant.key in p}
    assert set(found) == {grant.key for grant in grants}
    assert found[grants[2].key][3:] == ["USD 300.00", "USD 0.00", "USD 300.00"]
