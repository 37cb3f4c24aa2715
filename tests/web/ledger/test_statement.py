"""An account's statement: running balance, filters and paging through long histories."""

from __future__ import annotations

import re

from app.ledger.chart import CASH_BANK, PSC_INCOME, receivable_account
from app.ledger.models import Transfer, TransferCode, TransferKind
from app.platform.extensions import db
from tests.funding_support import donor
from tests.web.ledger.helpers import (
    account,
    commit,
    gift,
    new_grant,
    post,
    resolve,
    send_tranche,
    table_rows,
    transfer,
)


def statement_lines(html: str) -> list[list[str]]:
    """The statement's lines: sequence number first, a date second."""
    return [row for row in table_rows(html) if len(row) == 8 and row[0].isdigit()]


def balances(html: str) -> list[tuple[str, str, str, str]]:
    """(debit, credit, balance, available) of each line, newest first."""
    return [(row[4], row[5], row[6], row[7]) for row in statement_lines(html)]


def a_grant_with_history(actor=None):
    """A grant of $6,000.00: a paid tranche, its support cost, and a tranche that failed."""
    grant = new_grant("Freedom Path")
    gift(1_000_000, actor=actor)
    commit(grant, 600_000, actor=actor, document_type="grant", document_id="14")
    first = send_tranche(grant, 250_000, actor=actor)
    resolve(first, TransferKind.POST_PENDING, actor=actor)
    post(transfer(TransferCode.PSC, 32_500, grant, account(PSC_INCOME)), actor=actor)
    second = send_tranche(grant, 100_000, actor=actor)
    resolve(second, TransferKind.VOID_PENDING, actor=actor)
    return grant


