"""What happened to a gift's money, on the ledger: success, failure, refunds, reversals."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.accounts.models import User, UserRole
from app.accounts.permissions import ROLE_PERMISSIONS, Permission, has_permission
from app.audit.services import record_event
from app.donations.gateway import StripeReader, stripe_id
from app.donations.models import DonationReceipt, Gift, GiftRefund, GiftStatus
from app.donations.payments.common import stripe_time
from app.donations.services import (
    Conversion,
    convert_to_functional,
    functional_currency,
    issue_receipt,
)
from app.donations.workflow import GIFT_WORKFLOW
from app.ledger.chart import CASH_STRIPE, FUND_AVAILABLE, account_by_key
from app.ledger.models import TransferCode
from app.ledger.rules import TransferSpec
from app.ledger.services.posting import post_transfers, require_accepted, transfer_id
from app.notifications.models import NotificationKind
from app.notifications.services import link_to, notify_all
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.money import convert_at_rate


def fail_gift(gift: Gift, *, message: str | None) -> None:
    if gift.status != GiftStatus.PENDING:
        return
    GIFT_WORKFLOW.transition(gift, GiftStatus.FAILED, actor=None, reason=(message or "")[:200])
    gift.failure_message = (message or "")[:500] or None
    gift.failed_at = utcnow()


def _fee_in_functional(
    gateway: StripeReader,
    charge: Mapping[str, Any],
    gift: Gift,
    conversion: Conversion,
    day: date,
) -> int:
    """The processing fee from the charge's balance transaction, in the functional currency."""
    transaction_id = stripe_id(charge.get("balance_transaction"))
    if not transaction_id:
        return 0
    transaction = gateway.retrieve_balance_transaction(transaction_id)
    fee = int(transaction.get("fee") or 0)
    if fee <= 0:
        return 0
    currency = str(transaction.get("currency") or gift.currency).upper()
    return stripe_amount_in_functional(
        fee, currency=currency, gift=gift, rate=conversion.rate, on=day
    )


def stripe_amount_in_functional(
    amount: int, *, currency: str, gift: Gift, rate: Decimal, on: date
) -> int:
    """An amount Stripe charged us (a fee), in the functional currency: as it is, at the gift's
    rate when in the gift's currency, else at the rate in force on the day."""
    functional = functional_currency()
    if currency == functional:
        return amount
    if currency == gift.currency:
        return convert_at_rate(amount, currency=currency, rate=rate, to_currency=functional)
    return convert_to_functional(amount=amount, currency=currency, on=on).amount


def record_success(
    gateway: StripeReader, gift: Gift, *, charge_id: str | None, paid_at: datetime
) -> DonationReceipt | None:
    """The gift succeeded: gross and fee on the ledger, a numbered receipt. Once only."""
    if gift.status == GiftStatus.SUCCEEDED:
        return None
    charge: Mapping[str, Any] = gateway.retrieve_charge(charge_id) if charge_id else {}
    if charge.get("created"):
        paid_at = stripe_time(charge.get("created"))
    day = paid_at.date()
    conversion = convert_to_functional(amount=gift.amount, currency=gift.currency, on=day)
    fee = _fee_in_functional(gateway, charge, gift, conversion, day)
    GIFT_WORKFLOW.transition(
        gift,
        GiftStatus.SUCCEEDED,
        actor=None,
        changes={"functional_amount": conversion.amount, "fee": fee},
    )
    gift.functional_amount = conversion.amount
    gift.fx_rate = conversion.rate
    gift.fx_month = conversion.month
    gift.fee_amount = fee
    gift.stripe_charge_id = charge_id
    gift.succeeded_at = paid_at
    gift.failure_message = None
    cash = account_by_key(CASH_STRIPE).id
    available = account_by_key(FUND_AVAILABLE).id
    document_type, document_id = "gift", str(gift.id)
    specs = [
        TransferSpec(
            id=transfer_id("gift", gift.id, "gross"),
            code=TransferCode.GIFT,
            amount=conversion.amount,
            debit_account_id=cash,
            credit_account_id=available,
            memo=f"Gift {gift.amount} {gift.currency} at {conversion.rate}",
            document_type=document_type,
            document_id=document_id,
        )
    ]
    if fee > 0:
        specs.append(
            TransferSpec(
                id=transfer_id("gift", gift.id, "fee"),
                code=TransferCode.FEE,
                amount=fee,
                debit_account_id=available,
                credit_account_id=cash,
                memo="Card processing fee",
                document_type=document_type,
                document_id=document_id,
            )
        )
    require_accepted(post_transfers(specs, actor=None))
    db.session.flush()
    return issue_receipt(gift=gift)


