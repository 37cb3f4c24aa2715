"""Tranches: finance's disbursement queue, the tranche page and its maker-checker steps."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission, can_view_grant, has_permission
from app.applications.web.listing import listed_countries
from app.grants import tranche_queries
from app.grants.models import Grant, GrantStatus, Tranche, TrancheStatus
from app.grants.services import disbursements as grant_disbursements
from app.grants.services.common import today
from app.grants.web.blueprint import bp
from app.grants.web.forms import BankReferenceForm, ReasonForm
from app.grants.web.tranche_listing import OVERDUE, STATES, TRANCHES
from app.grants.web.views.common import back, may, perform
from app.grants.workflow import TRANCHE_WORKFLOW
from app.ledger.services.transfers import transfers_for_document
from app.ledger.web import labels as ledger_labels
from app.organisations.services import destinations as payees
from app.web.access import login_required, requires
from app.web.display import money
from app.web.lists import list_view
from app.web.lookup import visible_or_404
from app.web.paged import paged_list


@bp.get("/disbursements")
@requires(Permission.VIEW_LEDGER)
def disbursements() -> Any:
    """Finance's queue (tranches under way, by state, and the next tranche of each running
    grant), then every tranche to pay and paid as a staff list (app/web/lists.py): sorted by any
    column shown, filters that combine (?state=overdue: those the dashboard counts as overdue),
    the count, saved views and the CSV of what is shown.

    Each state of the queue shows its count and sum (one statement) and its tranches a page at
    a time, the oldest first, with its own pager (?approved_after=...): the page costs the same
    however many there are, and each tranche's buttons work on every page."""
    on = today()
    lv = list_view(TRANCHES, lambda state: TRANCHES.query(state.filters))
    # The queue is shown with the whole list only; a filtered list is shown alone.
    filtered = bool(lv.state.raw_filters)
    states = [*tranche_queries.QUEUE_STATES, TrancheStatus.FAILED]
    queue = (
        {}
        if filtered
        else {
            state: paged_list(
                tranche_queries.queue_query(state), tranche_queries.QUEUE_ORDER, name=state.value
            )
            for state in states
        }
    )
    upcoming = (
        None
        if filtered
        else paged_list(
            tranche_queries.next_tranches_query(on=on),
            tranche_queries.next_tranche_order(on),
            name="next",
        )
    )
    return render_template(
        "grants/disbursements.html",
        lv=lv,
        filtered=filtered,
        overdue_only=lv.state.filters.get("state") == OVERDUE,
        states=STATES,
        countries=listed_countries(),
        queue=queue,
        figures={} if filtered else tranche_queries.queue_figures(),
        upcoming=upcoming,
        blockers={
            t.id: grant_disbursements.tranche_blockers(t, on=on)
            for t in (upcoming.items if upcoming else [])
        },
        # Where each grantee's payments go: the checker approves knowing it.
        destinations=payees.destinations(
            {t.grant.organisation_id for listed in queue.values() for t in listed.items}
        ),
        # After a button, back to the same pages of the queue.
        here=request.full_path.rstrip("?"),
        can_request=has_permission(current_user, Permission.REQUEST_DISBURSEMENT),
        can_approve=has_permission(current_user, Permission.APPROVE_DISBURSEMENT),
        can_confirm=has_permission(current_user, Permission.CONFIRM_DISBURSEMENT),
        bank_form=BankReferenceForm(),
        reason_form=ReasonForm(),
        currency=current_app.config["FUNCTIONAL_CURRENCY"],
        TrancheStatus=TrancheStatus,
    )


# The button (in grants/_macros.html) each tranche move is offered as; "confirm" offers both
# Paid and Failed.
_BUTTONS: dict[StrEnum, str] = {
    TrancheStatus.REQUESTED: "request",
    TrancheStatus.APPROVED: "approve",
    TrancheStatus.SENT: "send",
    TrancheStatus.PAID: "confirm",
    TrancheStatus.CANCELLED: "cancel",
}


def tranche_actions(grant: Grant) -> dict[int, set[str]]:
    """Which buttons each tranche shows to this visitor: the moves the tranche workflow lets
    them make now (the services decide again). A tranche that cannot be requested yet shows why
    instead of a button; the maker of a request is told another officer must approve it."""
    actions: dict[int, set[str]] = {}
    on = today()
    for tranche in grant.tranches:
        moves = TRANCHE_WORKFLOW.available_moves(tranche, current_user)
        allowed = {_BUTTONS[move] for move in moves if move in _BUTTONS}
        if "request" in allowed and grant_disbursements.tranche_blockers(tranche, on=on):
            allowed.discard("request")
        if _own_request(tranche, grant):
            allowed.add("own_request")
        actions[tranche.id] = allowed
    return actions


