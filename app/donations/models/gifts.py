"""Card gifts: one-off and monthly gifts, their refunds and disputes, and Stripe's webhook
events as received."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.donations.models.donors import Donor
from app.donations.models.exchange_rates import Rate
from app.platform.db import Model, Money, TimestampMixin, UTCDateTime, str_enum, utcnow


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


class GiftSubscription(TimestampMixin, Model):
    """A monthly gift: a Stripe subscription on a plan per (amount, currency, month)."""

    __tablename__ = "gift_subscriptions"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    donor_id: Mapped[int] = mapped_column(sa.ForeignKey("donors.id"), index=True)
    # The name typed on the Give page: the donor record is found by e-mail address, which two
    # people (a couple) may share, so each month's receipt names whoever set the gift up.
    donor_name: Mapped[str] = mapped_column(sa.String(300))
    # The language of the page it was given on: each month's receipt is written in it.
    locale: Mapped[str | None] = mapped_column(sa.String(10))
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
    # The language of the page it was given on: its receipt e-mail is written in it (the webhook
    # that records the gift comes from Stripe, in no visitor's language).
    locale: Mapped[str | None] = mapped_column(sa.String(10))
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
