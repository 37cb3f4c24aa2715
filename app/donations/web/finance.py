"""Finance and fund-manager screens: contributions with totals and CSV, pledges to confirm,
bank receipts to record and match, exchange rates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.permissions import Permission, has_permission
from app.donations import reports, services
from app.donations.models import (
    PAYABLE_PLEDGE_STATUSES,
    BankReceipt,
    Donor,
    DonorKind,
    ExchangeRate,
    GiftStatus,
    Pledge,
    PledgeStatus,
)
from app.donations.web.blueprint import bp
from app.donations.web.forms import (
    DONOR_KIND_LABELS,
    AllocationForm,
    BankReceiptForm,
    ConfirmPledgeForm,
    ExchangeRateForm,
    FinancePledgeForm,
    RateImportForm,
    ReasonForm,
)
from app.donations.web.portal import currency_choices, earmark_choices, letter_upload
from app.donations.web.support import send_receipts
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.platform.money import to_major
from app.platform.storage import get_storage
from app.platform.typed_numbers import read_amount
from app.reporting.web.export import csv_lines, file_chunks, spooled
from app.web.access import requires
from app.web.display import money
from app.web.forms import (
    NumberedPage,
    page_number,
    reader_locale,
    whole_number,
    whole_number_arg,
)
from app.web.once import already_sent, earlier_record, remember_record

FILTER_STATUSES = [s.value for s in GiftStatus] + [s.value for s in PledgeStatus]


def finance_context(pledge: Pledge) -> dict[str, Any]:
    """What the pledge page shows finance: the confirmation form and close-out actions."""
    return {
        "confirm_form": ConfirmPledgeForm(),
        "can_confirm": pledge.status == PledgeStatus.PLEDGED
        and has_permission(current_user, Permission.CONFIRM_PLEDGE),
        "can_write_off": pledge.status in PAYABLE_PLEDGE_STATUSES
        and has_permission(current_user, Permission.CONFIRM_PLEDGE),
        "can_cancel_confirmed": pledge.status == PledgeStatus.CONFIRMED
        and not pledge.allocations
        and has_permission(current_user, Permission.CONFIRM_PLEDGE),
    }


def _filters() -> reports.ContributionFilter:
    """The list's filters from the query string; junk is ignored, never a 500."""
    args = request.args
    kind = args.get("kind", "")
    donor_kind = args.get("donor_kind", "")
    status = args.get("status", "")
    currency = args.get("currency", "").strip().upper()
    return reports.ContributionFilter(
        donor_id=whole_number_arg("donor"),
        kind=reports.ContributionKind(kind) if kind in set(reports.ContributionKind) else None,
        year=whole_number_arg("year"),
        status=status if status in FILTER_STATUSES else None,
        currency=currency if len(currency) == 3 and currency.isalpha() else None,
        donor_kind=DonorKind(donor_kind) if donor_kind in set(DonorKind) else None,
    )


def _donors() -> list[Donor]:
    return list(db.session.execute(select(Donor).order_by(Donor.name)).scalars())


@bp.get("/donations/contributions")
@requires(Permission.VIEW_ALL_CONTRIBUTIONS)
def contributions() -> Any:
    filters = _filters()
    per_page = current_app.config["PAGE_SIZE"]
    number = page_number()
    rows, matching = reports.contribution_page(filters, page=number, per_page=per_page)
    return render_template(
        "donations/finance/contributions.html",
        rows=rows,
        totals=reports.contribution_totals(filters),
        filters=filters,
        page=NumberedPage(rows, total=matching, page=number, per_page=per_page),
        donors=_donors(),
        kinds=list(reports.ContributionKind),
        statuses=FILTER_STATUSES,
        donor_kinds=list(DonorKind),
        unapplied=reports.unapplied_receipts(),
        functional=current_app.config["FUNCTIONAL_CURRENCY"],
    )


@bp.get("/donations/contributions.csv")
@requires(Permission.VIEW_ALL_CONTRIBUTIONS, Permission.EXPORT_DATA)
def contributions_csv() -> Any:
    filters = _filters()
    functional = current_app.config["FUNCTIONAL_CURRENCY"]
    columns = [
        "kind",
        "id",
        "date",
        "year",
        "donor",
        "donor_kind",
        "status",
        "currency",
        "amount",
        f"amount_{functional.lower()}",
        f"received_{functional.lower()}",
        f"fee_{functional.lower()}",
        "outstanding",
        "earmark",
    ]
    rows = (
        [
            row.kind.value,
            row.record_id,
            row.day,
            row.year,
            row.donor_name,  # defused by csv_lines if it looks like a formula
            row.donor.kind.value,
            row.status,
            row.currency,
            to_major(row.amount, row.currency),
            to_major(row.functional_amount, functional),
            to_major(row.received_functional, functional),
            to_major(row.fee_functional, functional),
            to_major(row.outstanding, row.currency),
            row.earmark,
        ]
        for row in reports.iter_contributions(filters)
    )
    # Written during the request to a file that spills to disk when large (the list may hold
    # hundreds of thousands of gifts), then sent in chunks.
    target = spooled()
    for chunk in csv_lines(columns, rows):
        target.write(chunk.encode())
    return Response(
        file_chunks(target),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=contributions.csv"},
    )


