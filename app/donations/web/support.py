"""What the donation pages share: the payment gateway, signed links and receipt e-mails."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from app.donations.gateway import GatewayUnavailable, PaymentGateway, StripeGateway
from app.donations.models import DonationReceipt, GiftKind, GiftSubscription
from app.donations.payments import FailedMonthlyPayment
from app.donations.services import mark_receipt_emailed
from app.outbox.services import queue_email
from app.platform.errors import N_
from app.web.display import fund_name, money
from app.web.links import public_url

GATEWAY_KEY = "donations.gateway"
NOT_CONFIGURED = N_(
    "Card payments are not set up on this installation, so this cannot be done here. "
    "Please write to the fund."
)
RECEIPT_LINK = "donation-receipt"
STOP_LINK = "stop-monthly-gift"

# Where the page loads Stripe.js from, and what else it talks to (the CSP of the Give page).
STRIPE_JS = "https://js.stripe.com/v3/"
STRIPE_CSP = {
    "script-src": ["https://js.stripe.com"],
    "connect-src": ["https://api.stripe.com"],
    "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
}


def payments_enabled() -> bool:
    """Card gifts need all three Stripe settings; without them the Give page offers pledges
    and bank transfers only."""
    config = current_app.config
    return bool(
        config.get("STRIPE_SECRET_KEY")
        and config.get("STRIPE_PUBLISHABLE_KEY")
        and config.get("STRIPE_WEBHOOK_SECRET")
    )


def get_gateway() -> PaymentGateway:
    """The app's gateway: Stripe (or localstripe at STRIPE_API_BASE); tests put theirs here."""
    gateway = current_app.extensions.get(GATEWAY_KEY)
    if gateway is None:
        if not current_app.config.get("STRIPE_SECRET_KEY"):
            # Monthly gifts made elsewhere (a demo, a copy of the data) cannot be stopped here.
            raise GatewayUnavailable(NOT_CONFIGURED)
        gateway = StripeGateway(
            current_app.config["STRIPE_SECRET_KEY"],
            api_base=current_app.config.get("STRIPE_API_BASE") or None,
            timeout=current_app.config["STRIPE_TIMEOUT_SECONDS"],
        )
        current_app.extensions[GATEWAY_KEY] = gateway
    return gateway


def expected_livemode() -> bool:
    return str(current_app.config.get("STRIPE_SECRET_KEY") or "").startswith("sk_live_")


def stripe_script() -> tuple[str, dict[str, list[str]]]:
    """The Stripe.js URL and the CSP sources it needs: localstripe's stand-in when
    STRIPE_API_BASE is set, Stripe's own script otherwise."""
    base = (current_app.config.get("STRIPE_API_BASE") or "").rstrip("/")
    if base:
        return f"{base}/js.stripe.com/v3/", {"script-src": [base], "connect-src": [base]}
    return STRIPE_JS, STRIPE_CSP


def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def sign(purpose: str, record_id: int, token: str) -> str:
    """A link that does not expire (a receipt kept for years must still open), bound to the
    record's secret token so it cannot be forged for another record."""
    return _serializer(purpose).dumps({"id": record_id, "t": token[:16]})


def unsign(purpose: str, value: str) -> tuple[int, str] | None:
    try:
        data = _serializer(purpose).loads(value)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    return data["id"], str(data.get("t", ""))


def receipt_token(receipt: DonationReceipt) -> str:
    # A receipt has no token of its own: bind the link to its gift's, or to its number.
    secret = receipt.gift.public_token if receipt.gift is not None else receipt.reference
    return sign(RECEIPT_LINK, receipt.id, secret)


def receipt_matches(receipt: DonationReceipt, token: str) -> bool:
    secret = receipt.gift.public_token if receipt.gift is not None else receipt.reference
    return secret[:16] == token


def stop_link(subscription: GiftSubscription) -> str:
    return public_url(
        "donations.stop_monthly_by_link",
        token=sign(STOP_LINK, subscription.id, subscription.public_token),
    )


