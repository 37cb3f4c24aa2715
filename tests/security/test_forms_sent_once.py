"""Posting a money form twice (the pledge form, the bank-receipt form) records it once.

The forms that create money records carry a one-time key: a second post of the same form (a
double click, a reload, a retry) shows the record the first created and creates nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.donations import services
from app.donations.models import BankReceipt, Donor, Pledge
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.donations_support import finance_user, institutional_donor
from tests.factories import user_with
from tests.real_commits import committed, committed_rows_removed, race

TODAY = utcnow().date()


def _key_on(page: str) -> str:
    found = re.search(r'name="form_key"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="form_key"', page
    )
    assert found, "the form carries its one-time key"
    return found.group(1)


def _pledges() -> int:
    return db.session.scalar(select(func.count()).select_from(Pledge)) or 0


def test_a_donor_posting_the_pledge_form_twice_pledges_once(client, sign_in):
    sign_in(user_with(Role.DONOR))
    key = _key_on(client.get("/pledges/new").get_data(as_text=True))
    data = {
        "form_key": key,
        "on_behalf_of": "self",
        "amount": "1000",
        "currency": "USD",
        "year": str(TODAY.year),
    }
    before = _pledges()
    first = client.post("/pledges/new", data=data)
    second = client.post("/pledges/new", data=data)
    assert first.status_code == 302
    # Before the fix: a second pledge.
    assert _pledges() == before + 1
    assert second.status_code == 302 and second.location == first.location
    page = client.get(second.location).get_data(as_text=True)
    assert "already sent" in page


def test_finance_posting_the_pledge_form_twice_records_once(client, sign_in):
    donor = institutional_donor("Republic of P")
    sign_in(finance_user())
    key = _key_on(client.get("/donations/pledges/new").get_data(as_text=True))
    data = {
        "form_key": key,
        "on_behalf_of": f"donor:{donor.id}",
        "amount": "50000",
        "currency": "USD",
        "year": str(TODAY.year),
    }
    first = client.post("/donations/pledges/new", data=data)
    second = client.post("/donations/pledges/new", data=data)
    assert first.status_code == 302 and second.location == first.location
    count = select(func.count()).select_from(Pledge).where(Pledge.donor_id == donor.id)
    assert db.session.scalar(count) == 1


def test_the_same_key_after_a_refused_post_still_records(client, sign_in):
    sign_in(user_with(Role.DONOR))
    key = _key_on(client.get("/pledges/new").get_data(as_text=True))
    data = {"form_key": key, "on_behalf_of": "self", "currency": "USD", "year": "1990"}
    refused = client.post("/pledges/new", data={**data, "amount": "1000"})
    assert refused.status_code == 200  # the year is out of range: nothing recorded
    assert _key_on(refused.get_data(as_text=True)) == key  # the page keeps its key
    before = _pledges()
    fixed = client.post("/pledges/new", data={**data, "amount": "1000", "year": TODAY.year})
    assert fixed.status_code == 302 and _pledges() == before + 1


def test_posting_the_bank_receipt_form_twice_shows_the_receipt_recorded(client, sign_in):
    sign_in(finance_user())
    key = _key_on(client.get("/donations/bank-receipts/new").get_data(as_text=True))
    data = {
        "form_key": key,
        "value_date": TODAY.isoformat(),
        "amount": "700",
        "currency": "USD",
        "bank_reference": "ONCE-ONLY-1",
    }
    first = client.post("/donations/bank-receipts/new", data=data)
    second = client.post("/donations/bank-receipts/new", data=data)
    assert first.status_code == 302
    # Before the fix: the second post was refused as a duplicate reference, with an error.
    assert second.status_code == 302 and second.location == first.location
    count = select(func.count()).select_from(BankReceipt)
    assert db.session.scalar(count.where(BankReceipt.bank_reference == "ONCE-ONLY-1")) == 1


def test_a_key_used_by_someone_else_is_refused(client, sign_in):
    sign_in(user_with(Role.DONOR))
    key = _key_on(client.get("/pledges/new").get_data(as_text=True))
    data = {
        "form_key": key,
        "on_behalf_of": "self",
        "amount": "10",
        "currency": "USD",
        "year": str(TODAY.year),
    }
    first = client.post("/pledges/new", data=data)
    assert first.status_code == 302
    sign_in(user_with(Role.DONOR))
    before = _pledges()
    stolen = client.post("/pledges/new", data=data)
    assert stolen.status_code == 409 and _pledges() == before


# --- two posts at the same moment (PostgreSQL) --------------------------------------------------


@pytest.fixture
def cleanup(app: Flask) -> Iterator[None]:
    with committed_rows_removed(app):
        yield


@pytest.mark.postgres
@pytest.mark.real_commits
def test_two_posts_of_one_form_at_the_same_moment_make_one_pledge(app, cleanup):
    def setup() -> tuple[int, int]:
        officer = finance_user()
        return officer.id, institutional_donor("Republic of Twice").id

    from app.platform.submissions import claim_form_key, new_form_key, remember_form_record

    officer_id, donor_id = committed(app, setup)
    key = new_form_key()

    def post() -> tuple[str, int]:
        officer = db.session.get(User, officer_id)
        earlier = claim_form_key(key=key, form="pledge", user_id=officer_id)
        if earlier is not None:
            return "shown", earlier
        pledge = services.make_pledge(
            actor=officer,
            donor=db.session.get(Donor, donor_id),
            amount=1_000_00,
            currency="USD",
            year=TODAY.year,
        )
        remember_form_record(key=key, record_id=pledge.id)
        return "created", pledge.id

    outcomes = race(app, [post, post])
    assert sorted(kind for kind, _id in outcomes) == ["created", "shown"], outcomes
    assert outcomes[0][1] == outcomes[1][1]

    def count() -> int:
        query = select(func.count()).select_from(Pledge).where(Pledge.donor_id == donor_id)
        return db.session.scalar(query) or 0

    assert committed(app, count) == 1
