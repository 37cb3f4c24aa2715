"""The fund ledger for finance, fund managers and auditors: read-only screens and the CSV export."""

from __future__ import annotations

import uuid
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission, has_permission
from app.jobs.services import enqueue
from app.jobs.web.wake import wake_worker
from app.ledger.chart import find_account
from app.ledger.models import Account, TransferKind
from app.ledger.services.balances import account_balance
from app.ledger.services.transfers import find_transfer
from app.ledger.web import labels
from app.ledger.web.export_jobs import LEDGER_EXPORT_JOB, LedgerExport, build_ledger_export
from app.ledger.web.forms import ExportForm, StatementFilterForm
from app.ledger.web.queries.chart import (
    OWNED_ORDER,
    balance_of,
    chart_of_accounts,
    ledger_totals,
    owned_accounts,
    owned_total,
)
from app.ledger.web.queries.seals import seal_summary
from app.ledger.web.queries.statements import statement_view
from app.ledger.web.queries.transfer import transfer_context
from app.platform.extensions import db
from app.platform.settings import settings
from app.reporting.web.export import file_chunks, spooled
from app.web.access import requires
from app.web.forms import whole_number_arg
from app.web.paged import paged_list

bp = Blueprint("ledger", __name__, template_folder="../templates", url_prefix="/ledger")
# The money and number filters; registering them again is harmless.

# Words searched in the per-owner lists (an account's name or key) are cut to this length.
SEARCH_LENGTH = 200


@bp.context_processor
def _ledger_helpers() -> dict[str, Any]:
    return {
        "can_export": has_permission(current_user, Permission.EXPORT_DATA),
        "can_view_audit_log": has_permission(current_user, Permission.VIEW_AUDIT_LOG),
        "account_name": labels.account_name,
        "balance_of": balance_of,
        "account_type_label": labels.account_type_label,
        "code_label": labels.code_label,
        "kind_label": labels.kind_label,
        "group_label": labels.group_label,
        "group_endpoint": labels.GROUP_ENDPOINTS.get,
        "document_link": labels.document_link,
        "TransferKind": TransferKind,
    }


def _currency() -> str:
    return str(current_app.config["FUNCTIONAL_CURRENCY"])


def _int_arg(name: str) -> int | None:
    """A cursor (a transfer's bigint sequence) from the query string; junk is ignored (first
    page), never a 500."""
    return whole_number_arg(name, maximum=2**63 - 1)


@bp.get("/")
@requires(Permission.VIEW_LEDGER)
def accounts() -> Any:
    chart = chart_of_accounts()
    return render_template(
        "ledger/accounts.html",
        chart=chart,
        currency=_currency(),
        seals=seal_summary(),
    )


@bp.get("/donors")
@requires(Permission.VIEW_LEDGER)
def donor_accounts() -> Any:
    return _owned_accounts("donor")


@bp.get("/grants")
@requires(Permission.VIEW_LEDGER)
def grant_accounts() -> Any:
    return _owned_accounts("grant")


def _owned_accounts(owner_type: str) -> Any:
    """A page of the per-donor or per-grant accounts (keyset: each page costs the same at any
    depth), those whose name or key holds the words searched, and their count and sum."""
    words = " ".join(request.args.get("q", "").split())[:SEARCH_LENGTH]
    return render_template(
        "ledger/group.html",
        owner_type=owner_type,
        accounts=paged_list(owned_accounts(owner_type, words=words), OWNED_ORDER),
        total=owned_total(owner_type, words=words),
        words=words,
        currency=_currency(),
    )


@bp.get("/accounts/<int:account_id>")
@requires(Permission.VIEW_LEDGER)
def statement(account_id: int) -> Any:
    account = db.get_or_404(Account, account_id)
    form = StatementFilterForm(request.args)
    balance = account_balance(account=account)
    if not form.validate():
        return render_template(
            "ledger/statement.html", account=account, balance=balance, form=form, view=None
        ), 400
    since, until = form.period
    view = statement_view(
        account=account,
        limit=current_app.config["PAGE_SIZE"],
        before=_int_arg("before"),
        after=_int_arg("after"),
        since=since,
        until=until,
        code=form.code_value,
    )
    filters = {
        key: value
        for key, value in request.args.items()
        if key in ("since", "until", "code") and value
    }
    return render_template(
        "ledger/statement.html",
        account=account,
        balance=balance,
        form=form,
        view=view,
        filters=filters,
    )


@bp.get("/transfers/<uuid:transfer_id>")
@requires(Permission.VIEW_LEDGER)
def transfer(transfer_id: uuid.UUID) -> Any:
    found = find_transfer(transfer_id)
    if found is None:
        abort(404)
    return render_template(
        "ledger/transfer.html",
        transfer=found,
        context=transfer_context(found),
        document=labels.document_link(found.document_type, found.document_id, by_reference=True),
    )


@bp.get("/export")
@requires(Permission.VIEW_LEDGER, Permission.EXPORT_DATA)
def export() -> Any:
    form = ExportForm(request.args)
    if not request.args:
        return render_template("ledger/export.html", form=form)
    account = None
    valid = form.validate()
    if valid and form.account.data:
        account = find_account(form.account.data.strip())
        if account is None:
            form.account.errors = [_("There is no ledger account %(key)s.", key=form.account.data)]
            valid = False
    if not valid:
        return render_template("ledger/export.html", form=form), 400
    if form.since.data is None or form.until.data is None:  # both are required: it was valid
        abort(400)
    wanted = LedgerExport(
        since=form.since.data,
        until=form.until.data,
        code=form.code_value,
        account_key=account.key if account is not None else None,
    )
    size = wanted.size()
    if size > settings().jobs.export_threshold_rows:
        # Too many transfers for a request: a worker writes the file; its page shows how far.
        job = enqueue(
            actor=current_user, kind=LEDGER_EXPORT_JOB, parameters=wanted.parameters(), total=size
        )
        db.session.commit()
        wake_worker()
        return redirect(url_for("jobs.status", job_id=job.id), code=303)
    # Small: written now by the workers' function, then sent.
    target = spooled()
    built = build_ledger_export(wanted.parameters(), target, lambda _done: None)
    return Response(
        file_chunks(target),
        mimetype=built.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{built.file_name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/integrity")
@requires(Permission.VIEW_LEDGER)
def integrity() -> Any:
    return render_template(
        "ledger/integrity.html",
        seals=seal_summary(),
        totals=ledger_totals(),
        currency=_currency(),
    )
