"""Bank receipts: finance records the money that reached the fund's account, sees the list,
and applies a receipt to the pledges it pays."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission, has_permission
from app.donations import services
from app.donations.models import BankReceipt, Donor, Pledge
from app.donations.reports.banking import bank_receipts as bank_receipt_page
from app.donations.reports.banking import payable_pledges
from app.donations.web.blueprint import bp
from app.donations.web.finance.common import all_donors
from app.donations.web.forms import AllocationForm, BankReceiptForm
from app.donations.web.portal import currency_choices
from app.donations.web.support import send_receipts
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.platform.money import to_major
from app.platform.typed_numbers import read_amount
from app.web.access import requires
from app.web.display import money
from app.web.forms import page_number, reader_locale, whole_number
from app.web.once import already_sent, earlier_record, remember_record


@bp.get("/donations/bank-receipts")
@requires(Permission.VIEW_ALL_CONTRIBUTIONS)
def bank_receipts() -> Any:
    per_page = current_app.config["PAGE_SIZE"]
    page = page_number()
    rows, total = bank_receipt_page(page=page, per_page=per_page)
    return render_template(
        "donations/finance/bank_receipts.html",
        receipts=rows,
        page=page,
        pages=max(1, -(-total // per_page)),
        can_record=has_permission(current_user, Permission.RECORD_BANK_RECEIPT),
    )


def _bank_receipt_form() -> BankReceiptForm:
    form = BankReceiptForm()
    form.currency.choices = currency_choices()
    form.donor_id.choices = [("", _("Unknown for now"))] + [
        (str(d.id), d.name) for d in all_donors()
    ]
    return form


@bp.route("/donations/bank-receipts/new", methods=["GET", "POST"])
@requires(Permission.RECORD_BANK_RECEIPT)
def new_bank_receipt() -> Any:
    form = _bank_receipt_form()
    ask_different = bool(form.different_transfer.data)
    if form.validate_on_submit():
        earlier = earlier_record(form, "bank_receipt")
        if earlier is not None:
            return already_sent("donations.bank_receipt", receipt_id=earlier)
        donor = None
        if (form.donor_id.data or "").isdigit():
            donor = db.get_or_404(Donor, int(form.donor_id.data or 0))
        try:
            receipt, numbered = services.record_bank_receipt(
                actor=current_user,
                value_date=form.value_date.data or utcnow().date(),
                amount=form.amount_minor(),
                currency=form.currency.data or "",
                bank_reference=form.bank_reference.data or "",
                donor=donor,
                payer_name=form.payer_name.data,
                note=form.note.data,
                confirmed_different=bool(form.different_transfer.data),
            )
            remember_record(form, receipt.id)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.translated(_))
            ask_different = ask_different or isinstance(error, services.PossibleDuplicate)
        else:
            send_receipts([numbered])
            db.session.commit()
            flash(
                _(
                    "Bank receipt of %(amount)s recorded (receipt %(number)s).",
                    amount=money(receipt.amount, receipt.currency),
                    number=numbered.reference,
                ),
                "success",
            )
            return redirect(url_for("donations.bank_receipt", receipt_id=receipt.id))
    return render_template(
        "donations/finance/bank_receipt_new.html", form=form, ask_different=ask_different
    )


@bp.get("/donations/bank-receipts/<int:receipt_id>")
@requires(Permission.VIEW_ALL_CONTRIBUTIONS)
def bank_receipt(receipt_id: int) -> Any:
    receipt = db.get_or_404(BankReceipt, receipt_id)
    form = AllocationForm()
    form.currency_code = receipt.currency
    candidates = payable_pledges(currency=receipt.currency, donor_id=receipt.donor_id)
    form.pledge_id.choices = [
        (
            str(p.id),
            f"#{p.id} {p.donor.name} {p.year} — "
            + _(
                "outstanding %(amount)s",
                amount=money(p.outstanding_amount, p.currency),
            ),
        )
        for p in candidates
    ]
    if request.method == "GET" and receipt.unapplied_amount:
        form.amount.data = to_major(receipt.unapplied_amount, receipt.currency)
    return render_template(
        "donations/finance/bank_receipt.html",
        receipt=receipt,
        form=form,
        candidates=candidates,
        numbered=services.receipt_for(bank_receipt=receipt),
        can_allocate=has_permission(current_user, Permission.RECORD_BANK_RECEIPT)
        and receipt.unapplied_amount > 0
        and bool(candidates),
    )


@bp.post("/donations/bank-receipts/<int:receipt_id>/allocate")
@requires(Permission.RECORD_BANK_RECEIPT)
def allocate_bank_receipt(receipt_id: int) -> Any:
    receipt = db.get_or_404(BankReceipt, receipt_id)
    pledge_id = whole_number(request.form.get("pledge_id", ""))
    if pledge_id is None:
        flash(_("Choose the pledge this money pays."), "warning")
        return redirect(url_for("donations.bank_receipt", receipt_id=receipt.id))
    pledge = db.get_or_404(Pledge, pledge_id)
    amount = read_amount(
        request.form.get("amount", ""), currency=receipt.currency, locale=reader_locale()
    )
    services.allocate_bank_receipt(
        actor=current_user, bank_receipt=receipt, pledge=pledge, amount=amount
    )
    db.session.commit()
    flash(
        _(
            "%(amount)s applied to pledge #%(id)s.",
            amount=money(amount, receipt.currency),
            id=pledge.id,
        ),
        "success",
    )
    return redirect(url_for("donations.bank_receipt", receipt_id=receipt.id))
