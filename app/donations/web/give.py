"""Public pages: Give, thank-you, stopping a monthly gift by link, receipts by link, the donor
recognition page, and Stripe's webhook."""

from __future__ import annotations

import json
from typing import Any

import stripe
from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.donations import payments
from app.donations.gateway import construct_event
from app.donations.models import DonationReceipt, Gift, GiftStatus, GiftSubscription
from app.donations.services import offered_currencies, receipt_for
from app.donations.web.blueprint import bp
from app.donations.web.forms import GiveForm
from app.donations.web.support import (
    RECEIPT_LINK,
    STOP_LINK,
    as_json_errors,
    csp_extend,
    expected_livemode,
    get_gateway,
    payments_enabled,
    receipt_matches,
    receipt_token,
    send_receipts,
    stripe_script,
    tell_donors_of_failed_payments,
    unsign,
)
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import csrf, db, limiter
from app.platform.money import to_minor
from app.reporting.donor_names import ENGLISH
from app.reporting.recognition import (
    NAME_ORDER,
    government_lines,
    government_order,
    governments_query,
    named_query,
    recognition_year,
    years_matching,
    years_received,
)
from app.reporting.web.cache import cached, public_data_version
from app.web.access import public
from app.web.display import money
from app.web.paged import paged_list


def _presets() -> dict[str, list[int]]:
    configured: dict[str, list[int]] = current_app.config["DONATION_PRESET_AMOUNTS"]
    return {
        code: configured.get(code, configured.get("*", []))
        for code in current_app.config["DONATION_CURRENCIES"]
    }


def _give_form(currencies: list[str]) -> GiveForm:
    form = GiveForm()
    form.currency.choices = [(code, code) for code in currencies]
    presets = _presets()
    values = sorted({value for code in currencies for value in presets.get(code, [])})
    form.amount.choices = [(str(v), str(v)) for v in values] + [("custom", _("Other amount"))]
    if request.method == "GET" and currencies:
        form.currency.data = currencies[0]
    return form


@bp.get("/give")
@public
def give() -> Any:
    enabled = payments_enabled()
    currencies = offered_currencies(on=utcnow().date()) if enabled else []
    form = _give_form(currencies)
    script = None
    if enabled:
        script, sources = stripe_script()
        csp_extend(sources)
    return render_template(
        "donations/give.html",
        form=form,
        enabled=enabled,
        stripe_js=script,
        presets=json.dumps({code: _presets().get(code, []) for code in currencies}),
        bank_details=current_app.config["DONATION_BANK_DETAILS"],
    )


def needs_second_look(amount: int, currency: str) -> bool:
    """A gift large enough to ask about once more (DONATION_CONFIRM_ABOVE): a slip of the
    keyboard, or a number read another way than the donor meant, is caught before the card."""
    limits: dict[str, int] = current_app.config["DONATION_CONFIRM_ABOVE"]
    limit = limits.get(currency, limits.get("*", 1000))
    return amount > to_minor(limit, currency)


def _about_to_give(amount: int, currency: str, frequency: str | None) -> dict[str, Any]:
    shown = money(amount, currency)
    monthly = frequency == "monthly"
    return {
        "key": f"{amount} {currency} {'monthly' if monthly else 'one_off'}",
        "message": _("You are about to give %(amount)s every month.", amount=shown)
        if monthly
        else _("You are about to give %(amount)s.", amount=shown),
        "yes": _("Yes, give %(amount)s every month", amount=shown)
        if monthly
        else _("Yes, give %(amount)s", amount=shown),
        "no": _("Change the amount"),
    }


def _json_error(message: str, status: int, errors: dict[str, list[str]] | None = None) -> Any:
    return jsonify(error={"status": status, "message": message, "fields": errors or {}}), status


