"""Bank files: finance makes payment files (pain.001) of approved tranches, downloads them for
the bank, and imports the bank's statements (camt.053)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.permissions import Permission, has_permission
from app.bankfiles import camt053, sample
from app.bankfiles import services as bankfiles
from app.bankfiles.models import BankStatement, PaymentBatch, StatementEntry
from app.bankfiles.web.forms import BatchForm, CancelForm, StatementForm
from app.bankfiles.web.forms import batch_form as batch_form_of
from app.bankfiles.web.labels import bankfile_badge, bankfile_label, bankfile_note
from app.donations.web.support import send_receipts
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.platform.settings import settings
from app.web.access import requires

bp = Blueprint("bankfiles", __name__, template_folder="../templates", url_prefix="/bank-files")
bp.add_app_template_global(bankfile_label, "bankfile_label")
bp.add_app_template_global(bankfile_badge, "bankfile_badge")
bp.add_app_template_global(bankfile_note, "bankfile_note")


def _page(
    statement_form: StatementForm | None = None,
    status: int = 200,
    *,
    batch_form: BatchForm | None = None,
    batch_currency: str | None = None,
) -> Any:
    """The page; a refused payment file shows its pay date's error in its currency's form."""
    ready = bankfiles.batchable_tranches()
    forms = {
        currency: batch_form
        if batch_form is not None and currency == batch_currency
        else batch_form_of(currency)
        for currency in ready
    }
    if batch_form is not None and batch_currency not in forms:  # its tranches went meanwhile
        forms[batch_currency or ""] = batch_form
    batches = db.session.execute(
        sa.select(PaymentBatch).order_by(PaymentBatch.created_at.desc()).limit(50)
    ).scalars()
    statements = db.session.execute(
        sa.select(BankStatement).order_by(BankStatement.imported_at.desc()).limit(50)
    ).scalars()
    return (
        render_template(
            "bankfiles/index.html",
            ready=ready,
            accounts=settings().bank_files.debtor_accounts,
            batches=list(batches),
            statements=list(statements),
            batch_forms=forms,
            statement_form=statement_form or StatementForm(formdata=None),
            can_confirm=has_permission(current_user, Permission.CONFIRM_DISBURSEMENT),
        ),
        status,
    )


@bp.get("/")
@requires(Permission.VIEW_LEDGER)
def index() -> Any:
    return _page()


@bp.post("/batches")
@requires(Permission.CONFIRM_DISBURSEMENT)
def create_batch() -> Any:
    currency = request.form.get("currency", "").strip().upper()
    form = batch_form_of(currency, from_request=True)
    if not form.validate():
        form.execution_date.errors = [_("Give the payment date as a date, or leave it empty.")]
        return _page(status=422, batch_form=form, batch_currency=currency)
    ids = [int(value) for value in request.form.getlist("tranche") if value.isdigit()]
    execution: date | None = form.execution_date.data
    try:
        batch = bankfiles.create_batch(
            actor=current_user,
            currency=currency,
            tranche_ids=ids,
            execution_date=execution,
        )
    except bankfiles.PastExecutionDate as error:
        db.session.rollback()
        form.execution_date.errors = [error.translated(_)]
        return _page(status=422, batch_form=form, batch_currency=currency)
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
        return redirect(url_for("bankfiles.index"))
    db.session.commit()
    flash(
        ngettext(
            "The payment file is made: %(num)d tranche is sent. Download the file and upload it "
            "to the bank.",
            "The payment file is made: %(num)d tranches are sent. Download the file and upload "
            "it to the bank.",
            batch.count,
        ),
        "success",
    )
    return redirect(url_for("bankfiles.batch", batch_id=batch.id))


def _batch_or_404(batch_id: int) -> PaymentBatch:
    found = db.session.get(PaymentBatch, batch_id)
    if found is None:
        abort(404)
    return found


def _samples_on() -> bool:
    """Sample statements are a development and training aid: never offered in production."""
    config = current_app.config
    return bool(config.get("TESTING")) or config.get("APP_ENV") == "development"


@bp.get("/batches/<int:batch_id>")
@requires(Permission.VIEW_LEDGER)
def batch(batch_id: int) -> Any:
    return render_template(
        "bankfiles/batch.html",
        batch=_batch_or_404(batch_id),
        cancel_form=CancelForm(formdata=None),
        can_confirm=has_permission(current_user, Permission.CONFIRM_DISBURSEMENT),
        samples_on=_samples_on(),
    )


@bp.get("/batches/<int:batch_id>/sample-statement")
@requires(Permission.CONFIRM_DISBURSEMENT)
def sample_statement(batch_id: int) -> Any:
    """The camt.053 the bank would send once it paid this file (development and testing)."""
    if not _samples_on():
        abort(404)
    found = _batch_or_404(batch_id)
    return Response(
        sample.sample_statement(found),
        mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{sample.sample_filename(found)}"'},
    )


@bp.get("/batches/<int:batch_id>/file")
@requires(Permission.CONFIRM_DISBURSEMENT)
def batch_file(batch_id: int) -> Any:
    found = _batch_or_404(batch_id)
    return Response(
        found.content,
        mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )


@bp.post("/batches/<int:batch_id>/cancel")
@requires(Permission.CONFIRM_DISBURSEMENT)
def cancel_batch(batch_id: int) -> Any:
    found = _batch_or_404(batch_id)
    try:
        bankfiles.cancel_batch(
            actor=current_user, batch=found, reason=CancelForm().reason.data or ""
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
    else:
        db.session.commit()
        flash(_("The payment file is cancelled and its tranches recorded as failed."), "success")
    return redirect(url_for("bankfiles.batch", batch_id=batch_id))


@bp.post("/statements")
@requires(Permission.CONFIRM_DISBURSEMENT)
def import_statement() -> Any:
    form = StatementForm()
    upload = form.statement.data
    if upload is None or not getattr(upload, "filename", ""):
        form.statement.errors = [_("Choose the bank statement file to import.")]
        return _page(form, 422)
    content = upload.read(camt053.MAX_BYTES + 1)
    try:
        result = bankfiles.import_statement(
            actor=current_user, content=content, filename=upload.filename or ""
        )
    except DomainError as error:
        db.session.rollback()
        form.statement.errors = [error.translated(_)]
        return _page(form, 422)
    db.session.commit()
    if not result.changed:
        flash(_("This statement was imported before: nothing changed."), "info")
        return redirect(url_for("bankfiles.index"))
    flash(
        _(
            "Statement imported: %(paid)s tranche(s) recorded paid, %(proposed)s payment(s) in "
            "matched to a pledge for you to confirm, %(unmatched)s to look into.",
            paid=result.paid,
            proposed=result.proposed,
            unmatched=result.unmatched,
        ),
        "success",
    )
    return redirect(url_for("bankfiles.statement", statement_id=result.statements[0].id))


@bp.get("/statements/<int:statement_id>")
@requires(Permission.VIEW_LEDGER)
def statement(statement_id: int) -> Any:
    found = db.session.get(BankStatement, statement_id)
    if found is None:
        abort(404)
    return render_template(
        "bankfiles/statement.html",
        statement=found,
        can_record=has_permission(current_user, Permission.RECORD_BANK_RECEIPT),
    )


def _entry_or_404(entry_id: int) -> StatementEntry:
    found = db.session.get(StatementEntry, entry_id)
    if found is None:
        abort(404)
    return found


@bp.post("/entries/<int:entry_id>/confirm")
@requires(Permission.RECORD_BANK_RECEIPT)
def confirm_entry(entry_id: int) -> Any:
    entry = _entry_or_404(entry_id)
    try:
        _receipt, numbered = bankfiles.confirm_proposal(actor=current_user, entry=entry)
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
    else:
        send_receipts([numbered])
        db.session.commit()
        flash(_("Recorded as a bank receipt and applied to the pledge."), "success")
    return redirect(url_for("bankfiles.statement", statement_id=entry.statement_id))


@bp.post("/entries/<int:entry_id>/dismiss")
@requires(Permission.RECORD_BANK_RECEIPT)
def dismiss_entry(entry_id: int) -> Any:
    entry = _entry_or_404(entry_id)
    try:
        bankfiles.dismiss_proposal(actor=current_user, entry=entry)
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
    else:
        db.session.commit()
        flash(_("The proposed pledge is dismissed: record the money by hand."), "success")
    return redirect(url_for("bankfiles.statement", statement_id=entry.statement_id))