def reversal_in_functional(gift: Gift, amount: int) -> tuple[int, int]:
    """What a refund or lost dispute of ``amount`` takes back, at the gift's own rate, and how
    much of ``amount`` (gift currency) goes beyond what the gift brought in.

    Computed on the running total, so two partial refunds that make the whole reverse exactly
    the gross that was booked. Money beyond the gift is real too: a dispute lost after a full
    refund is taken by Stripe a second time, and is booked like the rest (at the gift's rate).
    """
    assert gift.functional_amount is not None and gift.fx_rate is not None
    before = gift.refunded_amount + gift.lost_amount
    within = max(0, min(amount, gift.amount - before))
    beyond = amount - within
    functional = 0
    if within:
        after = before + within
        if after == gift.amount:
            total = gift.functional_amount
        else:
            total = convert_at_rate(
                after, currency=gift.currency, rate=gift.fx_rate, to_currency=functional_currency()
            )
        # Nothing beyond the gift was booked yet (before < amount): all of it was within.
        functional = total - gift.reversed_functional_amount
    if beyond:
        functional += convert_at_rate(
            beyond, currency=gift.currency, rate=gift.fx_rate, to_currency=functional_currency()
        )
    return functional, beyond


def post_reversal(
    gift: Gift,
    *,
    key: tuple[str, str],
    amount: int,
    code: TransferCode,
    document_type: str,
    document_id: int,
    memo: str,
) -> None:
    if amount <= 0:
        return
    require_accepted(
        post_transfers(
            [
                TransferSpec(
                    id=transfer_id(*key),
                    code=code,
                    amount=amount,
                    debit_account_id=account_by_key(FUND_AVAILABLE).id,
                    credit_account_id=account_by_key(CASH_STRIPE).id,
                    document_type=document_type,
                    document_id=str(document_id),
                    memo=memo,
                )
            ],
            actor=None,
        )
    )


def sync_refunds(gateway: StripeReader, gift: Gift) -> None:
    if gift.status != GiftStatus.SUCCEEDED or not gift.stripe_charge_id:
        return
    known = {refund.stripe_refund_id for refund in gift.refunds}
    refunds = sorted(gateway.list_refunds(gift.stripe_charge_id), key=lambda r: r.get("created", 0))
    for refund in refunds:
        refund_id = str(refund["id"])
        if refund_id in known or refund.get("status") not in ("succeeded", None):
            continue
        amount = int(refund["amount"])
        functional, beyond = reversal_in_functional(gift, amount)
        record = GiftRefund(
            gift=gift, stripe_refund_id=refund_id, amount=amount, functional_amount=functional
        )
        db.session.add(record)
        db.session.flush()
        post_reversal(
            gift,
            key=("gift_refund", refund_id),
            amount=functional,
            code=TransferCode.REFUND,
            document_type="gift_refund",
            document_id=record.id,
            memo=f"Refund of {amount} {gift.currency} on gift {gift.id}",
        )
        record_event(
            actor=None,
            action="gift.refunded",
            subject=gift,
            summary=f"refund {amount} {gift.currency} ({refund_id})",
            changes={"refund": refund_id, "amount": amount, "functional_amount": functional},
        )
        if beyond:
            tell_finance(gift, what=f"refund {refund_id} beyond the gift")
        known.add(refund_id)


# Notes on the event being applied, added to its stored outcome (see webhook.handle_stripe_event).
EVENT_NOTES = "stripe_event_notes"


def tell_finance(gift: Gift, *, what: str) -> None:
    """Money left beyond what a gift brought in: finance should look (and may ask the donor or
    the bank). The notice carries references only (DESIGN §6)."""
    roles = [
        role
        for role, granted in ROLE_PERMISSIONS.items()
        if Permission.RECORD_BANK_RECEIPT in granted
    ]
    staff = db.session.execute(
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(roles), User.is_active.is_(True))
        .order_by(User.id)
        .distinct()
    ).scalars()
    notify_all(
        [user for user in staff if has_permission(user, Permission.RECORD_BANK_RECEIPT)],
        kind=NotificationKind.ATTENTION_NEEDED,
        link=link_to("donations.gift", gift_id=gift.id),
        params={"reference": f"gift {gift.id}: {what}, money taken beyond the gift"},
    )
    db.session.info.setdefault(EVENT_NOTES, []).append("beyond the gift: finance told")