@bp.post("/give")
@public
@limiter.limit("30 per hour")
def start_gift() -> Any:
    """Record the pending gift and open the SetupIntent the page confirms with the card."""
    if not payments_enabled():
        return _json_error(_("Card gifts are not available."), 404)
    form = _give_form(offered_currencies(on=utcnow().date()))
    if not form.validate_on_submit():
        return _json_error(_("Please check the form."), 422, as_json_errors(form))
    try:
        amount = form.amount_minor()
        currency = form.currency.data or ""
        asked = _about_to_give(amount, currency, form.frequency.data)
        if needs_second_look(amount, currency) and form.confirmed_amount.data != asked["key"]:
            # Nothing is saved yet: the page asks the donor, then sends the form again. The
            # "yes" names amount, currency and frequency: a yes to another gift is no yes.
            return jsonify(confirm=asked)
        started = payments.start_gift(
            actor=current_user,
            gateway=get_gateway(),
            request=payments.GiveRequest(
                amount=amount,
                currency=form.currency.data or "",
                monthly=form.frequency.data == "monthly",
                name=form.name.data or "",
                email=form.email.data or "",
                public_recognition=form.recognition.data == "named",
                locale=str(get_locale() or "") or None,
            ),
        )
    except ValueError:
        return _json_error(_("Please check the form."), 422, as_json_errors(form))
    except DomainError as error:
        db.session.rollback()
        return _json_error(error.translated(_), error.status_code)
    db.session.commit()
    return jsonify(
        client_secret=started.client_secret,
        confirm_url=url_for("donations.confirm_gift", token=started.token),
        thanks_url=url_for("donations.thanks", token=started.token),
    )


@bp.post("/give/<token>/confirm")
@public
@limiter.limit("30 per hour")
def confirm_gift(token: str) -> Any:
    """After the page saved the card: charge it (one-off) or start the monthly gift."""
    record = payments.find_by_token(token)
    if record is None or not payments_enabled():
        return _json_error(_("We could not find that gift."), 404)
    setup_intent = (request.get_json(silent=True) or {}).get("setup_intent") or request.form.get(
        "setup_intent", ""
    )
    try:
        if isinstance(record, Gift):
            outcome = payments.confirm_gift(
                actor=current_user,
                gateway=get_gateway(),
                gift=record,
                setup_intent_id=str(setup_intent),
            )
        else:
            outcome = payments.confirm_monthly_gift(
                actor=current_user,
                gateway=get_gateway(),
                subscription=record,
                setup_intent_id=str(setup_intent),
            )
    except DomainError as error:
        db.session.rollback()
        return _json_error(error.translated(_), error.status_code)
    db.session.commit()
    return jsonify(
        status=outcome.status,
        client_secret=outcome.client_secret,
        message=outcome.message,
        thanks_url=url_for("donations.thanks", token=token),
    )


@bp.get("/give/<token>/thanks")
@public
def thanks(token: str) -> Any:
    """Tells the truth: "processing" until the webhook has recorded the gift."""
    record = payments.find_by_token(token)
    if record is None:
        abort(404)
    if isinstance(record, GiftSubscription):
        succeeded = [g for g in record.gifts if g.status == GiftStatus.SUCCEEDED]
        gift = succeeded[0] if succeeded else None
        failed = bool(record.failure_message) and gift is None
        subscription: GiftSubscription | None = record
    else:
        gift = record if record.status == GiftStatus.SUCCEEDED else None
        failed = record.status == GiftStatus.FAILED
        subscription = None
    receipt = receipt_for(gift=gift) if gift is not None else None
    response = current_app.make_response(
        render_template(
            "donations/thanks.html",
            record=record,
            gift=gift,
            subscription=subscription,
            failed=failed,
            receipt=receipt,
            receipt_url=(
                url_for("donations.receipt_by_link", token=receipt_token(receipt))
                if receipt is not None
                else None
            ),
            failure=(record.failure_message if failed else None),
            # A guest has no account to stop a monthly gift from: only the e-mailed link.
            has_account=gift is not None and gift.donor.user_id is not None,
        )
    )
    if gift is None and not failed:
        # No script needed: the browser asks again until the webhook has spoken.
        response.headers["Refresh"] = "3"
    return response


