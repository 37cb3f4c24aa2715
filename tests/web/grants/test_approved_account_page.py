"""The tranche page when the grantee's bank account changed after the approval: it says so, offers
no Send, and a checker other than the maker approves the new destination."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.grants import services as grants
from app.grants.models import TrancheStatus
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.bank_support import confirmed_account
from tests.grants_support import USD, active_grant, fund, officers
from tests.web.grants.test_grant_pages import text


@pytest.fixture
def funded():
    fund(200_000 * USD)


def test_a_changed_account_is_approved_again_before_the_money_is_sent(client, sign_in, funded):
    grant = active_grant()
    tranche = grant.tranches[0]
    people = officers()
    grants.request_disbursement(actor=people.maker, tranche=tranche)
    grants.approve_disbursement(actor=people.checker, tranche=tranche)
    # A new account, confirmed and out of its hold: only the approval is out of date.
    new = confirmed_account(grant.organisation, confirmed_at=utcnow() - timedelta(days=20))

    sign_in(people.maker)
    html = client.get(f"/grants/tranches/{tranche.id}").get_data(as_text=True)
    assert f'action="/grants/tranches/{tranche.id}/send"' not in html
    # The maker may not approve it again.
    assert f'action="/grants/tranches/{tranche.id}/approve"' not in html
    page = text(client.get(f"/grants/tranches/{tranche.id}"))
    assert "approved for another bank account than the grantee's account above" in page
    refused = text(client.post(f"/grants/tranches/{tranche.id}/send", follow_redirects=True))
    assert "must approve it again before it is sent" in refused
    db.session.expire_all()
    assert tranche.status == TrancheStatus.APPROVED

    sign_in(people.checker)
    page = client.get(f"/grants/tranches/{tranche.id}").get_data(as_text=True)
    assert f'action="/grants/tranches/{tranche.id}/approve"' in page
    client.post(f"/grants/tranches/{tranche.id}/approve")
    db.session.expire_all()
    assert tranche.approved_account_id == new.id

    sign_in(people.maker)
    page = text(client.get(f"/grants/tranches/{tranche.id}"))
    assert "approved for another bank account" not in page
    client.post(f"/grants/tranches/{tranche.id}/send")
    db.session.expire_all()
    assert tranche.status == TrancheStatus.SENT
