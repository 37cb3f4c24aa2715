"""Helpers for the restricted-contribution tests: a donor's pledge, restricted and paid."""

from __future__ import annotations

import itertools
from typing import Any

from app.donations import services as donations
from app.donations.models import Donor, DonorKind, Pledge
from app.donations.services.restrictions import RestrictionTerms, restrict_pledge
from app.funding.models import Restriction
from app.funding.services import restricted_key
from app.ledger import chart
from app.ledger.services.balances import account_balance
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.donations_support import finance_user

_references = itertools.count(1)


def donor(name: str = "Norway", kind: DonorKind = DonorKind.MEMBER_STATE) -> Donor:
    record = Donor(kind=kind, name=name, country="NO")
    db.session.add(record)
    db.session.flush()
    return record


def paid_pledge(
    giver: Donor, amount: int, *, terms: RestrictionTerms | None = None, actor: Any = None
) -> tuple[Pledge, Restriction | None]:
    """A pledge (restricted when ``terms`` are given), confirmed and paid in full, in USD."""
    officer = actor or finance_user()
    today = utcnow().date()
    pledge = donations.make_pledge(
        actor=officer, donor=giver, amount=amount, currency="USD", year=today.year
    )
    restriction = (
        restrict_pledge(actor=officer, pledge=pledge, terms=terms) if terms is not None else None
    )
    donations.confirm_pledge(actor=officer, pledge=pledge, on=today)
    receipt, _numbered = donations.record_bank_receipt(
        actor=officer,
        value_date=today,
        amount=amount,
        currency="USD",
        bank_reference=f"RX-{next(_references)}-{pledge.id}",
        donor=giver,
        confirmed_different=True,
    )
    donations.allocate_bank_receipt(
        actor=officer, bank_receipt=receipt, pledge=pledge, amount=amount
    )
    return pledge, restriction


def restricted_balance(restriction: Restriction) -> int:
    account = chart.account_by_key(restricted_key(restriction.id))
    return account_balance(account=account).available
