"""The CSV export of a period's transfers: its columns, filters, and refusals."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from app.accounts.models import Role
from app.accounts.permissions import ROLE_PERMISSIONS, Permission
from app.ledger.models import Transfer, TransferKind
from app.ledger.web.export import COLUMNS
from app.ledger.web.queries import export as queries
from app.platform.extensions import db
from tests.factories import user_with
from tests.web.ledger.helpers import commit, gift, new_grant, resolve, send_tranche


def download(client, **params):
    # buffered: the test client reads the streamed body before the request context ends.
    response = client.get("/ledger/export", query_string=params, buffered=True)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "text/csv"
    return response, list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def today(result) -> str:
    return str(db.session.get(Transfer, result.id).created_at.date())


def test_the_export_has_one_line_per_transfer_with_every_column(client, reader, finance_officer):
    grant = new_grant()
    first = gift(1_234_567, actor=finance_officer, document_type="gift", document_id="52")
    commitment = commit(grant, 1_000_000, actor=finance_officer, memo="Board decision 2026/3")
    pending = send_tranche(grant, 250_000)
    day = today(first)

    response, rows = download(client, since=day, until=day)
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="ledger-transfers-{day}-to-{day}.csv"'
    )
    assert tuple(rows[0].keys()) == COLUMNS
    mine = {row["id"]: row for row in rows}
    gift_row = mine[str(first.id)]
    assert gift_row["sequence"] == str(first.sequence)
    assert gift_row["created_at"].startswith(day) and gift_row["created_at"].endswith("+00:00")
    assert gift_row["code"] == "GIFT"
    assert gift_row["kind"] == "single"
    assert gift_row["debit_account"] == "cash:stripe"
    assert gift_row["credit_account"] == "fund:available"
    assert gift_row["amount_minor"] == "1234567"
    assert gift_row["amount"] == "12345.67"
    assert gift_row["currency"] == "USD"
    assert gift_row["document_type"] == "gift" and gift_row["document_id"] == "52"
    assert gift_row["actor_id"] == str(finance_officer.id)
    assert gift_row["actor"] == finance_officer.email
    assert gift_row["batch_id"]
    assert mine[str(commitment.id)]["memo"] == "Board decision 2026/3"
    assert mine[str(commitment.id)]["credit_account"] == grant.key
    assert mine[str(pending.id)]["kind"] == "pending"

    posted = resolve(pending, TransferKind.POST_PENDING)
    _, rows = download(client, since=day, until=day)
    assert {row["id"]: row for row in rows}[str(posted.id)]["pending_id"] == str(pending.id)
    sequences = [int(row["sequence"]) for row in rows]
    assert sequences == sorted(sequences)


def test_the_period_code_and_account_filters(client, reader):
    grant = new_grant()
    first = gift(50_000)
    commit(grant, 20_000)
    day = db.session.get(Transfer, first.id).created_at.date()

    _, gifts = download(client, since=day, until=day, code="GIFT")
    assert {row["code"] for row in gifts} == {"GIFT"}
    assert str(first.id) in {row["id"] for row in gifts}

    _, grant_only = download(client, since=day, until=day, account=grant.key)
    assert [(row["code"], row["amount"]) for row in grant_only] == [("COMMITMENT", "200.00")]

    _, before = download(client, since=day - timedelta(days=3), until=day - timedelta(days=1))
    assert str(first.id) not in {row["id"] for row in before}
    _, after = download(client, since=day + timedelta(days=1), until=day + timedelta(days=2))
    assert after == []


def test_a_long_export_is_read_in_chunks_and_keeps_every_line(client, reader, monkeypatch):
    monkeypatch.setattr(queries, "EXPORT_CHUNK", 3)
    grant = new_grant()
    results = [gift(1_000)]
    results += [commit(grant, 100) for _ in range(7)]
    _, rows = download(client, since=today(results[0]), until=today(results[0]), account=grant.key)
    assert [row["id"] for row in rows] == [str(result.id) for result in results[1:]]


def test_a_memo_a_spreadsheet_would_run_is_neutralised(client, reader):
    result = gift(1_000, memo='=HYPERLINK("http://evil")')
    _, rows = download(client, since=today(result), until=today(result))
    row = {row["id"]: row for row in rows}[str(result.id)]
    assert row["memo"] == '\'=HYPERLINK("http://evil")'


def test_the_form_asks_for_a_period_first(client, reader):
    response = client.get("/ledger/export")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Download CSV" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "", "until": "2026-01-31"}, "Enter the first day of the period."),
        ({"since": "2026-01-01"}, "Enter the last day of the period."),
        ({"since": "2026-02-30", "until": "2026-03-01"}, "Not a valid date value."),
        ({"since": "yesterday", "until": "2026-03-01"}, "Not a valid date value."),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "The end date must be on or after"),
        ({"since": "2026-03-01", "until": "2026-03-01", "code": "X"}, "Not a valid choice"),
        (
            {"since": "2026-03-01", "until": "2026-03-01", "account": "grant:nope"},
            "There is no ledger account grant:nope.",
        ),
    ],
)
def test_a_bad_or_missing_date_is_a_form_error(client, reader, params, message):
    response = client.get("/ledger/export", query_string=params)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert message in response.get_data(as_text=True)


def test_exporting_needs_the_export_permission_too(client, sign_in, monkeypatch):
    without_export = ROLE_PERMISSIONS[Role.AUDITOR] - {Permission.EXPORT_DATA}
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.AUDITOR, without_export)
    sign_in(user_with(Role.AUDITOR))
    assert client.get("/ledger/export?since=2026-01-01&until=2026-01-31").status_code == 403
    chart = client.get("/ledger/").get_data(as_text=True)
    assert "Export transfers" not in chart