def test_the_statement_shows_each_transfer_with_the_balance_after_it(client, reader):
    grant = a_grant_with_history()
    response = client.get(f"/ledger/accounts/{grant.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Grant payable: Freedom Path" in html
    assert balances(html) == [
        # newest first: the failed tranche is voided, its money available again
        ("USD 1,000.00", "", "USD 3,175.00", "USD 3,175.00"),
        ("USD 1,000.00", "", "USD 3,175.00", "USD 2,175.00"),
        ("USD 325.00", "", "USD 3,175.00", "USD 3,175.00"),
        ("USD 2,500.00", "", "USD 3,500.00", "USD 3,500.00"),
        ("USD 2,500.00", "", "USD 6,000.00", "USD 3,500.00"),
        ("", "USD 6,000.00", "USD 6,000.00", "USD 6,000.00"),
    ]
    # Each line's transfer, after the name its card shows on a phone.
    kinds = [row[2].removeprefix("Transfer ") for row in statement_lines(html)]
    assert kinds[0] == "Disbursement Pending voided"
    assert kinds[-1] == "Grant commitment"
    assert "Balance before these transfers" in html
    # The summary at the top agrees with the newest line.
    assert "Posted balance" in html and "USD\u00a03,175.00" in html


def test_each_line_links_to_its_transfer(client, reader):
    grant = a_grant_with_history()
    html = client.get(f"/ledger/accounts/{grant.id}").get_data(as_text=True)
    linked = set(re.findall(r'href="/ledger/transfers/([0-9a-f-]{36})"', html))
    ids = {
        str(t.id)
        for t in db.session.query(Transfer).filter(
            (Transfer.debit_account_id == grant.id) | (Transfer.credit_account_id == grant.id)
        )
    }
    assert linked == ids
    assert f'href="/ledger/accounts/{account(CASH_BANK).id}"' in html


def test_an_account_of_a_donor_or_a_grant_links_to_whom_it_belongs_to(client, reader):
    """A donor's account names the donor as a link to their contributions, which the reader
    may open (the donor was plain text); a grant's names the grant, linked to its page."""
    giver = donor("Iceland")
    receivable = receivable_account(donor_id=giver.id, name=giver.name)
    html = client.get(f"/ledger/accounts/{receivable.id}").get_data(as_text=True)
    contributions = f"/donations/contributions?donor={giver.id}"
    assert f'<a href="{contributions}">Donor {giver.id}</a>' in html
    opened = client.get(contributions)
    assert opened.status_code == 200
    assert "Iceland" in opened.get_data(as_text=True)
    # The list of every donor's account links each the same way.
    listed = client.get(f"/ledger/donors?q={receivable.key}").get_data(as_text=True)
    assert f'<a href="{contributions}">Donor {giver.id}</a>' in listed

    grant = new_grant("Hill school")
    html = client.get(f"/ledger/accounts/{grant.id}").get_data(as_text=True)
    assert f'href="/grants/{grant.owner_id}"' in html


def test_a_long_statement_pages_back_and_forth_with_the_right_balances(
    app, client, reader, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)
    grant = new_grant()
    gift(120_000)
    for _ in range(12):
        commit(grant, 10_000)  # each $100.00: the balance climbs to $1,200.00
    url = f"/ledger/accounts/{grant.id}"

    first = client.get(url).get_data(as_text=True)
    assert [b[2] for b in balances(first)] == [
        f"USD {n:,}.00" for n in (1200, 1100, 1000, 900, 800)
    ]
    assert "Newer transfers" in first and 'rel="prev"' not in first

    second_url = _link(first, "next")
    second = client.get(second_url).get_data(as_text=True)
    assert [b[2] for b in balances(second)] == [f"USD {n}.00" for n in (700, 600, 500, 400, 300)]

    third = client.get(_link(second, "next")).get_data(as_text=True)
    assert [b[2] for b in balances(third)] == ["USD 200.00", "USD 100.00"]
    assert 'rel="next"' not in third
    assert _opening(third) == "USD 0.00"

    back = client.get(_link(third, "prev")).get_data(as_text=True)
    assert balances(back) == balances(second)
    newest = client.get(_link(back, "prev")).get_data(as_text=True)
    assert balances(newest) == balances(first)
    assert 'rel="prev"' not in newest
    # Back on the newest page (by an ?after= address), nothing links to the page itself.
    assert _pager_links(newest) == [("Older transfers", _link(first, "next"))] * 2


def test_the_pager_says_which_way_it_goes_and_is_above_the_statement_too(
    app, client, reader, monkeypatch
):
    """ "Previous" and "Next" on a newest-first statement meant newer and older, and the pager
    was only below 2 links a line: it names its direction and comes before the table too."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    grant = new_grant()
    gift(100_000)
    for _ in range(6):
        commit(grant, 10_000)
    url = f"/ledger/accounts/{grant.id}"

    first = client.get(url).get_data(as_text=True)
    table = first.index("<table")
    top, bottom = (first.index(f'aria-label="{name}"') for name in PAGERS)
    assert top < table < bottom
    assert [text for text, _href in _pager_links(first)] == ["Older transfers"] * 2
    assert "Previous" not in first and ">Next<" not in first

    middle_url = _link(first, "next")
    middle = client.get(middle_url).get_data(as_text=True)
    assert _pager_links(middle)[:3] == [
        ("Latest transfers", url),
        ("Newer transfers", _link(middle, "prev")),
        ("Older transfers", _link(middle, "next")),
    ]
    assert middle_url not in {href for _text, href in _pager_links(middle)}
    oldest = client.get(_link(middle, "next")).get_data(as_text=True)
    assert [text for text, _href in _pager_links(oldest)][:2] == [
        "Latest transfers",
        "Newer transfers",
    ]
    assert 'rel="next"' not in oldest


def test_on_a_phone_each_line_is_a_card_naming_its_figures(client, reader):
    """The statement stacks like the chart of accounts (app.css .table-stack): every cell of a
    line names its column, so no amount is off-screen; the caption is the table's, whole,
    outside any box of its own that could scroll it away."""
    grant = a_grant_with_history()
    html = client.get(f"/ledger/accounts/{grant.id}").get_data(as_text=True)
    table = re.search(r'<table class="([^"]+)"', html)
    assert table and {"table-stack", "ledger-figures"} <= set(table.group(1).split())
    caption = re.search(r"<caption[^>]*>(.*?)</caption>", html, re.S)
    assert caption and caption.group(1) == (
        "Transfers on this account, newest first, each with the account's balance after it"
    )
    # The box around the table is no longer a focusable region of its own on every screen.
    assert 'role="region"' not in html
    labels = re.findall(r'<td[^>]*data-label="([^"]+)"', html)
    assert labels.count("Date (UTC)") == 6
    assert labels.count("Debit") == 5 and labels.count("Credit") == 1
    assert labels.count("Balance") == 7  # six lines and the opening balance
    assert labels.count("Other account") == 6
    assert html.count('<span class="stack-label">Transfer</span>') == 6


def test_filtering_by_code_keeps_the_true_running_balance(client, reader):
    grant = a_grant_with_history()
    html = client.get(f"/ledger/accounts/{grant.id}?code=PSC").get_data(as_text=True)
    # Only the support cost line, with the balance the account really had after it.
    assert balances(html) == [("USD 325.00", "", "USD 3,175.00", "USD 3,175.00")]
    assert "Programme support cost" in html
    disbursements = client.get(f"/ledger/accounts/{grant.id}?code=DISBURSEMENT")
    assert [b[2:] for b in balances(disbursements.get_data(as_text=True))] == [
        ("USD 3,175.00", "USD 3,175.00"),
        ("USD 3,175.00", "USD 2,175.00"),
        ("USD 3,500.00", "USD 3,500.00"),
        ("USD 6,000.00", "USD 3,500.00"),
    ]


def test_filtering_by_code_pages_too(app, client, reader, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    grant = new_grant()
    gift(100_000)
    for _ in range(3):
        commit(grant, 10_000)
        post(transfer(TransferCode.PSC, 1_000, grant, account(PSC_INCOME)))
    url = f"/ledger/accounts/{grant.id}?code=PSC"
    first = client.get(url).get_data(as_text=True)
    assert [b[2] for b in balances(first)] == ["USD 270.00", "USD 180.00"]
    older = client.get(_link(first, "next")).get_data(as_text=True)
    assert [b[2] for b in balances(older)] == ["USD 90.00"]
    assert "code=PSC" in _link(first, "next")


def test_filtering_by_date(client, reader):
    grant = a_grant_with_history()
    day = (
        db.session.query(Transfer)
        .filter(Transfer.credit_account_id == grant.id)
        .one()
        .created_at.date()
    )
    url = f"/ledger/accounts/{grant.id}"
    same_day = client.get(f"{url}?since={day}&until={day}").get_data(as_text=True)
    assert len(statement_lines(same_day)) == 6
    later = client.get(f"{url}?since={day.replace(year=day.year + 1)}").get_data(as_text=True)
    assert statement_lines(later) == []
    assert "No transfer matches these filters." in later
    earlier = client.get(f"{url}?until={day.replace(year=day.year - 1)}").get_data(as_text=True)
    assert statement_lines(earlier) == []


def test_a_bad_date_is_a_clear_form_error(client, reader):
    grant = new_grant()
    response = client.get(f"/ledger/accounts/{grant.id}?since=2025-02-30")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Not a valid date value." in html
    assert "Correct the filters to see the statement." in html
    reversed_period = client.get(f"/ledger/accounts/{grant.id}?since=2025-03-02&until=2025-03-01")
    assert reversed_period.status_code == 400
    assert "The end date must be on or after the start date." in reversed_period.get_data(
        as_text=True
    )
    unknown_code = client.get(f"/ledger/accounts/{grant.id}?code=BRIBE")
    assert unknown_code.status_code == 400


def test_junk_cursors_show_the_newest_page(client, reader):
    grant = a_grant_with_history()
    html = client.get(f"/ledger/accounts/{grant.id}?before=abc&after=-1").get_data(as_text=True)
    assert len(statement_lines(html)) == 6


def test_an_unknown_account_is_not_found(client, reader):
    assert client.get("/ledger/accounts/999999").status_code == 404


PAGERS = ("Statement pages", "Statement pages, after the transfers")


def _pager_links(html: str) -> list[tuple[str, str]]:
    """(text, address) of each link of the two pagers, top first."""
    found = []
    for name in PAGERS:
        nav = re.search(rf'<nav aria-label="{name}">(.*?)</nav>', html, re.S)
        assert nav, f"no pager {name!r}"
        for href, text in re.findall(
            r'<a class="page-link"[^>]* href="([^"]+)">([^<]+)</a>', nav.group(1)
        ):
            found.append((text, href.replace("&amp;", "&")))
    return found


def _link(html: str, rel: str) -> str:
    match = re.search(rf'rel="{rel}" href="([^"]+)"', html)
    assert match, f"no {rel} link"
    return match.group(1).replace("&amp;", "&")


def _opening(html: str) -> str:
    for row in table_rows(html):
        if row and row[0] == "Balance before these transfers":
            return row[1]
    raise AssertionError("no opening balance")