def receipt_email_body(receipt: DonationReceipt) -> tuple[str, str, str] | None:
    """(to, subject, body) of the receipt e-mail, or None when there is nobody to send it to."""
    donor = receipt.donor
    if donor is None or not donor.email:
        return None
    link = public_url("donations.receipt_by_link", token=receipt_token(receipt))
    fund = fund_name(current_app.config["FUND_NAME"])
    lines = [
        _("Dear %(name)s,", name=receipt.donor_name or donor.name),
        "",
        _(
            "Thank you for your contribution of %(amount)s to the %(fund)s.",
            amount=money(receipt.amount, receipt.currency),
            fund=fund,
        ),
        _("Receipt number: %(number)s", number=receipt.reference),
        "",
        _("View or print your receipt: %(link)s", link=link),
    ]
    gift = receipt.gift
    if gift is not None and gift.kind == GiftKind.MONTHLY and gift.subscription is not None:
        lines += [
            "",
            _(
                "This is a monthly gift. To stop it, open this link: %(link)s",
                link=stop_link(gift.subscription),
            ),
        ]
    subject = _("Your receipt %(number)s", number=receipt.reference)
    return donor.email, subject, "\n".join(lines)


def send_receipts(receipts: list[DonationReceipt]) -> None:
    """Write the receipts' e-mails to the outbox, in the transaction that created them.

    The caller commits: the receipt and its e-mail together, so a mail server that is down
    delays the e-mail (the outbox tries again) but never loses it. ``emailed_at`` says when it
    was written to the outbox; one key per receipt, so it is never queued twice.
    """
    for receipt in receipts:
        # In the language the gift was made in (the webhook that records it has none of its own).
        locale = receipt.gift.locale if receipt.gift is not None else None
        with force_locale(locale) if locale else nullcontext():
            message = receipt_email_body(receipt)
        if message is None:
            continue
        to, subject, body = message
        queue_email(to=to, subject=subject, body=body, key=f"donation-receipt:{receipt.id}")
        mark_receipt_emailed(receipt=receipt)


def failed_payment_email(failed: FailedMonthlyPayment) -> tuple[str, str, str] | None:
    """(to, subject, body) telling a donor this month's gift did not go through, or None."""
    subscription = failed.subscription
    donor = subscription.donor
    if donor is None or not donor.email:
        return None
    lines = [
        _("Dear %(name)s,", name=subscription.donor_name),
        "",
        _(
            "Your monthly gift of %(amount)s to the %(fund)s could not be taken from your card "
            "this month. No money was taken.",
            amount=money(failed.amount, failed.currency),
            fund=fund_name(current_app.config["FUND_NAME"]),
        ),
        "",
    ]
    if failed.next_attempt_at is not None:
        lines.append(
            _(
                "Your bank will be asked again on %(day)s. If your card has changed or expired, "
                "stop this monthly gift and start a new one with the new card.",
                day=format_date(failed.next_attempt_at),
            )
        )
    else:
        lines.append(
            _(
                "No further attempt will be made. To go on giving, start a new monthly gift "
                "with a card that works."
            )
        )
    lines += [
        _("Give again: %(link)s", link=public_url("donations.give")),
        _("Stop this monthly gift: %(link)s", link=stop_link(subscription)),
    ]
    return donor.email, _("Your monthly gift could not be taken"), "\n".join(lines)


def tell_donors_of_failed_payments(failed_payments: list[FailedMonthlyPayment]) -> None:
    """E-mail each donor whose monthly payment failed, in their language when we know it.

    Written to the outbox like receipts, in the transaction that records the failure (the
    caller commits).
    """
    for failed in failed_payments:
        donor = failed.subscription.donor
        user = donor.user if donor is not None else None
        locale = (user.locale if user is not None else None) or current_app.config[
            "BABEL_DEFAULT_LOCALE"
        ]
        with force_locale(locale):
            message = failed_payment_email(failed)
        if message is not None:
            to, subject, body = message
            queue_email(to=to, subject=subject, body=body)


def csp_extend(sources: dict[str, list[str]]) -> None:
    """Allow more sources in this response's Content-Security-Policy only."""
    from flask import g

    extra: dict[str, list[str]] = getattr(g, "csp_extra", None) or {}
    for directive, values in sources.items():
        extra.setdefault(directive, []).extend(values)
    g.csp_extra = extra


def as_json_errors(form: Any) -> dict[str, list[str]]:
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}