@bp.route("/give/stop/<token>", methods=["GET", "POST"])
@public
def stop_monthly_by_link(token: str) -> Any:
    """The link in each monthly receipt: confirm, then stop the gift. No account needed."""
    found = unsign(STOP_LINK, token)
    subscription = db.session.get(GiftSubscription, found[0]) if found else None
    if subscription is None or found is None or subscription.public_token[:16] != found[1]:
        abort(404)
    if request.method == "POST":
        payments.stop_monthly_gift(
            actor=current_user,
            gateway=get_gateway(),
            subscription=subscription,
            via_signed_link=True,
        )
        db.session.commit()
        flash(_("Your monthly gift is stopped. Thank you for your support."), "success")
        return redirect(url_for("donations.stop_monthly_by_link", token=token))
    return render_template("donations/stop.html", subscription=subscription)


@bp.get("/receipts/r/<token>")
@public
def receipt_by_link(token: str) -> Any:
    """The printable receipt from the link in the e-mail (no account needed)."""
    found = unsign(RECEIPT_LINK, token)
    receipt = db.session.get(DonationReceipt, found[0]) if found else None
    if receipt is None or found is None or not receipt_matches(receipt, found[1]):
        abort(404)
    return render_template("donations/receipt.html", receipt=receipt)


@bp.get("/donors")
@public
def recognition() -> Any:
    """One year's honour roll (?year=, by default the newest with money received): its figures
    and the names, a page at a time in alphabetical order, found by ?q= whatever their accents.

    The years and a year's figures are the same for everyone: kept in the reporting cache, keyed
    by the year, while no money moves. The pages of names depend on the cursor and the search
    too (keys without bound): read each time, one keyset page (PAGE_SIZE rows) of a grouped
    query per list."""
    version = public_data_version()
    years = cached("recognition_years", years_received, version)
    asked = request.args.get("year", "").strip()
    year = years[0] if years else None
    missing = None  # a year asked for that has nothing (or is not a year): said on the page
    if asked:
        if asked.isdigit() and len(asked) <= 4 and int(asked) in years:
            year = int(asked)
        else:
            missing = asked[:20]
    search = request.args.get("q", "").strip()[:200]
    # States are shown, sorted and found by their country's name in the reader's language.
    locale = get_locale() or ENGLISH
    figures = governments = named = None
    lines: list[Any] = []
    if year is not None:
        figures = cached(("recognition_year", year), lambda: recognition_year(year), version)
        governments = paged_list(
            governments_query(year, search, locale), government_order(locale), name="gov"
        )
        lines = government_lines(year, governments.items)
        named = paged_list(named_query(year, search), NAME_ORDER)
    # Other years where the search finds a name: a donor who gave last year looks first in
    # the newest year the page opens on.
    found_in = (
        [found for found in years_matching(search, locale) if found != year] if search else []
    )
    return render_template(
        "donations/recognition.html",
        years=years,
        year=year,
        missing=missing,
        search=search,
        figures=figures,
        governments=governments,
        government_lines=lines,
        named=named,
        found_in=found_in,
    )


@bp.post("/webhooks/stripe")
@public
@csrf.exempt
def stripe_webhook() -> Any:
    """DESIGN §5: signature on the raw body, livemode check, event stored by id first, object
    fetched again and its current state applied; 2xx only once that is committed."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        return _json_error("webhooks are not configured", 404)
    payload = request.get_data(cache=False)
    try:
        event = construct_event(payload, request.headers.get("Stripe-Signature"), secret)
    except (ValueError, stripe.SignatureVerificationError):
        return _json_error("bad signature or payload", 400)
    if bool(event.get("livemode")) != expected_livemode():
        return _json_error("livemode does not match this installation", 400)
    try:
        outcome = payments.handle_stripe_event(gateway=get_gateway(), event=event)
        # The e-mails in the same commit as the gift: none is lost if the mail server is down.
        send_receipts(outcome.receipts)
        tell_donors_of_failed_payments(outcome.failed_payments)
        db.session.commit()
    except DomainError as error:
        # Nothing is kept, not even the event: Stripe retries later, and the retry is
        # processed in full (e.g. once finance has recorded a missing exchange rate). The
        # event is genuine, so never a 4xx, which says the request itself is wrong: 503.
        db.session.rollback()
        current_app.logger.warning("Stripe event %s not applied: %s", event.get("id"), error)
        response, status = _json_error(error.message, 503)
        response.headers["Retry-After"] = "600"
        return response, status
    return jsonify(received=True, duplicate=outcome.duplicate, handled=outcome.handled)
