"""The monthly exchange rates: finance records one, or imports a month's list from a CSV file."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.accounts.permissions import Permission
from app.donations import services
from app.donations.models import ExchangeRate
from app.donations.web.blueprint import bp
from app.donations.web.forms import ExchangeRateForm, RateImportForm
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.web.access import requires


@bp.route("/donations/exchange-rates", methods=["GET", "POST"])
@requires(Permission.MANAGE_EXCHANGE_RATES)
def exchange_rates() -> Any:
    form = ExchangeRateForm()
    if form.validate_on_submit():
        try:
            services.set_exchange_rate(
                actor=current_user,
                currency=form.currency.data or "",
                month=services.parse_month(form.month.data or ""),
                rate=form.rate.data or Decimal(0),
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.translated(_))
        else:
            db.session.commit()
            flash(_("Rate recorded."), "success")
            return redirect(url_for("donations.exchange_rates"))
    rates = db.session.execute(
        select(ExchangeRate).order_by(ExchangeRate.month.desc(), ExchangeRate.currency).limit(240)
    ).scalars()
    return render_template(
        "donations/finance/exchange_rates.html",
        form=form,
        import_form=RateImportForm(),
        rates=list(rates),
        functional=current_app.config["FUNCTIONAL_CURRENCY"],
    )


@bp.post("/donations/exchange-rates/import")
@requires(Permission.MANAGE_EXCHANGE_RATES)
def import_exchange_rates() -> Any:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose the CSV file to import."), "warning")
        return redirect(url_for("donations.exchange_rates"))
    raw = upload.read(1024 * 1024 + 1)
    if len(raw) > 1024 * 1024:
        flash(_("The file is too large for a list of rates."), "danger")
        return redirect(url_for("donations.exchange_rates"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        flash(_("The file is not UTF-8 text."), "danger")
        return redirect(url_for("donations.exchange_rates"))
    try:
        imported = services.import_exchange_rates(actor=current_user, text=text)
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
        return redirect(url_for("donations.exchange_rates"))
    db.session.commit()
    flash(_("%(count)s rate(s) imported.", count=len(imported)), "success")
    return redirect(url_for("donations.exchange_rates"))
