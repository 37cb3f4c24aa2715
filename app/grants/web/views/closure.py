"""Closing a grant: the closure statement, starting closure, refunds received, the final close."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission, can_view_grant
from app.grants.models import Grant, GrantStatus, TrancheStatus
from app.grants.services import closure as grant_closure
from app.grants.services.common import today
from app.grants.web.blueprint import bp
from app.grants.web.forms import RefundForm, parse_amount
from app.grants.web.views.common import may, perform
from app.grants.workflow import GRANT_WORKFLOW
from app.platform.errors import DomainError
from app.web.access import login_required, requires
from app.web.display import money
from app.web.lookup import visible_or_404


@bp.get("/<int:grant_id>/closure")
@login_required
def closure(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    statement = grant_closure.closure_statement(grant)
    blockers = (
        grant_closure.closure_blockers(grant)
        if grant.status in (GrantStatus.ACTIVE, GrantStatus.SUSPENDED)
        else []
    )
    moves = GRANT_WORKFLOW.available_moves(grant, current_user)
    refund_form = RefundForm()
    if request.method == "GET":
        refund_form.received_on.data = today()
    return render_template(
        "grants/closure.html",
        grant=grant,
        statement=statement,
        blockers=[b.translated(_) for b in blockers],
        can_start=GrantStatus.CLOSING in moves,
        can_close=GrantStatus.CLOSED in moves,
        can_refund=grant.status == GrantStatus.CLOSING
        and statement.refund_outstanding > 0
        and may(Permission.RECORD_BANK_RECEIPT, grant),
        refund_form=refund_form,
        TrancheStatus=TrancheStatus,
    )


@bp.post("/<int:grant_id>/closure/start")
@requires(Permission.CLOSE_GRANT)
def start_closure(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    return perform(
        lambda: grant_closure.start_closure(actor=current_user, grant=grant),
        success=_("Closure started: the unspent balance is worked out below."),
        target=url_for("grants.closure", grant_id=grant.id),
    )


@bp.post("/<int:grant_id>/closure/refunds")
@requires(Permission.RECORD_BANK_RECEIPT)
def record_refund(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    form = RefundForm()
    target = url_for("grants.closure", grant_id=grant.id)
    if not form.validate_on_submit():
        flash(_("Give the amount, the bank reference and the date the refund arrived."), "danger")
        return redirect(target)

    try:
        amount = parse_amount(form.amount.data, grant.currency, what=_("the refund"))
    except DomainError as error:
        flash(error.translated(_), "danger")
        return redirect(target)

    def act() -> None:
        grant_closure.record_grantee_refund(
            actor=current_user,
            grant=grant,
            amount=amount,
            bank_reference=form.bank_reference.data or "",
            received_on=form.received_on.data or today(),
        )

    return perform(
        act,
        success=_(
            "The refund of %(amount)s is recorded on the ledger.",
            amount=money(amount, grant.currency),
        ),
        target=target,
    )


@bp.post("/<int:grant_id>/close")
@requires(Permission.CLOSE_GRANT)
def close(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    return perform(
        lambda: grant_closure.close_grant(actor=current_user, grant=grant),
        success=_("The grant is closed; what was never paid is back in the fund."),
        target=url_for("grants.closure", grant_id=grant.id),
    )
