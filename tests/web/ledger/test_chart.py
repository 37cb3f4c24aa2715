"""The chart of accounts: the balances a finance officer or an auditor checks, and the totals."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.ledger.chart import CASH_BANK, CASH_STRIPE, FUND_AVAILABLE, FUND_PLEDGED
from app.ledger.models import Account, TransferCode
from app.ledger.services.balances import account_balance
from app.platform.extensions import db
from tests.statements import counting
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
    assert grant.key not in html  # one line for every grant account: their sum

    stripe = usd(before[CASH_STRIPE] + 1_456_470)  # $15,000.00 less the $435.30 fee
    assert row_with(html, CASH_STRIPE)[2:] == [stripe, "USD 0.00", stripe]
    fund = usd(before[FUND_AVAILABLE] + 456_470)  # less the $10,000.00 committed
    assert row_with(html, FUND_AVAILABLE)[2:] == [fund, "USD 0.00", fund]
    # The $4,000.00 tranche is on its way: still posted on the grant, no longer available.
    listed = client.get(f"/ledger/grants?q={grant.key}").get_data(as_text=True)
    grant_row = row_with(listed, grant.key)
    assert grant_row[1] == f"Grant payable: Safe Haven shelter {grant.key}"
    assert grant_row[3:] == ["USD 10,000.00", "-USD 4,000.00", "USD 6,000.00"]
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
    listed = client.get("/ledger/donors?q=Norway").get_data(as_text=True)
    assert row_with(listed, donor.key)[3:] == ["USD 25,000.00", "USD 0.00", "USD 25,000.00"]
    assert (
        row_starting(html, "Assets and expenses")[1]
        == (row_starting(html, "Liabilities, net assets and revenue")[1])
    )


def test_on_a_phone_the_totals_are_cards_with_each_figure_named(client, reader):
    """The totals were a table wider than a phone (375 px); stacked like the chart
    (app.css .table-stack), Posted and Pending are each a card naming each figure."""
    for page in ("/ledger/", "/ledger/integrity"):
        html = client.get(page).get_data(as_text=True)
        found = re.search(
            r'<table class="([^"]*)">\s*<caption[^>]*>Every account added up \(USD\)</caption>'
            r"(.*?)</table>",
            html,
            re.S,
        )
        assert found is not None, page
        assert "table-stack" in found.group(1).split()
        labels = re.findall(
            r'<td class="text-end text-nowrap" data-label="([^"]+)">', found.group(2)
        )
        assert labels == ["Debits", "Credits", "Difference"] * 2


def _group_sum(owner_type: str) -> tuple[int, list[str]]:
    """How many accounts the group has and their balances added up, account by account, as
    the ledger's own balance of each gives them."""
    accounts = db.session.execute(sa.select(Account).where(Account.owner_type == owner_type))
    balances = [account_balance(account=a) for a in accounts.scalars()]
    return len(balances), [
        usd(sum(b.posted for b in balances)),
        usd(sum(b.pending for b in balances)),
        usd(sum(b.available for b in balances)),
    ]


def test_the_chart_shows_each_group_of_accounts_as_its_sum_with_a_link_to_its_list(client, reader):
    grants = [new_grant(f"Grant number {n}") for n in range(3)]
    donors = [new_donor(f"Donor number {n}") for n in range(2)]
    gift(900_000)
    for index, grant in enumerate(grants, start=1):
        commit(grant, 100_000 * index)
    send_tranche(grants[0], 40_000)
    post(transfer(TransferCode.PLEDGE, 250_000, donors[1], account(FUND_PLEDGED)))

    html = client.get("/ledger/").get_data(as_text=True)
    for key in [a.key for a in grants + donors]:
        assert key not in html
    for owner_type, label, link in (
        ("grant", "Grants payable, one account per grant", "/ledger/grants"),
        ("donor", "Pledges receivable, one account per donor", "/ledger/donors"),
    ):
        count, sums = _group_sum(owner_type)
        row = row_with(html, label)
        assert row[0] == ("2100" if owner_type == "grant" else "1200")
        assert row[1] == f"{label} ({count} accounts)"
        assert row[2:] == sums
        assert f'<a href="{link}">{label}</a>' in html
    # No other liability: the grants' line is the whole of the liabilities.
    assert row_with(html, "Total: Liabilities")[2:] == _group_sum("grant")[1]


def test_the_chart_costs_the_same_statements_with_more_grants_and_donors(client, reader):
    client.get("/ledger/")
    with counting() as few:
        client.get("/ledger/")
    for n in range(30):
        gift(1_000)
        commit(new_grant(f"More {n}"), 1_000)
        post(transfer(TransferCode.PLEDGE, 1_000, new_donor(f"More {n}"), account(FUND_PLEDGED)))
    with counting() as many:
        html = client.get("/ledger/").get_data(as_text=True)
    assert len(many) == len(few)
    assert "More 1" not in html


def _listed_keys(html: str, prefix: str) -> list[str]:
    return [cell.split()[-1] for row in table_rows(html) for cell in row[1:2] if prefix in cell]


def test_the_list_of_grant_accounts_is_paged_and_holds_every_account_once(
    app, client, reader, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    grants = [new_grant(f"Paged grant {n}") for n in range(5)]
    for index, grant in enumerate(grants, start=1):
        gift(10_000 * index)
        commit(grant, 10_000 * index)
    count, _sums = _group_sum("grant")
    seen: list[str] = []
    url = "/ledger/grants"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        keys = _listed_keys(html, "grant:")
        assert 0 < len(keys) <= 2
        seen += keys
        found = re.search(r'href="(/ledger/grants\?after=[^"]+)"[^>]*>Next<', html)
        url = found.group(1).replace("&amp;", "&") if found else ""
    assert len(seen) == len(set(seen)) == count
    assert {grant.key for grant in grants} <= set(seen)
    # Back from the last page: the page before it.
    back = re.search(r'href="(/ledger/grants\?before=[^"]+)"[^>]*>Previous<', html)
    assert back is not None
    previous = client.get(back.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert _listed_keys(previous, "grant:") == seen[-len(keys) - 2 : -len(keys)]


def test_the_list_finds_accounts_by_name_or_key_with_their_total(client, reader):
    grants = [new_grant(f"Riverside clinic {n}") for n in range(2)] + [new_grant("Hill school")]
    gift(100_000)
    commit(grants[0], 30_000)
    commit(grants[1], 20_000)
    commit(grants[2], 45_000)

    html = client.get("/ledger/grants?q=riverside+CLINIC").get_data(as_text=True)
    assert sorted(_listed_keys(html, "grant:")) == sorted(g.key for g in grants[:2])
    assert "2 accounts match “riverside CLINIC”." in html
    assert row_starting(html, "")[1:] == ["Total", "USD 500.00", "USD 0.00", "USD 500.00"]
    assert 'value="riverside CLINIC"' in html

    by_key = client.get(f"/ledger/grants?q={grants[2].key}").get_data(as_text=True)
    assert _listed_keys(by_key, "grant:") == [grants[2].key]

    # LIKE's wildcards are taken as the characters they are.
    nothing = client.get("/ledger/grants?q=%25_").get_data(as_text=True)
    assert _listed_keys(nothing, "grant:") == []
    assert "No account of this kind matches these words." in nothing
