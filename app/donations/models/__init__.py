"""Donors and what they give: card gifts, monthly gifts, pledges, bank receipts, FX rates, receipts.

Money is integer minor units plus an ISO code; every contribution in another currency keeps its
own amount *and* its functional-currency amount with the rate used, so reports never convert
twice. Refunds, disputes and allocations are new rows: a recorded payment is never edited.

One module per family of tables: ``donors``, ``exchange_rates``, ``gifts`` (card gifts, monthly
gifts, refunds, disputes, Stripe's events), ``pledges``, ``bank_receipts`` and ``receipts``.
The names below are the package's interface (``from app.donations.models import Gift``), and
importing it maps every table, which the relationships between the modules need.
"""

from __future__ import annotations

from app.donations.models.bank_receipts import BankReceipt, BankReceiptAllocation
from app.donations.models.donors import GOVERNMENT_KINDS, Donor, DonorKind
from app.donations.models.exchange_rates import ExchangeRate, Rate
from app.donations.models.gift_totals import GiftTotal
from app.donations.models.gifts import (
    LIVE_SUBSCRIPTION_STATUSES,
    Gift,
    GiftDispute,
    GiftKind,
    GiftRefund,
    GiftStatus,
    GiftSubscription,
    StripeEvent,
    SubscriptionStatus,
)
from app.donations.models.pledges import (
    PAYABLE_PLEDGE_STATUSES,
    Pledge,
    PledgeInstalment,
    PledgeStatus,
)
from app.donations.models.receipts import DonationReceipt, ReceiptSequence
from app.donations.models.received_totals import ReceivedTotal

__all__ = [
    "GOVERNMENT_KINDS",
    "LIVE_SUBSCRIPTION_STATUSES",
    "PAYABLE_PLEDGE_STATUSES",
    "BankReceipt",
    "BankReceiptAllocation",
    "DonationReceipt",
    "Donor",
    "DonorKind",
    "ExchangeRate",
    "Gift",
    "GiftDispute",
    "GiftKind",
    "GiftRefund",
    "GiftStatus",
    "GiftSubscription",
    "GiftTotal",
    "Pledge",
    "PledgeInstalment",
    "PledgeStatus",
    "Rate",
    "ReceiptSequence",
    "ReceivedTotal",
    "StripeEvent",
    "SubscriptionStatus",
]
