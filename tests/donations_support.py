"""Helpers for the donations tests: rates, donors, signed Stripe payloads, ledger balances."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.accounts.models import Role
from app.donations import services
from app.donations.memory_gateway import MemoryGateway
from app.donations.models import Donor, DonorKind, ExchangeRate
from app.donations.reports.contributions import ContributionRow
from app.donations.reports.totals import NOT_COUNTED, Totals
from app.ledger import chart
from app.ledger.models import TransferCode
from app.ledger.rules import TransferSpec
from app.ledger.services.balances import account_balance
from app.ledger.services.posting import post_transfers, require_accepted
from app.ledger.verify import verify_ledger
from app.platform.extensions import db
from tests.factories import user_with

WEBHOOK_SECRET = "whsec_test_donations"


def finance_user() -> Any:
    return user_with(Role.FINANCE)


def add_rate(currency: str, month: date, rate: str) -> ExchangeRate:
    record = ExchangeRate(currency=currency, month=month.replace(day=1), rate=Decimal(rate))
    db.session.add(record)
    db.session.flush()
    return record


def institutional_donor(name: str = "Norway", kind: DonorKind = DonorKind.MEMBER_STATE) -> Donor:
    donor = Donor(kind=kind, name=name, country="NO")
    db.session.add(donor)
    db.session.flush()
    return donor


def posted(key: str) -> int:
    """An account's posted balance on its normal side (assets: debit; fund: credit)."""
    account = chart.account_by_key(key)
    db.session.refresh(account)
    return account_balance(account=account).posted


def seed_fund(amount: int) -> None:
    """Money already in the fund (as if paid earlier), so refunds have something to come out of."""
    require_accepted(
        post_transfers(
            [
                TransferSpec(
                    id=uuid.uuid4(),
                    code=TransferCode.ADJUSTMENT,
                    amount=amount,
                    debit_account_id=chart.account_by_key(chart.CASH_BANK).id,
                    credit_account_id=chart.account_by_key(chart.FUND_AVAILABLE).id,
                    memo="test: earlier contributions",
                )
            ],
            actor=None,
        )
    )


def assert_ledger_ok() -> None:
    report = verify_ledger()
    assert report.ok, report.problems


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe would send: HMAC-SHA256 of "{t}.{body}"."""
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


def deliver(
    client: FlaskClient,
    event: dict[str, Any],
    *,
    secret: str = WEBHOOK_SECRET,
    timestamp: int | None = None,
    signature: str | None = None,
) -> Any:
    """POST an event to the webhook the way Stripe does: raw JSON body, signed header."""
    body = json.dumps(event).encode()
    header = signature if signature is not None else sign(body, secret=secret, timestamp=timestamp)
    return client.post(
        "/webhooks/stripe",
        data=body,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )


def enable_stripe(app: Flask, monkeypatch: Any, gateway: Any | None = None) -> MemoryGateway:
    """Stripe settings on, with an in-memory Stripe standing in for the real one."""
    gateway = gateway or MemoryGateway()
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_donations")
    monkeypatch.setitem(app.config, "STRIPE_PUBLISHABLE_KEY", "pk_test_donations")
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setitem(app.extensions, "donations.gateway", gateway)
    return gateway


def start_and_confirm(
    gateway: MemoryGateway,
    *,
    amount: int = 25_00,
    currency: str = "USD",
    monthly: bool = False,
    email: str = "ada@example.org",
    name: str = "Ada Giver",
    card: str = "pm_card_visa",
    actor: Any = None,
    public: bool = False,
) -> Any:
    """A gift as the Give page makes it: start, save the card, confirm. Returns the record."""
    from app.donations import payments

    started = payments.start_gift(
        actor=actor,
        gateway=gateway,
        request=payments.GiveRequest(
            amount=amount,
            currency=currency,
            monthly=monthly,
            name=name,
            email=email,
            public_recognition=public,
        ),
    )
    record = payments.find_by_token(started.token)
    gateway.complete_setup(record.stripe_setup_intent_id, card)
    if monthly:
        payments.confirm_monthly_gift(
            actor=actor,
            gateway=gateway,
            subscription=record,
            setup_intent_id=record.stripe_setup_intent_id,
        )
    else:
        payments.confirm_gift(
            actor=actor, gateway=gateway, gift=record, setup_intent_id=record.stripe_setup_intent_id
        )
    db.session.flush()
    return record


__all__ = ["services"]


def listed_totals(rows: Iterable[ContributionRow]) -> Totals:
    """The reference for the contributions list's totals: the listed rows summed one by one,
    leaving out what NOT_COUNTED names (the app sums them in SQL)."""
    result = Totals()
    for row in rows:
        result.rows += 1
        if row.status in NOT_COUNTED:
            continue
        result.by_currency[row.currency] += row.amount
        result.functional += row.functional_amount
        result.received_functional += row.received_functional
        result.fees_functional += row.fee_functional
        if row.outstanding:
            result.outstanding_by_currency[row.currency] += row.outstanding
    return result
