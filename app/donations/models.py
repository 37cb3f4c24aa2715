"""Donors and what they give: card gifts, monthly gifts, pledges, bank receipts, FX rates, receipts.

Money is integer minor units plus an ISO code; every contribution in another currency keeps its
own amount *and* its functional-currency amount with the rate used, so reports never convert
twice. Refunds, disputes and allocations are new rows: a recorded payment is never edited.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.platform.db import Model, Money, TimestampMixin, UTCDateTime, str_enum, utcnow

# Exchange rates and the copies kept on each conversion. Ten significant digits at most
# (checked by the service), so the value is exact on SQLite too.
Rate = sa.Numeric(18, 8)


class DonorKind(StrEnum):
    MEMBER_STATE = "member_state"
    GOVERNMENT = "government"
    INTERGOVERNMENTAL = "intergovernmental"
    COMPANY = "company"
    FOUNDATION = "foundation"
    INDIVIDUAL = "individual"


# Governments are listed by name on the public page whatever they chose (UN practice).
GOVERNMENT_KINDS = frozenset({DonorKind.MEMBER_STATE, DonorKind.GOVERNMENT})


class GiftKind(StrEnum):
    ONE_OFF = "one_off"
    MONTHLY = "monthly"


class GiftStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class SubscriptionStatus(StrEnum):
    """Stripe's subscription states, mirrored from the object it returns."""

    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    UNPAID = "unpaid"
    PAUSED = "paused"
    CANCELED = "canceled"


# A monthly gift in these states still takes money and can be stopped.
LIVE_SUBSCRIPTION_STATUSES = frozenset(
    {
        SubscriptionStatus.INCOMPLETE,
        SubscriptionStatus.TRIALING,
        SubscriptionStatus.ACTIVE,
        SubscriptionStatus.PAST_DUE,
        SubscriptionStatus.UNPAID,
        SubscriptionStatus.PAUSED,
    }
)


class PledgeStatus(StrEnum):
    PLEDGED = "pledged"
    CONFIRMED = "confirmed"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    CANCELLED = "cancelled"
    WRITTEN_OFF = "written_off"


# A bank receipt can be applied to a pledge in these states.
PAYABLE_PLEDGE_STATUSES = frozenset({PledgeStatus.CONFIRMED, PledgeStatus.PARTIALLY_PAID})


class Donor(TimestampMixin, Model):
    """Who gives: a person (with or without an account) or an organisation (a Member State...)."""

    __tablename__ = "donors"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DonorKind] = mapped_column(str_enum(DonorKind, "donor_kind"), index=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    # Normalised (lower case); receipts go here.
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    country: Mapped[str | None] = mapped_column(sa.String(2))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # One donor record per organisation: its pledges and payments add up in one place.
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), unique=True
    )
    # Opt-in: listed by name on the public page (governments are listed anyway).
    public_recognition: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def is_government(self) -> bool:
        return self.kind in GOVERNMENT_KINDS

    def __repr__(self) -> str:
        return f"<Donor {self.id} {self.name}>"


