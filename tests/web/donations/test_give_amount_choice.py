"""The Give page's amount as the donor last chose it, even without JavaScript: a suggested amount
is picked by default, and typing an amount cannot unpick it there, so the typed amount wins;
the page loads no third-party script until the donor reaches the card step."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.donations.memory_gateway import MemoryGateway
from app.donations.models import Gift
from app.platform.extensions import db
from tests.donations_support import enable_stripe


@pytest.fixture
def gateway(app, monkeypatch):
    return enable_stripe(app, monkeypatch, MemoryGateway())


def _give(client, **amount: str):
    response = client.post(
        "/give",
        data={
            "currency": "USD",
            "frequency": "one_off",
            "name": "Awa Diallo",
            "email": "awa@example.org",
            "recognition": "anonymous",
            **amount,
        },
    )
    assert response.status_code == 200, response.get_json()
    token = response.get_json()["confirm_url"].split("/")[2]
    return db.session.execute(select(Gift).where(Gift.public_token == token)).scalar_one()


def test_a_typed_amount_wins_over_the_suggestion_left_selected(client, gateway):
    assert _give(client, amount="25", custom_amount="40").amount == 40_00


def test_a_suggestion_alone_is_the_gift(client, gateway):
    assert _give(client, amount="25", custom_amount=" ").amount == 25_00


def test_a_typed_amount_that_cannot_be_read_is_not_replaced_by_the_suggestion(client, gateway):
    response = client.post(
        "/give",
        data={
            "amount": "25",
            "custom_amount": "forty",
            "currency": "USD",
            "name": "Awa Diallo",
            "email": "awa@example.org",
        },
    )
    assert response.status_code == 422
    assert "custom_amount" in response.get_json()["error"]["fields"]


def test_the_page_says_the_typed_amount_replaces_the_suggestion(client, gateway):
    page = client.get("/give").get_data(as_text=True)
    assert "An amount typed here replaces the one chosen above." in page
    assert 'aria-describedby="custom_amount-help"' in page