@bp.get("/donations/pledges")
@requires(Permission.VIEW_ALL_CONTRIBUTIONS)
def pledges() -> Any:
    status = request.args.get("status", "")
    # Allocations in one query for the page (the outstanding amount sums them).
    query = (
        select(Pledge)
        .options(selectinload(Pledge.allocations))
        .order_by(Pledge.year.desc(), Pledge.id.desc())
    )
    if status in {s.value for s in PledgeStatus}:
        query = query.where(Pledge.status == status)
    page = db.paginate(
        query, page=page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    return render_template(
        "donations/finance/pledges.html",
        pledges=page.items,
        page=page,
        status=status,
        statuses=list(PledgeStatus),
        can_record=has_permission(current_user, Permission.CONFIRM_PLEDGE),
    )


def _finance_pledge_form() -> FinancePledgeForm:
    form = FinancePledgeForm()
    form.on_behalf_of.choices = [("new", _("A donor not listed (give its name below)"))] + [
        (f"donor:{d.id}", f"{d.name} ({label_kind(d.kind)})") for d in _donors()
    ]
    form.organisation_kind.choices = [
        (kind.value, label_kind(kind)) for kind in DonorKind if kind != DonorKind.INDIVIDUAL
    ]
    form.currency.choices = currency_choices()
    form.earmark.choices = earmark_choices()
    if request.method == "GET":
        form.year.data = utcnow().year
    return form


def label_kind(kind: DonorKind) -> str:
    return str(DONOR_KIND_LABELS[kind])


@bp.route("/donations/pledges/new", methods=["GET", "POST"])
@requires(Permission.CONFIRM_PLEDGE)
def record_pledge() -> Any:
    form = _finance_pledge_form()
    if form.validate_on_submit():
        earlier = earlier_record(form, "pledge")
        if earlier is not None:
            return already_sent("donations.pledge", pledge_id=earlier)
        try:
            choice = form.on_behalf_of.data or ""
            if choice.startswith("donor:") and choice[6:].isdigit():
                donor = db.get_or_404(Donor, int(choice[6:]))
            else:
                name = (form.organisation_name.data or "").strip()
                if not name:
                    form.organisation_name.errors = [_("Please give the donor's name.")]
                    raise ValueError("no donor name")
                donor = services.create_donor(
                    actor=current_user,
                    kind=DonorKind(form.organisation_kind.data or DonorKind.MEMBER_STATE),
                    name=name,
                    country=(form.donor_country.data or "").upper() or None,
                    email=form.donor_email.data or None,
                )
            pledge = services.make_pledge(
                actor=current_user,
                donor=donor,
                amount=form.amount_minor(),
                currency=form.currency.data or "",
                year=form.year.data or 0,
                earmark=form.earmark.data or None,
                instalments=form.instalment_list(),
                letter=letter_upload(form.letter),
                storage=get_storage(),
                note=form.note.data,
            )
            remember_record(form, pledge.id)
        except ValueError:
            db.session.rollback()
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.translated(_))
        else:
            db.session.commit()
            flash(
                _(
                    "Pledge of %(amount)s recorded.",
                    amount=money(pledge.amount, pledge.currency),
                ),
                "success",
            )
            return redirect(url_for("donations.pledge", pledge_id=pledge.id))
    return render_template("donations/pledge_form.html", form=form, finance=True)


@bp.post("/donations/pledges/<int:pledge_id>/confirm")
@requires(Permission.CONFIRM_PLEDGE)
def confirm_pledge(pledge_id: int) -> Any:
    pledge = db.get_or_404(Pledge, pledge_id)
    form = ConfirmPledgeForm()
    if not form.validate_on_submit() or form.confirmed_on.data is None:
        flash(_("Please give the date the letter or agreement was received."), "warning")
        return redirect(url_for("donations.pledge", pledge_id=pledge.id))
    services.confirm_pledge(actor=current_user, pledge=pledge, on=form.confirmed_on.data)
    db.session.commit()
    flash(_("The pledge is confirmed and booked as receivable."), "success")
    return redirect(url_for("donations.pledge", pledge_id=pledge.id))


@bp.post("/donations/pledges/<int:pledge_id>/write-off")
@requires(Permission.CONFIRM_PLEDGE)
def write_off_pledge(pledge_id: int) -> Any:
    pledge = db.get_or_404(Pledge, pledge_id)
    form = ReasonForm()
    services.write_off_pledge(actor=current_user, pledge=pledge, reason=form.reason.data or "")
    db.session.commit()
    flash(_("The rest of the pledge is written off."), "success")
    return redirect(url_for("donations.pledge", pledge_id=pledge.id))


@bp.get("/donations/bank-receipts")
@requires(Permission.VIEW_ALL_CONTRIBUTIONS)
def bank_receipts() -> Any:
    per_page = current_app.config["PAGE_SIZE"]
    page = page_number()
    rows, total = reports.bank_receipts(page=page, per_page=per_page)
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
    form.donor_id.choices = [("", _("Unknown for now"))] + [(str(d.id), d.name) for d in _donors()]
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
    candidates = reports.payable_pledges(currency=receipt.currency, donor_id=receipt.donor_id)
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
