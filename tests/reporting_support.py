"""A realistic small fund for the reporting tests, built through the real services.

* Norway (a Member State) pledges USD 100,000; finance confirms it; USD 60,000 arrives by bank.
* Ada gives USD 250.00 by card (fee 3 % + 30 cents = USD 7.80), named on the public page;
  Sam gives USD 80.00, anonymous, and is refunded USD 30.00.
* A grant of USD 10,000 (+ 13 % PSC = 11,300 committed) pays its first tranche, and its first
  progress report (12 women, 3 girls; 15 sexually exploited) is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.donations import payments
from app.donations import services as donations
from app.donations.memory_gateway import MemoryGateway
from app.donations.models import DonorKind, Gift
from app.grants.models import Grant, ReportKind, Tranche
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.donations_support import finance_user, start_and_confirm
from tests.grants_support import (
    USD,
    active_grant,
    complete_report,
    officers,
    pay,
    report_of,
)


@dataclass
class Scenario:
    grant: Grant
    tranche: Tranche
    named_gift: Gift
    refunded_gift: Gift
    gateway: MemoryGateway  # the card gifts' Stripe stand-in, for more gifts in a test


def succeed(gateway: MemoryGateway, gift: Any) -> Gift:
    intent = gateway.get(str(gift.stripe_payment_intent_id))
    payments.handle_stripe_event(
        gateway=gateway, event=gateway.event("payment_intent.succeeded", intent)
    )
    db.session.flush()
    return gift


def build_scenario() -> Scenario:
    finance = finance_user()
    today = utcnow().date()
    norway = donations.create_donor(
        actor=finance, kind=DonorKind.MEMBER_STATE, name="Norway", country="NO"
    )
    pledge = donations.make_pledge(
        actor=finance, donor=norway, amount=100_000 * USD, currency="USD", year=today.year
    )
    donations.confirm_pledge(actor=finance, pledge=pledge, on=today)
    receipt, _numbered = donations.record_bank_receipt(
        actor=finance,
        value_date=today,
        amount=60_000 * USD,
        currency="USD",
        bank_reference="NO-2026-1",
        donor=norway,
    )
    donations.allocate_bank_receipt(
        actor=finance, bank_receipt=receipt, pledge=pledge, amount=60_000 * USD
    )

    gateway = MemoryGateway(fee_percent=3, fee_fixed=30)
    named = start_and_confirm(
        gateway, amount=250_00, email="ada@example.org", name="Ada Giver", public=True
    )
    succeed(gateway, named)
    refunded = start_and_confirm(
        gateway, amount=80_00, email="sam@example.org", name="Sam Taylor", public=False
    )
    succeed(gateway, refunded)
    payments.handle_stripe_event(
        gateway=gateway, event=gateway.refund(str(refunded.stripe_charge_id), 30_00)
    )
    db.session.flush()

    grant = active_grant(amount=10_000 * USD)
    grant.application.countries = ["NG"]
    grant.application.target_groups = ["women_and_girls", "children"]
    tranche = pay(grant.tranches[0], officers())
    complete_report(report_of(grant, ReportKind.PROGRESS, 1))
    db.session.flush()
    return Scenario(
        grant=grant, tranche=tranche, named_gift=named, refunded_gift=refunded, gateway=gateway
    )
