"""Grants in the browser: award, schedule, agreement, disbursements, reports, amendments,
closure, and the dashboards of the NGO, finance and the fund manager.

Routes load the record (404 when the visitor may not see it), call one service, commit once.
A refused action (a domain error) is rolled back and explained on the page it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.db import utcnow
from app.domain.accounts.permissions import (
    Permission,
    can_view_grant,
    can_view_grant_report,
    can_view_safeguarding,
    has_permission,
    is_member,
)
from app.domain.accounts.services import organisation_ids_of
from app.domain.applications.models import Application
from app.domain.applications.services import profile_of
from app.domain.categories import AgeGroup, AssistanceType, FormOfExploitation, Sex
from app.domain.errors import DomainError
from app.domain.grants import queries
from app.domain.grants import reports as grant_reports
from app.domain.grants import services as grants
from app.domain.grants.models import (
    REPORT_OUTSTANDING,
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    FigureDimension,
    Grant,
    GrantReport,
    GrantStatus,
    ReportAttachment,
    ReportStatus,
    Tranche,
    TrancheStatus,
)
from app.domain.grants.reports import FIGURE_CODES, REPORTING_STATES, ReportData, sex_age_code
from app.domain.ledger.chart import find_account, grant_key
from app.domain.ledger.services import account_balance, transfers_for_document
from app.domain.reviews.models import BoardDecision
from app.extensions import db
from app.storage import get_storage
from app.web.access import login_required, requires
from app.web.display import money
from app.web.downloads import send_private_file
from app.web.forms import is_safe_redirect, page_number
from app.web.grants.forms import (
    AcceptAgreementForm,
    AmendmentForm,
    AwardForm,
    BankReferenceForm,
    ReasonForm,
    RebuildForm,
    RefundForm,
    ReviewForm,
    UploadForm,
    form_value,
    parse_amount,
    parse_count,
    parse_date,
)
from app.web.grants.labels import grant_badge, grant_day, grant_label, report_name
from app.web.ledger import labels as ledger_labels
from app.web.lookup import visible_or_404

bp = Blueprint("grants", __name__, url_prefix="/grants")
bp.add_app_template_global(grant_label, "grant_label")
bp.add_app_template_global(grant_badge, "grant_badge")
bp.add_app_template_global(report_name, "report_name")
bp.add_app_template_filter(grant_day, "day")
bp.add_app_template_filter(lambda error: error.translated(_), "explain")


def _perform(action: Callable[[], Any], *, success: str, target: str) -> Any:
    """Run one service and commit; a refusal is rolled back and explained where it came from."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
        return redirect(target)
    db.session.commit()
    flash(success, "success")
    return redirect(target)


def _grant_url(grant_id: int, anchor: str = "") -> str:
    return url_for("grants.show", grant_id=grant_id) + (f"#{anchor}" if anchor else "")


def _back(default: str) -> str:
    """Where to return after an action started from a list (same site only)."""
    target = request.form.get("next")
    return target if target and is_safe_redirect(target) else default


def _fund_side(grant: Grant) -> bool:
    return not is_member(current_user, grant.organisation_id)


def _may(permission: Permission, grant: Grant) -> bool:
    return has_permission(current_user, permission) and _fund_side(grant)


# --- dashboards ------------------------------------------------------------------------------


@bp.get("/", endpoint="mine")
@requires(Permission.SUBMIT_GRANT_REPORT)
def mine() -> Any:
    """The NGO's grants: next actions, reports due, tranche status."""
    on = grants.today()
    organisation_ids = organisation_ids_of(current_user)
    my_grants = queries.grants_of(organisation_ids, on=on)
    due = queries.outstanding_reports(on=on, organisation_ids=organisation_ids)
    return render_template(
        "grants/mine.html",
        grants=my_grants,
        due_reports=due,
        on=on,
        is_overdue=queries.is_overdue,
        signatory_of={g.id: grants.is_signatory(current_user, g) for g in my_grants},
    )