class ExchangeRate(TimestampMixin, Model):
    """A monthly UN operational rate of exchange: units of ``currency`` for one unit of the
    functional currency, in force from the first day of ``month`` until the next one."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        sa.UniqueConstraint("currency", "month"),
        sa.CheckConstraint("rate > 0", name="rate_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    # Always the first day of the month.
    month: Mapped[date] = mapped_column(sa.Date)
    rate: Mapped[Decimal] = mapped_column(Rate)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"<ExchangeRate {self.currency} {self.month:%Y-%m} {self.rate}>"


class GiftSubscription(TimestampMixin, Model):
    """A monthly gift: a Stripe subscription on a plan per (amount, currency, month)."""

    __tablename__ = "gift_subscriptions"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    donor_id: Mapped[int] = mapped_column(sa.ForeignKey("donors.id"), index=True)
    # The name typed on the Give page: the donor record is found by e-mail address, which two
    # people (a couple) may share, so each month's receipt names whoever set the gift up.
    donor_name: Mapped[str] = mapped_column(sa.String(300))
    amount: Mapped[int] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[SubscriptionStatus] = mapped_column(
        str_enum(SubscriptionStatus, "gift_subscription_status"),
        default=SubscriptionStatus.INCOMPLETE,
    )
    public_recognition: Mapped[bool] = mapped_column(default=False)
    # Random: names the thank-you page and the Stripe idempotency keys (ids may be reused
    # after a rollback on SQLite, a token never is).
    public_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    stripe_customer_id: Mapped[str | None] = mapped_column(sa.String(255))
    stripe_setup_intent_id: Mapped[str | None] = mapped_column(sa.String(255))
    stripe_subscription_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    stripe_plan_id: Mapped[str | None] = mapped_column(sa.String(255))
    failure_message: Mapped[str | None] = mapped_column(sa.String(500))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    cancel_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    donor: Mapped[Donor] = relationship(lazy="joined")
    gifts: Mapped[list[Gift]] = relationship(back_populates="subscription", order_by="Gift.id")

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_SUBSCRIPTION_STATUSES


class Gift(TimestampMixin, Model):
    """One card payment: a one-off gift, or one month of a monthly gift (one Stripe invoice).

    Only the webhook moves it from pending to succeeded (money is recorded from Stripe's word,
    never from the browser's). Refunds and disputes are rows of their own.
    """

    __tablename__ = "gifts"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("fee_amount >= 0", name="fee_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    donor_id: Mapped[int] = mapped_column(sa.ForeignKey("donors.id"), index=True)
    subscription_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("gift_subscriptions.id"), index=True
    )
    # Who gave, as typed for this gift (or its monthly gift): the receipt names this person, not
    # the donor record's name (one record per e-mail address, which two people may share).
    donor_name: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[GiftKind] = mapped_column(str_enum(GiftKind, "gift_kind"))
    status: Mapped[GiftStatus] = mapped_column(
        str_enum(GiftStatus, "gift_status"), default=GiftStatus.PENDING, index=True
    )
    amount: Mapped[int] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(sa.String(3))
    # Set when the gift succeeds: the amount in the functional currency and the rate used.
    functional_amount: Mapped[int | None] = mapped_column(Money)
    fx_rate: Mapped[Decimal | None] = mapped_column(Rate)
    fx_month: Mapped[date | None] = mapped_column(sa.Date)
    # Card processing fee in the functional currency, from Stripe's balance transaction.
    fee_amount: Mapped[int] = mapped_column(Money, default=0)
    public_recognition: Mapped[bool] = mapped_column(default=False)
    public_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    stripe_customer_id: Mapped[str | None] = mapped_column(sa.String(255))
    stripe_setup_intent_id: Mapped[str | None] = mapped_column(sa.String(255))
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    stripe_invoice_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    stripe_charge_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    failure_message: Mapped[str | None] = mapped_column(sa.String(500))
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    donor: Mapped[Donor] = relationship(lazy="joined")
    subscription: Mapped[GiftSubscription | None] = relationship(back_populates="gifts")
    refunds: Mapped[list[GiftRefund]] = relationship(
        back_populates="gift", order_by="GiftRefund.id"
    )
    disputes: Mapped[list[GiftDispute]] = relationship(
        back_populates="gift", order_by="GiftDispute.id"
    )

    @property
    def refunded_amount(self) -> int:
        return sum(refund.amount for refund in self.refunds)

    @property
    def lost_amount(self) -> int:
        return sum(d.amount for d in self.disputes if d.functional_amount_lost is not None)

    @property
    def reversed_functional_amount(self) -> int:
        """What refunds and lost disputes took back, in the functional currency."""
        return sum(r.functional_amount for r in self.refunds) + sum(
            d.functional_amount_lost or 0 for d in self.disputes
        )

    @property
    def net_functional_amount(self) -> int:
        """Gross received, less refunds and lost disputes (the fee is shown apart)."""
        if self.functional_amount is None:
            return 0
        return self.functional_amount - self.reversed_functional_amount

    @property
    def is_disputed(self) -> bool:
        return any(d.is_open for d in self.disputes)


class GiftRefund(Model):
    """Money given back on a gift (in part or in whole), as Stripe reported it."""

    __tablename__ = "gift_refunds"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gift_id: Mapped[int] = mapped_column(sa.ForeignKey("gifts.id"), index=True)
    stripe_refund_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    amount: Mapped[int] = mapped_column(Money)
    functional_amount: Mapped[int] = mapped_column(Money)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    gift: Mapped[Gift] = relationship(back_populates="refunds")


class GiftDispute(TimestampMixin, Model):
    """A chargeback opened by the card holder's bank. Its status mirrors Stripe's; when it is
    lost, the money taken back is recorded once (``functional_amount_lost``) and reversed on the
    ledger."""

    __tablename__ = "gift_disputes"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gift_id: Mapped[int] = mapped_column(sa.ForeignKey("gifts.id"), index=True)
    stripe_dispute_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    amount: Mapped[int] = mapped_column(Money)
    reason: Mapped[str | None] = mapped_column(sa.String(60))
    status: Mapped[str] = mapped_column(sa.String(40))
    functional_amount_lost: Mapped[int | None] = mapped_column(Money)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    gift: Mapped[Gift] = relationship(back_populates="disputes")

    @property
    def is_open(self) -> bool:
        return self.status not in ("won", "lost", "warning_closed", "prevented")


class Pledge(TimestampMixin, Model):
    """A promise to give (Member States by letter or Note Verbale), paid by bank transfer."""

    __tablename__ = "pledges"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_plausible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    donor_id: Mapped[int] = mapped_column(sa.ForeignKey("donors.id"), index=True)
    amount: Mapped[int] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(sa.String(3))
    year: Mapped[int] = mapped_column(index=True)
    # A Theme code (app/platform/categories.py) or None for unearmarked money (preferred).
    earmark: Mapped[str | None] = mapped_column(sa.String(40))
    status: Mapped[PledgeStatus] = mapped_column(
        str_enum(PledgeStatus, "pledge_status"), default=PledgeStatus.PLEDGED, index=True
    )
    note: Mapped[str | None] = mapped_column(sa.Text)
    # The pledge letter or agreement, in private storage (app/platform/storage.py).
    letter_key: Mapped[str | None] = mapped_column(sa.String(64))
    letter_filename: Mapped[str | None] = mapped_column(sa.String(200))
    letter_content_type: Mapped[str | None] = mapped_column(sa.String(100))
    letter_size: Mapped[int | None] = mapped_column()
    # Set on confirmation: the receivable booked, in the functional currency, and its rate.
    functional_amount: Mapped[int | None] = mapped_column(Money)
    fx_rate: Mapped[Decimal | None] = mapped_column(Rate)
    confirmed_on: Mapped[date | None] = mapped_column(sa.Date)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # What was left on the receivable when the pledge was cancelled or written off.
    closed_functional_amount: Mapped[int | None] = mapped_column(Money)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    donor: Mapped[Donor] = relationship(lazy="joined")
    instalments: Mapped[list[PledgeInstalment]] = relationship(
        back_populates="pledge", cascade="all, delete-orphan", order_by="PledgeInstalment.due_on"
    )
    allocations: Mapped[list[BankReceiptAllocation]] = relationship(
        back_populates="pledge", order_by="BankReceiptAllocation.id"
    )

    @property
    def paid_amount(self) -> int:
        return sum(a.amount for a in self.allocations)

    @property
    def outstanding_amount(self) -> int:
        if self.status in (PledgeStatus.CANCELLED, PledgeStatus.WRITTEN_OFF):
            return 0
        return max(0, self.amount - self.paid_amount)

    @property
    def paid_functional_amount(self) -> int:
        return sum(a.functional_amount for a in self.allocations)

    @property
    def carrying_amount(self) -> int:
        """What is still on the donor's receivable for this pledge (functional currency)."""
        if self.functional_amount is None:
            return 0
        return (
            self.functional_amount
            - sum(a.carrying_amount for a in self.allocations)
            - (self.closed_functional_amount or 0)
        )


class PledgeInstalment(Model):
    """When the donor intends to pay which part (informative: payments match the pledge)."""

    __tablename__ = "pledge_instalments"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pledges.id", ondelete="CASCADE"), index=True
    )
    due_on: Mapped[date] = mapped_column(sa.Date)
    amount: Mapped[int] = mapped_column(Money)

    pledge: Mapped[Pledge] = relationship(back_populates="instalments")


