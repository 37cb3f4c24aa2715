"""Demo contributions: monthly exchange rates, Member State pledges in several currencies (partly
paid, one over-paid, one restricted to a country), an unmatched bank receipt, card gifts one-off
and monthly, and one refund.

Card gifts go through the real webhook code with an in-memory Stripe (no network): the same
services record them, post them on the ledger and number their receipts. Idempotent: a second
run finds the first demo bank receipt and does nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.accounts.models import User
from app.donations import payments, services
from app.donations.memory_gateway import MemoryGateway
from app.donations.models import (
    BankReceipt,
    Donor,
    DonorKind,
    Gift,
    GiftSubscription,
    Pledge,
)
from app.donations.services.restrictions import RestrictionTerms, restrict_pledge
from app.platform.db import utcnow
from app.platform.extensions import db

MARKER = "DEMO-DE-001"

# Units of each currency for one US dollar, roughly the UN operational rates of 2026.
RATES = {
    "EUR": Decimal("0.921"),
    "GBP": Decimal("0.788"),
    "CHF": Decimal("0.884"),
    "JPY": Decimal("149.6"),
    "NOK": Decimal("10.62"),
    "SEK": Decimal("10.41"),
}


def _month(today: date, back: int) -> date:
    year, month = today.year, today.month - back
    while month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1)


def _user(email: str) -> User | None:
    return db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()


def load_demo_donations() -> int:
    """Load the demo contributions; returns how many bank receipts were recorded (0 if loaded)."""
    if db.session.execute(
        select(BankReceipt).where(BankReceipt.reference_key == services.reference_key(MARKER))
    ).scalar_one_or_none():
        return 0
    finance = _user("finance@demo.test")
    diego = _user("donor@demo.test")
    if finance is None:
        return 0
    today = utcnow().date()

    # Twelve months of rates, drifting a little so conversions differ from month to month.
    for back in range(12, -1, -1):
        month = _month(today, back)
        for currency, rate in RATES.items():
            drift = Decimal(1) + Decimal(back % 5 - 2) / Decimal(200)
            services.set_exchange_rate(
                actor=finance,
                currency=currency,
                month=month,
                rate=(rate * drift).quantize(Decimal("0.0001")),
            )

    def donor(name: str, country: str, kind: DonorKind = DonorKind.MEMBER_STATE) -> Donor:
        return services.create_donor(
            actor=finance, kind=kind, name=name, country=country, email=None
        )

    germany = donor("Germany", "DE")
    united_kingdom = donor("United Kingdom", "GB")
    switzerland = donor("Switzerland", "CH")
    japan = donor("Japan", "JP")
    foundation = services.create_donor(
        actor=finance,
        kind=DonorKind.FOUNDATION,
        name="Blue Heart Foundation",
        country="AT",
        public_recognition=True,
    )

    def pledge(who: Donor, amount: int, currency: str, confirmed_back: int | None) -> Pledge:
        record = services.make_pledge(
            actor=finance,
            donor=who,
            amount=amount,
            currency=currency,
            year=today.year,
            note="Demo pledge (Note Verbale)",
        )
        if confirmed_back is not None:
            services.confirm_pledge(
                actor=finance, pledge=record, on=today - timedelta(days=30 * confirmed_back)
            )
        return record

    def receipt(
        reference: str, amount: int, currency: str, back_days: int, who: Donor | None
    ) -> BankReceipt:
        record, _numbered = services.record_bank_receipt(
            actor=finance,
            value_date=today - timedelta(days=back_days),
            amount=amount,
            currency=currency,
            bank_reference=reference,
            donor=who,
            payer_name=who.name if who is not None else "BLUE HEART CAMPAIGN VIENNA",
        )
        return record

    # Germany: EUR 500,000, half paid.
    de_pledge = pledge(germany, 500_000_00, "EUR", confirmed_back=6)
    de_receipt = receipt(MARKER, 250_000_00, "EUR", back_days=120, who=germany)
    services.allocate_bank_receipt(
        actor=finance, bank_receipt=de_receipt, pledge=de_pledge, amount=250_000_00
    )
    # United Kingdom: GBP 200,000, paid with GBP 210,000: GBP 10,000 stays unapplied.
    uk_pledge = pledge(united_kingdom, 200_000_00, "GBP", confirmed_back=5)
    uk_receipt = receipt("DEMO-UK-001", 210_000_00, "GBP", back_days=90, who=united_kingdom)
    services.allocate_bank_receipt(
        actor=finance, bank_receipt=uk_receipt, pledge=uk_pledge, amount=200_000_00
    )
    # Switzerland: CHF 150,000 confirmed, nothing paid yet.
    pledge(switzerland, 150_000_00, "CHF", confirmed_back=3)
    # Japan: JPY 30,000,000 pledged online, waiting for the letter.
    pledge(japan, 30_000_000, "JPY", confirmed_back=None)
    # The foundation: EUR 40,000, paid in two instalments.
    foundation_pledge = pledge(foundation, 40_000_00, "EUR", confirmed_back=4)
    for index, back in enumerate((80, 20), start=1):
        paid = receipt(f"DEMO-BHF-00{index}", 20_000_00, "EUR", back_days=back, who=foundation)
        services.allocate_bank_receipt(
            actor=finance, bank_receipt=paid, pledge=foundation_pledge, amount=20_000_00
        )
    # Sweden: USD 25,000 restricted to Nigeria until five months from now, paid. The demo's two
    # Nigerian grants are funded from it first (app/funding), leaving part of it unspent, so
    # /donations/restricted flags it and `flask donations warn-expiring` warns finance.
    se_pledge = pledge(donor("Sweden", "SE"), 25_000_00, "USD", confirmed_back=2)
    restrict_pledge(
        actor=finance,
        pledge=se_pledge,
        terms=RestrictionTerms(country="NG", ends_on=today + timedelta(days=150)),
    )
    se_receipt = receipt("DEMO-SE-001", 25_000_00, "USD", back_days=40, who=se_pledge.donor)
    services.allocate_bank_receipt(
        actor=finance, bank_receipt=se_receipt, pledge=se_pledge, amount=25_000_00
    )
    # Money from a campaign nobody has matched yet.
    receipt("DEMO-UNKNOWN-001", 5_000_00, "USD", back_days=10, who=None)

    _card_gifts(diego)
    db.session.flush()
    return 7


def _card_gifts(diego: User | None) -> None:
    """Card gifts through the webhook code, against an in-memory Stripe (fee 2.9 % + 30)."""
    gateway = MemoryGateway(fee_percent=3, fee_fixed=30)

    def give(
        actor: object,
        name: str,
        email: str,
        amount: int,
        currency: str,
        *,
        monthly: bool,
        named: bool,
    ) -> Gift | GiftSubscription:
        started = payments.start_gift(
            actor=actor,
            gateway=gateway,
            request=payments.GiveRequest(
                amount=amount,
                currency=currency,
                monthly=monthly,
                name=name,
                email=email,
                public_recognition=named,
            ),
        )
        record = payments.find_by_token(started.token)
        assert record is not None and record.stripe_setup_intent_id is not None
        gateway.complete_setup(record.stripe_setup_intent_id)
        if isinstance(record, GiftSubscription):
            payments.confirm_monthly_gift(
                actor=actor,
                gateway=gateway,
                subscription=record,
                setup_intent_id=record.stripe_setup_intent_id,
            )
            invoice = gateway.get(str(record.stripe_subscription_id))["latest_invoice"]
            payments.handle_stripe_event(
                gateway=gateway, event=gateway.event("invoice.paid", gateway.get(invoice))
            )
        else:
            payments.confirm_gift(
                actor=actor,
                gateway=gateway,
                gift=record,
                setup_intent_id=record.stripe_setup_intent_id,
            )
            intent = gateway.get(str(record.stripe_payment_intent_id))
            payments.handle_stripe_event(
                gateway=gateway, event=gateway.event("payment_intent.succeeded", intent)
            )
        return record

    if diego is not None:
        give(diego, diego.full_name, diego.email, 100_00, "USD", monthly=False, named=False)
        monthly = give(diego, diego.full_name, diego.email, 25_00, "EUR", monthly=True, named=True)
        assert isinstance(monthly, GiftSubscription)
        payments.handle_stripe_event(
            gateway=gateway, event=gateway.renew(str(monthly.stripe_subscription_id))
        )
    give(None, "Maria Rossi", "maria.rossi@example.org", 250_00, "EUR", monthly=False, named=True)
    give(
        None, "A friend of the fund", "friend@example.org", 5_000, "JPY", monthly=False, named=False
    )
    refunded = give(
        None, "Sam Taylor", "sam.taylor@example.org", 80_00, "GBP", monthly=False, named=False
    )
    assert isinstance(refunded, Gift) and refunded.stripe_charge_id is not None
    # The donor asked for part of it back.
    payments.handle_stripe_event(
        gateway=gateway, event=gateway.refund(refunded.stripe_charge_id, 30_00)
    )