def _own_request(tranche: Tranche, grant: Grant) -> bool:
    """A checker looking at their own request: the workflow refuses them the approval."""
    return (
        tranche.status == TrancheStatus.REQUESTED
        and tranche.requested_by_id == current_user.id
        and grant.status == GrantStatus.ACTIVE
        and may(Permission.APPROVE_DISBURSEMENT, grant)
    )


@bp.get("/tranches/<int:tranche_id>")
@login_required
def tranche(tranche_id: int) -> Any:
    item = _tranche_or_404(tranche_id)
    grant = item.grant
    return render_template(
        "grants/tranche.html",
        grant=grant,
        tranche=item,
        transfers=transfers_for_document(document_type="tranche", document_id=item.id)
        if has_permission(current_user, Permission.VIEW_LEDGER)
        else [],
        gating=[r for r in grant.reports if r.gates_tranche_id == item.id],
        blockers=grant_disbursements.tranche_blockers(item, on=today())
        if item.status in (TrancheStatus.SCHEDULED, TrancheStatus.FAILED)
        else [],
        actions=tranche_actions(grant).get(item.id, set()),
        destination=payees.destination(grant.organisation_id),
        bank_form=BankReferenceForm(),
        reason_form=ReasonForm(),
        TrancheStatus=TrancheStatus,
        code_label=ledger_labels.code_label,
        kind_label=ledger_labels.kind_label,
    )


def _tranche_or_404(tranche_id: int) -> Tranche:
    return visible_or_404(Tranche, tranche_id, lambda actor, t: can_view_grant(actor, t.grant))


def _move(
    tranche_id: int, make: Callable[[Tranche], object], said: Callable[[Tranche], str]
) -> Any:
    """One maker-checker step: the service ``make`` moves the tranche (and decides again who may),
    then the visitor is sent back where they came from with what happened (``said``)."""
    item = _tranche_or_404(tranche_id)
    return perform(
        lambda: make(item),
        success=said(item),
        target=back(url_for("grants.tranche", tranche_id=item.id)),
    )


def _amount(item: Tranche) -> str:
    return money(item.amount, item.grant.currency)


@bp.post("/tranches/<int:tranche_id>/request")
@requires(Permission.REQUEST_DISBURSEMENT)
def request_tranche(tranche_id: int) -> Any:
    return _move(
        tranche_id,
        lambda item: grant_disbursements.request_disbursement(actor=current_user, tranche=item),
        lambda item: _(
            "Tranche %(number)s (%(amount)s) is requested; another finance officer must "
            "approve it.",
            number=item.number,
            amount=_amount(item),
        ),
    )


@bp.post("/tranches/<int:tranche_id>/approve")
@requires(Permission.APPROVE_DISBURSEMENT)
def approve_tranche(tranche_id: int) -> Any:
    return _move(
        tranche_id,
        lambda item: grant_disbursements.approve_disbursement(actor=current_user, tranche=item),
        lambda item: _(
            "Tranche %(number)s (%(amount)s) is approved and ready to send.",
            number=item.number,
            amount=_amount(item),
        ),
    )


@bp.post("/tranches/<int:tranche_id>/send")
@requires(Permission.CONFIRM_DISBURSEMENT)
def send_tranche(tranche_id: int) -> Any:
    return _move(
        tranche_id,
        lambda item: grant_disbursements.send_disbursement(actor=current_user, tranche=item),
        lambda item: _(
            "Tranche %(number)s (%(amount)s) is sent: the payment is pending on the ledger.",
            number=item.number,
            amount=_amount(item),
        ),
    )


@bp.post("/tranches/<int:tranche_id>/paid")
@requires(Permission.CONFIRM_DISBURSEMENT)
def confirm_tranche(tranche_id: int) -> Any:
    reference = BankReferenceForm().bank_reference.data or ""
    return _move(
        tranche_id,
        lambda item: grant_disbursements.confirm_disbursement(
            actor=current_user, tranche=item, bank_reference=reference
        ),
        lambda item: _(
            "Tranche %(number)s (%(amount)s) is paid and posted on the ledger.",
            number=item.number,
            amount=_amount(item),
        ),
    )


@bp.post("/tranches/<int:tranche_id>/failed")
@requires(Permission.CONFIRM_DISBURSEMENT)
def fail_tranche(tranche_id: int) -> Any:
    reason = ReasonForm().reason.data or ""
    return _move(
        tranche_id,
        lambda item: grant_disbursements.record_disbursement_failure(
            actor=current_user, tranche=item, reason=reason
        ),
        lambda item: _("The failed payment is recorded and the pending transfer voided."),
    )


@bp.post("/tranches/<int:tranche_id>/cancel")
@requires(Permission.REQUEST_DISBURSEMENT)
def cancel_tranche(tranche_id: int) -> Any:
    reason = ReasonForm().reason.data or ""
    return _move(
        tranche_id,
        lambda item: grant_disbursements.cancel_tranche(
            actor=current_user, tranche=item, reason=reason
        ),
        lambda item: _("Tranche %(number)s is cancelled.", number=item.number),
    )