class BankReceipt(TimestampMixin, Model):
    """Money that arrived on the fund's bank account, as on the bank statement."""

    __tablename__ = "bank_receipts"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None while finance does not know who sent it.
    donor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("donors.id"), index=True)
    value_date: Mapped[date] = mapped_column(sa.Date, index=True)
    amount: Mapped[int] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(sa.String(3))
    bank_reference: Mapped[str] = mapped_column(sa.String(100))
    # Its letters and digits in upper case (services.reference_key): the same reference typed
    # twice, or written another way, is caught.
    reference_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    payer_name: Mapped[str | None] = mapped_column(sa.String(300))
    note: Mapped[str | None] = mapped_column(sa.Text)
    functional_amount: Mapped[int] = mapped_column(Money)
    fx_rate: Mapped[Decimal] = mapped_column(Rate)
    fx_month: Mapped[date | None] = mapped_column(sa.Date)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    donor: Mapped[Donor | None] = relationship(lazy="joined")
    allocations: Mapped[list[BankReceiptAllocation]] = relationship(
        back_populates="bank_receipt", order_by="BankReceiptAllocation.id"
    )

    @property
    def allocated_amount(self) -> int:
        return sum(a.amount for a in self.allocations)

    @property
    def unapplied_amount(self) -> int:
        """Received but not (yet) applied to a pledge: over-payments and unmatched money."""
        return self.amount - self.allocated_amount

    @property
    def unapplied_functional_amount(self) -> int:
        return self.functional_amount - sum(a.functional_amount for a in self.allocations)