@bp.get("/manage")
@requires(Permission.VIEW_ALL_APPLICATIONS)
def manage() -> Any:
    """The fund manager's board: approved applications to award, grants by state (overdue
    first), reports and amendments waiting for a decision."""
    on = grants.today()
    raw_status = request.args.get("status", "")
    status = GrantStatus(raw_status) if raw_status in {s.value for s in GrantStatus} else None
    page = db.paginate(
        queries.list_grants(on=on, status=status),
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "grants/manage.html",
        page=page,
        status=raw_status,
        counts=queries.grant_counts(),
        awaiting=queries.awaiting_award(psc_rate=current_app.config["PSC_RATE"]),
        available=grants.fund_available(),
        to_review=queries.reports_awaiting_review(),
        amendments=queries.amendments_awaiting_decision(),
        overdue_ids={g.id for g in page.items if any(queries.is_overdue(r, on) for r in g.reports)},
        can_award=has_permission(current_user, Permission.AWARD_GRANT),
        award_form=AwardForm(),
        currency=current_app.config["FUNCTIONAL_CURRENCY"],
        on=on,
    )


@bp.get("/reports")
@requires(Permission.VIEW_ALL_APPLICATIONS)
def reports() -> Any:
    """Reports due and overdue on running grants, and those waiting for review."""
    on = grants.today()
    return render_template(
        "grants/reports.html",
        outstanding=queries.outstanding_reports(on=on),
        to_review=queries.reports_awaiting_review(),
        is_overdue=queries.is_overdue,
        on=on,
    )


@bp.get("/disbursements")
@requires(Permission.VIEW_LEDGER)
def disbursements() -> Any:
    """Finance's queue: tranches by state, and the next tranche of each running grant."""
    on = grants.today()
    queue = queries.disbursement_queue(on=on)
    return render_template(
        "grants/disbursements.html",
        queue=queue,
        totals={state: sum(t.amount for t in rows) for state, rows in queue.items()},
        upcoming=queries.next_tranches(on=on),
        can_request=has_permission(current_user, Permission.REQUEST_DISBURSEMENT),
        can_approve=has_permission(current_user, Permission.APPROVE_DISBURSEMENT),
        can_confirm=has_permission(current_user, Permission.CONFIRM_DISBURSEMENT),
        bank_form=BankReferenceForm(),
        reason_form=ReasonForm(),
        currency=current_app.config["FUNCTIONAL_CURRENCY"],
        TrancheStatus=TrancheStatus,
    )


# --- award, schedule and agreement -----------------------------------------------------------


@bp.post("/award/<int:application_id>")
@requires(Permission.AWARD_GRANT)
def award(application_id: int) -> Any:
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    form = AwardForm()
    form.validate()
    created: list[Grant] = []

    def act() -> None:
        created.append(
            grants.award_grant(
                actor=current_user, application=application, start_date=form.start_date.data
            )
        )

    response = _perform(
        act,
        success=_("The grant is awarded and its money committed."),
        target=url_for("grants.manage"),
    )
    if created:
        return redirect(url_for("grants.show", grant_id=created[0].id))
    return response


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


