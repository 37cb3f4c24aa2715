"""The grant dashboards (the NGO's grants, the fund manager's board) and the grant page."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from flask_login import current_user
from sqlalchemy.orm import contains_eager, lazyload, load_only

from app.accounts.permissions import Permission, can_view_grant, has_permission, is_member
from app.accounts.services.organisations import organisation_ids_query
from app.applications.web.listing import listed_countries
from app.grants import queries
from app.grants.models import (
    REPORT_OUTSTANDING,
    AmendmentStatus,
    Grant,
    GrantReport,
    GrantStatus,
    TrancheStatus,
)
from app.grants.services import agreement as grant_agreement
from app.grants.services import closure as grant_closure
from app.grants.services import disbursements as grant_disbursements
from app.grants.services.common import fund_available, today
from app.grants.services.reports import REPORTING_STATES
from app.grants.web.blueprint import bp
from app.grants.web.forms import AwardForm, BankReferenceForm, ReasonForm
from app.grants.web.listing import GRANTS
from app.grants.web.views.common import may
from app.grants.web.views.tranches import tranche_actions
from app.grants.workflow import GRANT_WORKFLOW
from app.ledger.chart import find_account, grant_key
from app.ledger.services.balances import account_balance
from app.monitoring import services as monitoring
from app.monitoring.models import MonitoringRecommendation
from app.platform.extensions import db
from app.reviews.models import BoardDecision
from app.web.access import login_required, requires
from app.web.lists import list_view
from app.web.lookup import visible_or_404
from app.web.paged import paged_list


@bp.get("/", endpoint="mine")
@requires(Permission.SUBMIT_GRANT_REPORT)
def mine() -> Any:
    """The NGO's grants: next actions, reports due, tranche status. The reports to send (the
    earliest due first) and the grants (a report overdue first, then by stage) are each read a
    page at a time (keyset pages), so the page costs the same however many there are."""
    on = today()
    organisation_ids = organisation_ids_query(current_user)
    # The cards show neither the application nor, for a report, more of its grant than the
    # reference: they are not read.
    my_grants = paged_list(
        queries.list_grants(on=on, organisation_ids=organisation_ids).options(
            lazyload(Grant.application)
        ),
        queries.grant_order(on),
    )
    due = paged_list(
        queries.outstanding_reports_query(on=on, organisation_ids=organisation_ids).options(
            contains_eager(GrantReport.grant).options(
                load_only(Grant.id, Grant.reference),
                lazyload(Grant.application),
                lazyload(Grant.organisation),
            )
        ),
        queries.REPORTS_DUE_ORDER,
        name="reports",
    )
    return render_template(
        "grants/mine.html",
        grants=my_grants,
        due_reports=due,
        on=on,
        is_overdue=queries.is_overdue,
        # Asked of the grants whose agreement waits to be accepted only.
        signatory_of=grant_agreement.signatory_of(
            current_user, [g for g in my_grants.items if g.status == GrantStatus.AGREEMENT_SENT]
        ),
        # The fund's open recommendations on these grants: all are the reader's organisations'
        # (monitoring's may_respond), so none is asked about again.
        to_answer=_by_grant(monitoring.open_recommendations_of([g.id for g in my_grants.items])),
    )


def _by_grant(recommendations: list[MonitoringRecommendation]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    for recommendation in recommendations:
        found.setdefault(recommendation.grant_id, []).append(recommendation)
    return found


@bp.get("/manage")
@requires(Permission.VIEW_ALL_APPLICATIONS)
def manage() -> Any:
    """The fund manager's board: approved applications to award, grants (a staff list: sorted
    by any column shown, overdue first by default, filters, count, CSV, saved views), reports
    and amendments waiting for a decision."""
    on = today()
    lv = list_view(GRANTS, lambda state: GRANTS.query(state.filters))
    page = lv.page
    return render_template(
        "grants/manage.html",
        lv=lv,
        page=page,
        status=lv.state.raw_filters.get("status", ""),
        country=lv.state.filters.get("country", ""),
        q=lv.state.raw_filters.get("q", ""),
        only_overdue=bool(lv.state.filters.get("overdue")),
        countries=listed_countries(),
        counts=queries.grant_counts(),
        awaiting=queries.awaiting_award(psc_rate=current_app.config["PSC_RATE"]),
        available=fund_available(),
        to_review=queries.reports_awaiting_review(),
        amendments=queries.amendments_awaiting_decision(),
        overdue_ids={g.id for g in page.items if any(queries.is_overdue(r, on) for r in g.reports)},
        can_award=has_permission(current_user, Permission.AWARD_GRANT),
        award_form=AwardForm(),
        currency=current_app.config["FUNCTIONAL_CURRENCY"],
        on=on,
    )


def _ledger_summary(grant: Grant) -> dict[str, Any] | None:
    """The grant account as the ledger has it, beside what the grant page expects."""
    account = find_account(grant_key(grant.id))
    if account is None:
        return None
    balance = account_balance(account=account)
    in_transit = sum(t.amount for t in grant.tranches if t.status == TrancheStatus.SENT)
    expected_posted = (
        grant.commitment - grant.paid_amount - grant.psc_charged - (grant.released_amount or 0)
    )
    return {
        "account": account,
        "posted": balance.posted,
        "pending_out": -balance.pending,
        "available": balance.available,
        "expected_posted": expected_posted,
        "in_transit": in_transit,
        "agrees": balance.posted == expected_posted and -balance.pending == in_transit,
    }


@bp.get("/<int:grant_id>")
@login_required
def show(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    on = today()
    member = is_member(current_user, grant.organisation_id)
    moves = GRANT_WORKFLOW.available_moves(grant, current_user)
    return render_template(
        "grants/show.html",
        grant=grant,
        on=on,
        member=member,
        # The Board decision the grant carries out: the start of the audit trail.
        decision=db.session.get(BoardDecision, grant.board_decision_id)
        if grant.board_decision_id
        else None,
        is_overdue=queries.is_overdue,
        ledger=_ledger_summary(grant)
        if has_permission(current_user, Permission.VIEW_LEDGER)
        else None,
        statement=grant_closure.closure_statement(grant),
        actions=tranche_actions(grant),
        blockers={
            t.id: grant_disbursements.tranche_blockers(t, on=on)
            for t in grant.tranches
            if t.status in (TrancheStatus.SCHEDULED, TrancheStatus.FAILED)
        },
        can_edit_schedule=grant.status == GrantStatus.AWARDED
        and may(Permission.AWARD_GRANT, grant),
        can_accept=grant.status == GrantStatus.AGREEMENT_SENT
        and has_permission(current_user, Permission.SUBMIT_GRANT_REPORT)
        and grant_agreement.is_signatory(current_user, grant),
        can_suspend=GrantStatus.SUSPENDED in moves,
        can_resume=grant.status == GrantStatus.SUSPENDED and GrantStatus.ACTIVE in moves,
        can_close=GrantStatus.CLOSING in moves or GrantStatus.CLOSED in moves,
        can_amend=member
        and has_permission(current_user, Permission.SUBMIT_GRANT_REPORT)
        and grant.status in REPORTING_STATES
        and not any(a.status == AmendmentStatus.REQUESTED for a in grant.amendments),
        can_edit_reports=member
        and has_permission(current_user, Permission.SUBMIT_GRANT_REPORT)
        and grant.status in REPORTING_STATES,
        bank_form=BankReferenceForm(),
        reason_form=ReasonForm(),
        TrancheStatus=TrancheStatus,
        REPORT_OUTSTANDING=REPORT_OUTSTANDING,
    )