class BankReceiptAllocation(Model):
    """Part of a bank receipt applied to a pledge; the ledger moves when it is made."""

    __tablename__ = "bank_receipt_allocations"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("bank_receipts.id"), index=True)
    pledge_id: Mapped[int] = mapped_column(sa.ForeignKey("pledges.id"), index=True)
    # In the pledge's (and the receipt's) currency.
    amount: Mapped[int] = mapped_column(Money)
    # Converted at the rate in force on the value date: the cash that reached the fund.
    functional_amount: Mapped[int] = mapped_column(Money)
    # The part of the pledge's receivable (booked at the confirmation rate) this settles; the
    # difference with functional_amount is the exchange gain or loss.
    carrying_amount: Mapped[int] = mapped_column(Money)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    bank_receipt: Mapped[BankReceipt] = relationship(back_populates="allocations")
    pledge: Mapped[Pledge] = relationship(back_populates="allocations")


class DonationReceipt(Model):
    """The numbered receipt for a succeeded gift or a bank receipt (one sequence per year)."""

    __tablename__ = "donation_receipts"
    __table_args__ = (
        sa.UniqueConstraint("year", "number"),
        sa.CheckConstraint("(gift_id IS NULL) <> (bank_receipt_id IS NULL)", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column()
    number: Mapped[int] = mapped_column()
    gift_id: Mapped[int | None] = mapped_column(sa.ForeignKey("gifts.id"), unique=True)
    bank_receipt_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("bank_receipts.id"), unique=True
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    gift: Mapped[Gift | None] = relationship(lazy="joined")
    bank_receipt: Mapped[BankReceipt | None] = relationship(lazy="joined")

    @property
    def reference(self) -> str:
        return f"{self.year}-{self.number:06d}"

    @property
    def donor(self) -> Donor | None:
        if self.gift is not None:
            return self.gift.donor
        return self.bank_receipt.donor if self.bank_receipt is not None else None

    @property
    def donor_name(self) -> str | None:
        """Who the receipt is made out to: the person who gave (for a gift, the name typed for
        it), else the bank receipt's donor."""
        if self.gift is not None:
            return self.gift.donor_name
        donor = self.donor
        return donor.name if donor is not None else None

    @property
    def amount(self) -> int:
        if self.gift is not None:
            return self.gift.amount
        return self.bank_receipt.amount if self.bank_receipt is not None else 0

    @property
    def currency(self) -> str:
        if self.gift is not None:
            return self.gift.currency
        return self.bank_receipt.currency if self.bank_receipt is not None else ""


class ReceiptSequence(Model):
    """The last receipt number used in a year; incremented in one UPDATE, so never twice."""

    __tablename__ = "receipt_sequences"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class StripeEvent(Model):
    """A webhook event, stored by its id before anything else: a second delivery is a no-op."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(100), index=True)
    livemode: Mapped[bool] = mapped_column(default=False)
    object_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    stripe_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    outcome: Mapped[str | None] = mapped_column(sa.String(300))