def _tranche_actions(grant: Grant) -> dict[int, set[str]]:
    """Which buttons each tranche shows to this visitor (the services decide again); a
    tranche that cannot be requested yet shows why instead of a button."""
    actions: dict[int, set[str]] = {}
    active = grant.status == GrantStatus.ACTIVE
    on = grants.today()
    for tranche in grant.tranches:
        allowed: set[str] = set()
        state = tranche.status
        if (
            active
            and state in (TrancheStatus.SCHEDULED, TrancheStatus.FAILED)
            and not grants.tranche_blockers(tranche, on=on)
        ):
            allowed |= {"request"} if _may(Permission.REQUEST_DISBURSEMENT, grant) else set()
        if (
            active
            and state == TrancheStatus.REQUESTED
            and _may(Permission.APPROVE_DISBURSEMENT, grant)
        ):
            own = tranche.requested_by_id == current_user.id
            allowed.add("own_request" if own else "approve")
        if (
            active
            and state == TrancheStatus.APPROVED
            and _may(Permission.CONFIRM_DISBURSEMENT, grant)
        ):
            allowed.add("send")
        if state == TrancheStatus.SENT and _may(Permission.CONFIRM_DISBURSEMENT, grant):
            allowed.add("confirm")
        if (
            grant.status not in (GrantStatus.CLOSING, GrantStatus.CLOSED)
            and tranche.status
            in (TrancheStatus.SCHEDULED, TrancheStatus.REQUESTED, TrancheStatus.APPROVED)
            and _may(Permission.REQUEST_DISBURSEMENT, grant)
        ):
            allowed.add("cancel")
        actions[tranche.id] = allowed
    return actions


