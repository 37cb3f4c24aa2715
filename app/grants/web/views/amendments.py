"""Amendments: the grantee's request, the page, and the fund manager's decision."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission, can_view_grant
from app.grants.models import Amendment, AmendmentKind, AmendmentStatus, Grant
from app.grants.services import amendments as grant_amendments
from app.grants.web.blueprint import bp
from app.grants.web.forms import AmendmentForm, ReviewForm, form_value, parse_amount
from app.grants.web.views.common import may, perform
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.web.access import login_required, requires
from app.web.lookup import visible_or_404


@bp.route("/<int:grant_id>/amendments/new", methods=["GET", "POST"])
@requires(Permission.SUBMIT_GRANT_REPORT)
def new_amendment(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    form = AmendmentForm()
    errors: list[str] = []
    if request.method == "POST" and form.validate_on_submit():
        try:
            kind = AmendmentKind(form.kind.data)
            amounts = None
            if kind == AmendmentKind.BUDGET_REALLOCATION:
                amounts = {
                    line.position: parse_amount(
                        form_value(request.form, f"line-{line.position}"),
                        grant.currency,
                        what=line.description,
                    )
                    for line in grant.current_budget
                }
            amendment = grant_amendments.request_amendment(
                actor=current_user,
                grant=grant,
                kind=kind,
                reason=form.reason.data or "",
                new_end_date=form.new_end_date.data,
                amounts=amounts,
            )
        except DomainError as error:
            db.session.rollback()
            errors.append(error.translated(_))
        else:
            db.session.commit()
            flash(_("Your request is sent to the fund manager."), "success")
            return redirect(url_for("grants.amendment", amendment_id=amendment.id))
    return (
        render_template(
            "grants/amendment_new.html",
            grant=grant,
            form=form,
            errors=errors,
            values=request.form if request.method == "POST" else None,
        ),
        422 if errors or form.errors else 200,
    )


@bp.get("/amendments/<int:amendment_id>")
@login_required
def amendment(amendment_id: int) -> Any:
    item = visible_or_404(Amendment, amendment_id, lambda actor, a: can_view_grant(actor, a.grant))
    grant = item.grant
    base = [line for line in grant.budget_lines if line.version == item.base_budget_version]
    return render_template(
        "grants/amendment.html",
        grant=grant,
        amendment=item,
        base_lines=base,
        can_decide=item.status == AmendmentStatus.REQUESTED
        and may(Permission.ACCEPT_GRANT_REPORT, grant),
        review_form=ReviewForm(),
        AmendmentKind=AmendmentKind,
    )


def _amendment_or_404(amendment_id: int) -> Amendment:
    return visible_or_404(Amendment, amendment_id, lambda actor, a: can_view_grant(actor, a.grant))


def _review(
    amendment_id: int, decide: Callable[..., object], said: Callable[[Amendment], str]
) -> Any:
    """The fund's answer to an amendment: the service ``decide`` takes it with the reviewer's
    comment, then the amendment's page says ``said``."""
    item = _amendment_or_404(amendment_id)
    form = ReviewForm()
    return perform(
        lambda: decide(actor=current_user, amendment=item, comment=form.comment.data or ""),
        success=said(item),
        target=url_for("grants.amendment", amendment_id=item.id),
    )


@bp.post("/amendments/<int:amendment_id>/approve")
@requires(Permission.ACCEPT_GRANT_REPORT)
def approve_amendment(amendment_id: int) -> Any:
    return _review(
        amendment_id,
        grant_amendments.approve_amendment,
        lambda item: _("Amendment %(number)s is approved and applied.", number=item.number),
    )


@bp.post("/amendments/<int:amendment_id>/reject")
@requires(Permission.ACCEPT_GRANT_REPORT)
def reject_amendment(amendment_id: int) -> Any:
    return _review(
        amendment_id,
        grant_amendments.reject_amendment,
        lambda item: _("Amendment %(number)s is refused.", number=item.number),
    )
