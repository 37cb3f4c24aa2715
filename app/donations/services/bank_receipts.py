"""Recording money seen on the bank statement, each transfer once."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.accounts.permissions import Permission, ensure_permission
from app.audit.services import record_event
from app.donations.models import BankReceipt, DonationReceipt, Donor
from app.donations.services.checks import check_amount, check_currency
from app.donations.services.exchange_rates import convert_to_functional
from app.donations.services.receipts import issue_receipt
from app.platform.db import utcnow
from app.platform.errors import N_, Conflict, ValidationFailed
from app.platform.extensions import db

# Two receipts of the same amount from the same donor this many days apart or less may be one
# transfer recorded twice: the finance officer is asked before the second is recorded.
SIMILAR_RECEIPT_DAYS = 3


class PossibleDuplicate(Conflict):
    """A receipt much like this one is recorded; recorded anyway once the officer confirms."""


def reference_key(reference: str) -> str:
    """What tells two transfers apart in a bank reference: its letters and digits, in upper case
    ("PROBE-RCPT-1", "probe rcpt 1" and "PROBE.RCPT/1" are one transfer). Stored receipts
    are keyed by this rule: change it only with a migration that keys them again."""
    text = unicodedata.normalize("NFKC", reference).upper()
    return "".join(char for char in text if char.isalnum())


def _similar_receipt(
    *,
    donor: Donor | None,
    payer_name: str | None,
    amount: int,
    currency: str,
    value_date: date,
) -> BankReceipt | None:
    """A recorded receipt of the same amount, from the same donor (or payer, when the donor is
    not known), with a value date a few days from this one."""
    query = sa.select(BankReceipt).where(
        BankReceipt.amount == amount,
        BankReceipt.currency == currency,
        BankReceipt.value_date.between(
            value_date - timedelta(days=SIMILAR_RECEIPT_DAYS),
            value_date + timedelta(days=SIMILAR_RECEIPT_DAYS),
        ),
    )
    if donor is not None:
        query = query.where(BankReceipt.donor_id == donor.id)
    elif payer_name and payer_name.strip():
        query = query.where(sa.func.lower(BankReceipt.payer_name) == payer_name.strip().lower())
    else:
        return None
    return db.session.execute(
        query.order_by(BankReceipt.value_date, BankReceipt.id).limit(1)
    ).scalar_one_or_none()


def record_bank_receipt(
    *,
    actor: User,
    value_date: date,
    amount: int,
    currency: str,
    bank_reference: str,
    donor: Donor | None = None,
    payer_name: str | None = None,
    note: str | None = None,
    confirmed_different: bool = False,
) -> tuple[BankReceipt, DonationReceipt]:
    """Record money seen on the bank statement; it stays unapplied until matched to pledges.

    The same reference written another way is refused; the same amount from the same donor a
    few days apart is questioned (``PossibleDuplicate``) unless ``confirmed_different``."""
    ensure_permission(actor, Permission.RECORD_BANK_RECEIPT)
    currency = check_currency(currency)
    check_amount(amount)
    key = reference_key(bank_reference)
    if not key:
        raise ValidationFailed(N_("Please give the bank reference."))
    if value_date > utcnow().date():
        raise ValidationFailed(N_("The value date cannot be in the future."))
    _refuse_recorded_reference(key=key, bank_reference=bank_reference)
    similar = _similar_receipt(
        donor=donor, payer_name=payer_name, amount=amount, currency=currency, value_date=value_date
    )
    if similar is not None and not confirmed_different:
        raise _possible_duplicate(similar)
    conversion = convert_to_functional(amount=amount, currency=currency, on=value_date)
    receipt = BankReceipt(
        donor=donor,
        value_date=value_date,
        amount=amount,
        currency=currency,
        bank_reference=bank_reference.strip()[:100],
        reference_key=key[:100],
        payer_name=(payer_name or "").strip()[:300] or None,
        note=(note or "").strip() or None,
        functional_amount=conversion.amount,
        fx_rate=conversion.rate,
        fx_month=conversion.month,
        recorded_by_id=actor.id,
    )
    _add_receipt(receipt, bank_reference=bank_reference)
    record_event(
        actor=actor,
        action="bank_receipt.recorded",
        subject=receipt,
        summary=f"{amount} {currency} on {value_date.isoformat()} ({receipt.bank_reference})"
        + (f"; confirmed not the same as receipt {similar.id}" if similar is not None else ""),
    )
    return receipt, issue_receipt(bank_receipt=receipt)


def _refuse_recorded_reference(*, key: str, bank_reference: str) -> None:
    """The same transfer, its reference written another way, is recorded once only."""
    duplicate = db.session.execute(
        sa.select(BankReceipt).where(BankReceipt.reference_key == key)
    ).scalar_one_or_none()
    if duplicate is not None:
        raise Conflict(
            N_("The bank reference %(reference)s is already recorded (as %(earlier)s)."),
            reference=bank_reference,
            earlier=duplicate.bank_reference,
        )


def _possible_duplicate(similar: BankReceipt) -> PossibleDuplicate:
    """The question put to the officer when a receipt much like this one is recorded."""
    return PossibleDuplicate(
        N_(
            "A receipt of the same amount from the same donor is already recorded, with "
            "value date %(date)s and bank reference %(earlier)s. If this is a different "
            "transfer, tick the box to say so and record it again."
        ),
        date=similar.value_date.isoformat(),
        earlier=similar.bank_reference,
    )


def _add_receipt(receipt: BankReceipt, *, bank_reference: str) -> None:
    db.session.add(receipt)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # Someone recorded the same reference a moment ago.
        raise Conflict(
            N_("The bank reference %(reference)s is already recorded."), reference=bank_reference
        )