@bp.get("/<int:grant_id>")
@login_required
def show(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    on = grants.today()
    member = is_member(current_user, grant.organisation_id)
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
        statement=grants.closure_statement(grant),
        actions=_tranche_actions(grant),
        blockers={
            t.id: grants.tranche_blockers(t, on=on)
            for t in grant.tranches
            if t.status in (TrancheStatus.SCHEDULED, TrancheStatus.FAILED)
        },
        can_edit_schedule=grant.status == GrantStatus.AWARDED
        and _may(Permission.AWARD_GRANT, grant),
        can_accept=grant.status == GrantStatus.AGREEMENT_SENT
        and has_permission(current_user, Permission.SUBMIT_GRANT_REPORT)
        and grants.is_signatory(current_user, grant),
        can_suspend=grant.status == GrantStatus.ACTIVE and _may(Permission.CLOSE_GRANT, grant),
        can_resume=grant.status == GrantStatus.SUSPENDED and _may(Permission.CLOSE_GRANT, grant),
        can_close=_may(Permission.CLOSE_GRANT, grant)
        and grant.status in (GrantStatus.ACTIVE, GrantStatus.SUSPENDED, GrantStatus.CLOSING),
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


def _schedule_rows(grant: Grant) -> tuple[list[grants.TrancheRow], list[grants.ReportRow]]:
    form = request.form
    tranche_rows = []
    for tranche in grant.tranches:
        what = _("tranche %(number)s", number=tranche.number)
        tranche_rows.append(
            grants.TrancheRow(
                number=tranche.number,
                amount=parse_amount(
                    form_value(form, f"tranche-{tranche.number}-amount"), grant.currency, what=what
                ),
                planned_date=parse_date(
                    form_value(form, f"tranche-{tranche.number}-date"), what=what
                ),
            )
        )
    report_rows = [
        grants.ReportRow(
            report_id=report.id,
            due_date=parse_date(
                form_value(form, f"report-{report.id}-due"), what=report_name(report)
            ),
        )
        for report in grant.reports
    ]
    return tranche_rows, report_rows


@bp.route("/<int:grant_id>/schedule", methods=["GET", "POST"])
@requires(Permission.AWARD_GRANT)
def schedule(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    if grant.status != GrantStatus.AWARDED:
        flash(_("The schedule is fixed once the agreement is sent."), "info")
        return redirect(_grant_url(grant.id))
    errors: list[str] = []
    if request.method == "POST":
        try:
            tranche_rows, report_rows = _schedule_rows(grant)
            grants.update_schedule(
                actor=current_user,
                grant=grant,
                start_date=parse_date(form_value(request.form, "start_date"), what=_("the start")),
                end_date=parse_date(form_value(request.form, "end_date"), what=_("the end")),
                tranches=tranche_rows,
                reports=report_rows,
            )
        except DomainError as error:
            db.session.rollback()
            errors.append(error.translated(_))
        else:
            db.session.commit()
            flash(
                _(
                    "The schedule is saved: %(tranches)s.",
                    tranches="; ".join(
                        _(
                            "tranche %(number)s, %(amount)s",
                            number=row.number,
                            amount=money(row.amount, grant.currency),
                        )
                        for row in tranche_rows
                    ),
                ),
                "success",
            )
            return redirect(_grant_url(grant.id, "schedule"))
    return (
        render_template(
            "grants/schedule.html",
            grant=grant,
            errors=errors,
            values=request.form if request.method == "POST" else None,
            rebuild_form=RebuildForm(),
        ),
        422 if errors else 200,
    )


@bp.post("/<int:grant_id>/schedule/rebuild")
@requires(Permission.AWARD_GRANT)
def rebuild_schedule(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    form = RebuildForm()
    form.validate()
    count = form.tranche_count.data if not form.tranche_count.errors else None
    return _perform(
        lambda: grants.rebuild_schedule(actor=current_user, grant=grant, tranche_count=count),
        success=_("The schedule is rebuilt."),
        target=url_for("grants.schedule", grant_id=grant.id),
    )


@bp.post("/<int:grant_id>/send-agreement")
@requires(Permission.AWARD_GRANT)
def send_agreement(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    return _perform(
        lambda: grants.send_agreement(actor=current_user, grant=grant),
        success=_("The agreement is sent to the organisation for signature."),
        target=_grant_url(grant.id),
    )


@bp.get("/<int:grant_id>/agreement")
@login_required
def agreement(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    return render_template(
        "grants/agreement.html",
        grant=grant,
        profile=profile_of(grant.organisation),
        digest=grant.agreement_sha256 or grants.agreement_digest(grant),
        now=utcnow(),
    )


@bp.route("/<int:grant_id>/accept", methods=["GET", "POST"])
@requires(Permission.SUBMIT_GRANT_REPORT)
def accept(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    form = AcceptAgreementForm()
    if request.method == "GET":
        form.digest.data = grant.agreement_sha256
        form.signatory_name.data = current_user.full_name
    errors: list[str] = []
    if request.method == "POST" and form.validate_on_submit():
        try:
            grants.accept_agreement(
                actor=current_user,
                grant=grant,
                signatory_name=form.signatory_name.data or "",
                signatory_title=form.signatory_title.data or "",
                confirmed=bool(form.confirmed.data),
                ip=request.remote_addr,
                digest=form.digest.data or None,
            )
        except DomainError as error:
            db.session.rollback()
            errors.append(error.translated(_))
        else:
            db.session.commit()
            flash(_("The agreement is accepted: the grant is active."), "success")
            return redirect(_grant_url(grant.id))
    return (
        render_template(
            "grants/accept.html",
            grant=grant,
            form=form,
            errors=errors,
            can_sign=grants.is_signatory(current_user, grant),
        ),
        422 if errors or form.errors else 200,
    )


@bp.post("/<int:grant_id>/suspend")
@requires(Permission.CLOSE_GRANT)
def suspend(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    form = ReasonForm()
    return _perform(
        lambda: grants.suspend_grant(
            actor=current_user, grant=grant, reason=form.reason.data or ""
        ),
        success=_("The grant is suspended: no tranche can be requested or sent."),
        target=_grant_url(grant.id),
    )


@bp.post("/<int:grant_id>/resume")
@requires(Permission.CLOSE_GRANT)
def resume(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    return _perform(
        lambda: grants.resume_grant(actor=current_user, grant=grant),
        success=_("The grant is active again."),
        target=_grant_url(grant.id),
    )


# --- closure ---------------------------------------------------------------------------------


@bp.get("/<int:grant_id>/closure")
@login_required
def closure(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    statement = grants.closure_statement(grant)
    blockers = (
        grants.closure_blockers(grant)
        if grant.status in (GrantStatus.ACTIVE, GrantStatus.SUSPENDED)
        else []
    )
    refund_form = RefundForm()
    if request.method == "GET":
        refund_form.received_on.data = grants.today()
    return render_template(
        "grants/closure.html",
        grant=grant,
        statement=statement,
        blockers=[b.translated(_) for b in blockers],
        can_start=grant.status in (GrantStatus.ACTIVE, GrantStatus.SUSPENDED)
        and _may(Permission.CLOSE_GRANT, grant),
        can_close=grant.status == GrantStatus.CLOSING and _may(Permission.CLOSE_GRANT, grant),
        can_refund=grant.status == GrantStatus.CLOSING
        and statement.refund_outstanding > 0
        and _may(Permission.RECORD_BANK_RECEIPT, grant),
        refund_form=refund_form,
        TrancheStatus=TrancheStatus,
    )


@bp.post("/<int:grant_id>/closure/start")
@requires(Permission.CLOSE_GRANT)
def start_closure(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    return _perform(
        lambda: grants.start_closure(actor=current_user, grant=grant),
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
        grants.record_grantee_refund(
            actor=current_user,
            grant=grant,
            amount=amount,
            bank_reference=form.bank_reference.data or "",
            received_on=form.received_on.data or grants.today(),
        )

    return _perform(
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
    return _perform(
        lambda: grants.close_grant(actor=current_user, grant=grant),
        success=_("The grant is closed; what was never paid is back in the fund."),
        target=url_for("grants.closure", grant_id=grant.id),
    )


# --- tranches --------------------------------------------------------------------------------


@bp.get("/tranches/<int:tranche_id>")
@login_required
def tranche(tranche_id: int) -> Any:
    item = visible_or_404(Tranche, tranche_id, lambda actor, t: can_view_grant(actor, t.grant))
    grant = item.grant
    return render_template(
        "grants/tranche.html",
        grant=grant,
        tranche=item,
        transfers=transfers_for_document(document_type="tranche", document_id=item.id)
        if has_permission(current_user, Permission.VIEW_LEDGER)
        else [],
        gating=[r for r in grant.reports if r.gates_tranche_id == item.id],
        blockers=grants.tranche_blockers(item, on=grants.today())
        if item.status in (TrancheStatus.SCHEDULED, TrancheStatus.FAILED)
        else [],
        actions=_tranche_actions(grant).get(item.id, set()),
        bank_form=BankReferenceForm(),
        reason_form=ReasonForm(),
        TrancheStatus=TrancheStatus,
        code_label=ledger_labels.code_label,
        kind_label=ledger_labels.kind_label,
    )


def _tranche_or_404(tranche_id: int) -> Tranche:
    return visible_or_404(Tranche, tranche_id, lambda actor, t: can_view_grant(actor, t.grant))


@bp.post("/tranches/<int:tranche_id>/request")
@requires(Permission.REQUEST_DISBURSEMENT)
def request_tranche(tranche_id: int) -> Any:
    item = _tranche_or_404(tranche_id)
    return _perform(
        lambda: grants.request_disbursement(actor=current_user, tranche=item),
        success=_(
            "Tranche %(number)s (%(amount)s) is requested; another finance officer must "
            "approve it.",
            number=item.number,
            amount=money(item.amount, item.grant.currency),
        ),
        target=_back(url_for("grants.tranche", tranche_id=item.id)),
    )


@bp.post("/tranches/<int:tranche_id>/approve")
@requires(Permission.APPROVE_DISBURSEMENT)
def approve_tranche(tranche_id: int) -> Any:
    item = _tranche_or_404(tranche_id)
    return _perform(
        lambda: grants.approve_disbursement(actor=current_user, tranche=item),
        success=_(
            "Tranche %(number)s (%(amount)s) is approved and ready to send.",
            number=item.number,
            amount=money(item.amount, item.grant.currency),
        ),
        target=_back(url_for("grants.tranche", tranche_id=item.id)),
    )


@bp.post("/tranches/<int:tranche_id>/send")
@requires(Permission.CONFIRM_DISBURSEMENT)
def send_tranche(tranche_id: int) -> Any:
    item = _tranche_or_404(tranche_id)
    return _perform(
        lambda: grants.send_disbursement(actor=current_user, tranche=item),
        success=_(
            "Tranche %(number)s (%(amount)s) is sent: the payment is pending on the ledger.",
            number=item.number,
            amount=money(item.amount, item.grant.currency),
        ),
        target=_back(url_for("grants.tranche", tranche_id=item.id)),
    )


@bp.post("/tranches/<int:tranche_id>/paid")
@requires(Permission.CONFIRM_DISBURSEMENT)
def confirm_tranche(tranche_id: int) -> Any:
    item = _tranche_or_404(tranche_id)
    form = BankReferenceForm()
    return _perform(
        lambda: grants.confirm_disbursement(
            actor=current_user, tranche=item, bank_reference=form.bank_reference.data or ""
        ),
        success=_(
            "Tranche %(number)s (%(amount)s) is paid and posted on the ledger.",
            number=item.number,
            amount=money(item.amount, item.grant.currency),
        ),
        target=_back(url_for("grants.tranche", tranche_id=item.id)),
    )


@bp.post("/tranches/<int:tranche_id>/failed")
@requires(Permission.CONFIRM_DISBURSEMENT)
def fail_tranche(tranche_id: int) -> Any:
    item = _tranche_or_404(tranche_id)
    form = ReasonForm()
    return _perform(
        lambda: grants.record_disbursement_failure(
            actor=current_user, tranche=item, reason=form.reason.data or ""
        ),
        success=_("The failed payment is recorded and the pending transfer voided."),
        target=_back(url_for("grants.tranche", tranche_id=item.id)),
    )


@bp.post("/tranches/<int:tranche_id>/cancel")
@requires(Permission.REQUEST_DISBURSEMENT)
def cancel_tranche(tranche_id: int) -> Any:
    item = _tranche_or_404(tranche_id)
    form = ReasonForm()
    return _perform(
        lambda: grants.cancel_tranche(
            actor=current_user, tranche=item, reason=form.reason.data or ""
        ),
        success=_("Tranche %(number)s is cancelled.", number=item.number),
        target=_back(url_for("grants.tranche", tranche_id=item.id)),
    )


# --- reports ---------------------------------------------------------------------------------

VOCABULARIES = {
    FigureDimension.EXPLOITATION: FormOfExploitation,
    FigureDimension.ASSISTANCE: AssistanceType,
}


def _report_or_404(report_id: int) -> GrantReport:
    return visible_or_404(GrantReport, report_id, can_view_grant_report)


@bp.get("/reports/<int:report_id>")
@login_required
def report(report_id: int) -> Any:
    item = _report_or_404(report_id)
    grant = item.grant
    member = is_member(current_user, grant.organisation_id)
    return render_template(
        "grants/report.html",
        grant=grant,
        report=item,
        on=grants.today(),
        is_overdue=queries.is_overdue,
        variance=grant_reports.expenditure_variance(item) if item.has_expenditure else [],
        show_safeguarding=can_view_safeguarding(current_user, item),
        can_edit=grant_reports.can_edit_report(current_user, item),
        problems=[p.translated(_) for p in grant_reports.report_problems(item)],
        can_review=item.status == ReportStatus.SUBMITTED
        and _may(Permission.ACCEPT_GRANT_REPORT, grant),
        member=member,
        review_form=ReviewForm(),
        Sex=Sex,
        AgeGroup=AgeGroup,
        FigureDimension=FigureDimension,
        vocabularies=VOCABULARIES,
        sex_age_code=sex_age_code,
        threshold=current_app.config["GRANT_VARIANCE_THRESHOLD"],
    )


def _report_data(item: GrantReport) -> ReportData:
    form = request.form
    figures = {}
    for dimension, code in FIGURE_CODES:
        figures[(dimension, code)] = parse_count(
            form_value(form, f"fig-{dimension.value}-{code}"), what=_("Each count")
        )
    expenditures = {}
    if item.has_expenditure:
        for line in item.grant.current_budget:
            raw = form_value(form, f"line-{line.id}")
            expenditures[line.id] = (
                parse_amount(raw, item.grant.currency, what=line.description) if raw.strip() else 0
            )
    incidents = parse_count(form_value(form, "safeguarding_incidents"), what=_("Incidents"))
    return ReportData(
        results=form_value(form, "results"),
        challenges=form_value(form, "challenges"),
        lessons=form_value(form, "lessons"),
        safeguarding_incidents=incidents,
        safeguarding_details=form_value(form, "safeguarding_details"),
        figures=figures,
        expenditures=expenditures,
    )


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
@requires(Permission.SUBMIT_GRANT_REPORT)
def edit_report(report_id: int) -> Any:
    item = _report_or_404(report_id)
    if not grant_reports.can_edit_report(current_user, item):
        flash(_("This report can no longer be changed."), "info")
        return redirect(url_for("grants.report", report_id=item.id))
    errors: list[str] = []
    if request.method == "POST":
        try:
            grant_reports.save_report(actor=current_user, report=item, data=_report_data(item))
        except DomainError as error:
            db.session.rollback()
            errors.append(error.translated(_))
        else:
            db.session.commit()
            flash(_("The report is saved. Submit it when it is complete."), "success")
            return redirect(url_for("grants.report", report_id=item.id))
    return _report_edit_page(
        item,
        errors=errors,
        values=request.form if request.method == "POST" else None,
        upload_form=UploadForm(),
    )


def _report_edit_page(
    item: GrantReport, *, errors: list[str], values: Any, upload_form: UploadForm
) -> Any:
    spent = {row.budget_line.position: row.amount for row in item.expenditures}
    return (
        render_template(
            "grants/report_edit.html",
            grant=item.grant,
            report=item,
            errors=errors,
            values=values,
            spent=spent,
            upload_form=upload_form,
            Sex=Sex,
            AgeGroup=AgeGroup,
            FigureDimension=FigureDimension,
            vocabularies=VOCABULARIES,
            sex_age_code=sex_age_code,
            max_upload_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024),
        ),
        422 if errors or upload_form.errors else 200,
    )


@bp.post("/reports/<int:report_id>/submit")
@requires(Permission.SUBMIT_GRANT_REPORT)
def submit_report(report_id: int) -> Any:
    item = _report_or_404(report_id)
    return _perform(
        lambda: grant_reports.submit_report(actor=current_user, report=item),
        success=_("The report is submitted to the fund."),
        target=url_for("grants.report", report_id=item.id),
    )


@bp.post("/reports/<int:report_id>/accept")
@requires(Permission.ACCEPT_GRANT_REPORT)
def accept_report(report_id: int) -> Any:
    item = _report_or_404(report_id)
    form = ReviewForm()
    return _perform(
        lambda: grant_reports.accept_report(
            actor=current_user, report=item, comment=form.comment.data or ""
        ),
        success=_("The report is accepted."),
        target=url_for("grants.report", report_id=item.id),
    )


@bp.post("/reports/<int:report_id>/request-changes")
@requires(Permission.ACCEPT_GRANT_REPORT)
def request_report_changes(report_id: int) -> Any:
    item = _report_or_404(report_id)
    form = ReviewForm()
    return _perform(
        lambda: grant_reports.request_report_changes(
            actor=current_user, report=item, comment=form.comment.data or ""
        ),
        success=_("The organisation is asked to change the report."),
        target=url_for("grants.report", report_id=item.id),
    )


@bp.post("/reports/<int:report_id>/attachments")
@requires(Permission.SUBMIT_GRANT_REPORT)
def upload(report_id: int) -> Any:
    item = _report_or_404(report_id)
    if not grant_reports.can_edit_report(current_user, item):
        flash(_("This report can no longer be changed."), "info")
        return redirect(url_for("grants.report", report_id=item.id))
    form = UploadForm()
    # A refusal is said next to the file field, on the page the file was chosen on.
    if not form.validate_on_submit():
        return _report_edit_page(item, errors=[], values=None, upload_form=form)
    upload = form.file.data
    name = upload.filename or ""
    try:
        grant_reports.attach_report_file(
            actor=current_user,
            report=item,
            filename=name,
            data=upload.read(current_app.config["UPLOAD_MAX_BYTES"] + 1),
            storage=get_storage(),
        )
    except DomainError as error:
        db.session.rollback()
        form.file.errors = [
            _("%(file)s was not uploaded: %(reason)s", file=name or "?", reason=error.translated(_))
        ]
        return _report_edit_page(item, errors=[], values=None, upload_form=form)
    db.session.commit()
    flash(_("%(file)s attached.", file=name), "success")
    return redirect(url_for("grants.edit_report", report_id=item.id) + "#attachments")


@bp.post("/reports/<int:report_id>/attachments/<int:attachment_id>/remove")
@requires(Permission.SUBMIT_GRANT_REPORT)
def remove_attachment(report_id: int, attachment_id: int) -> Any:
    item = _report_or_404(report_id)
    attachment = db.session.get(ReportAttachment, attachment_id)
    if attachment is None or attachment.report_id != item.id:
        abort(404)
    target = url_for("grants.edit_report", report_id=item.id) + "#attachments"
    try:
        key = grant_reports.remove_report_file(actor=current_user, attachment=attachment)
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
        return redirect(target)
    db.session.commit()
    get_storage().delete(key)
    flash(_("The file is removed."), "success")
    return redirect(target)


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int) -> Any:
    """A private file, after the access check; always as an attachment, never rendered."""
    attachment = visible_or_404(
        ReportAttachment, attachment_id, lambda actor, a: can_view_grant_report(actor, a.report)
    )
    return send_private_file(
        attachment.storage_key,
        filename=attachment.filename,
        content_type=attachment.content_type,
        subject=attachment,
        what="report attachment",
    )


# --- amendments ------------------------------------------------------------------------------


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
            amendment = grant_reports.request_amendment(
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
        and _may(Permission.ACCEPT_GRANT_REPORT, grant),
        review_form=ReviewForm(),
        AmendmentKind=AmendmentKind,
    )


def _amendment_or_404(amendment_id: int) -> Amendment:
    return visible_or_404(Amendment, amendment_id, lambda actor, a: can_view_grant(actor, a.grant))


@bp.post("/amendments/<int:amendment_id>/approve")
@requires(Permission.ACCEPT_GRANT_REPORT)
def approve_amendment(amendment_id: int) -> Any:
    item = _amendment_or_404(amendment_id)
    form = ReviewForm()
    return _perform(
        lambda: grant_reports.approve_amendment(
            actor=current_user, amendment=item, comment=form.comment.data or ""
        ),
        success=_("Amendment %(number)s is approved and applied.", number=item.number),
        target=url_for("grants.amendment", amendment_id=item.id),
    )


@bp.post("/amendments/<int:amendment_id>/reject")
@requires(Permission.ACCEPT_GRANT_REPORT)
def reject_amendment(amendment_id: int) -> Any:
    item = _amendment_or_404(amendment_id)
    form = ReviewForm()
    return _perform(
        lambda: grant_reports.reject_amendment(
            actor=current_user, amendment=item, comment=form.comment.data or ""
        ),
        success=_("Amendment %(number)s is refused.", number=item.number),
        target=url_for("grants.amendment", amendment_id=item.id),
    )


from app.web.grants import cli  # noqa: E402, F401 - adds `flask grants remind` to the blueprint
