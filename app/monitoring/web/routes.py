"""Monitoring pages: a grant's visits, spot checks and audits (staff), an activity and its
findings, a recommendation (staff follow it up; the grantee answers it), the follow-up list,
and an organisation's partner score with the rating decision."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup

from app.accounts.models import Organisation
from app.accounts.permissions import Permission, can_view_organisation, has_permission, is_member
from app.applications.models import RiskRating
from app.grants.models import Grant
from app.monitoring import performance
from app.monitoring import services as monitoring
from app.monitoring.models import (
    ActivityKind,
    FindingSeverity,
    MonitoringActivity,
    MonitoringRecommendation,
    RecommendationStatus,
)
from app.monitoring.web.forms import (
    FindingForm,
    PlanForm,
    RatingForm,
    RecordForm,
    ReopenForm,
    ResponseForm,
)
from app.monitoring.web.labels import monitoring_label, score_line
from app.monitoring.workflow import RECOMMENDATION_WORKFLOW
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.web.access import login_required, requires
from app.web.labels import choices as shared_choices
from app.web.lookup import visible_or_404

bp = Blueprint("monitoring", __name__, template_folder="../templates", url_prefix="/monitoring")

ANCHOR = "monitoring"


@bp.app_template_filter("monitoring_label")
def _monitoring_label(value: Any) -> str:
    return monitoring_label(value)


@bp.app_template_global()
def monitoring_section(grant: Grant) -> Markup:
    """The grant page's monitoring part: for staff a summary and a link to the grant's
    monitoring page; for the grantee the recommendations addressed to it; else nothing."""
    staff = monitoring.may_view_monitoring(current_user, grant)
    grantee = monitoring.may_respond(current_user, grant)
    if not staff and not grantee:
        return Markup("")
    recommendations = monitoring.recommendations_of(grant)
    return Markup(  # noqa: S704 - autoescaped output
        render_template(
            "monitoring/_grant_section.html",
            grant=grant,
            staff=staff,
            recommendations=recommendations,
            activities=monitoring.activities_of(grant) if staff else [],
            today=utcnow().date(),
            anchor=ANCHOR,
        )
    )


@bp.app_template_global()
def recommendations_to_answer(grants: list[Grant]) -> dict[int, list[MonitoringRecommendation]]:
    """For the grantee's next actions (its grants page): the open recommendations on each of
    ``grants`` it may answer, the earliest due first, in one query whatever the grants."""
    mine = [grant.id for grant in grants if monitoring.may_respond(current_user, grant)]
    found: dict[int, list[MonitoringRecommendation]] = {}
    for recommendation in monitoring.open_recommendations_of(mine):
        found.setdefault(recommendation.grant_id, []).append(recommendation)
    return found


def _refuse(error: DomainError, form: FlaskForm | None = None) -> None:
    """Undo, and say why: next to the date it is about (the page's error summary lists it),
    else at the top of the page."""
    db.session.rollback()
    target = getattr(form, error.field, None) if isinstance(error, monitoring.DateRefused) else None
    if target is not None:
        target.errors = [*target.errors, error.translated(_)]
    else:
        flash(error.translated(_), "danger")


def _grant_page(grant: Grant, *, plan_form: PlanForm | None = None, status: int = 200) -> Any:
    return (
        render_template(
            "monitoring/grant.html",
            grant=grant,
            activities=monitoring.activities_of(grant),
            recommendations=monitoring.recommendations_of(grant),
            proposal=monitoring.proposed_plan(grant),
            plan_form=plan_form or PlanForm(),
            can_manage=monitoring.may_manage_monitoring(current_user, grant),
            today=utcnow().date(),
        ),
        status,
    )


@bp.get("/grants/<int:grant_id>")
@requires(Permission.VIEW_MONITORING)
def grant(grant_id: int) -> Any:
    found = visible_or_404(Grant, grant_id, monitoring.may_view_monitoring)
    return _grant_page(found)


@bp.post("/grants/<int:grant_id>/plan")
@requires(Permission.MANAGE_MONITORING)
def accept_plan(grant_id: int) -> Any:
    found = visible_or_404(Grant, grant_id, monitoring.may_manage_monitoring)
    try:
        created = monitoring.accept_plan(actor=current_user, grant=found)
    except DomainError as error:
        _refuse(error)
    else:
        db.session.commit()
        flash(
            ngettext("%(num)s activity planned.", "%(num)s activities planned.", len(created)),
            "success",
        )
    return redirect(url_for("monitoring.grant", grant_id=found.id))


@bp.post("/grants/<int:grant_id>/activities")
@requires(Permission.MANAGE_MONITORING)
def plan(grant_id: int) -> Any:
    found = visible_or_404(Grant, grant_id, monitoring.may_manage_monitoring)
    form = PlanForm()
    if not form.validate_on_submit():
        return _grant_page(found, plan_form=form, status=422)
    try:
        monitoring.plan_activity(
            actor=current_user,
            grant=found,
            kind=ActivityKind(form.kind.data),
            planned_on=cast(date, form.planned_on.data),  # InputRequired and read
            assignee=form.assignee.data or "",
        )
    except DomainError as error:
        _refuse(error, form)
        return _grant_page(found, plan_form=form, status=error.status_code)
    db.session.commit()
    flash(_("The activity is planned."), "success")
    return redirect(url_for("monitoring.grant", grant_id=found.id))


def _may_see_activity(actor: Any, activity: MonitoringActivity) -> bool:
    return monitoring.may_view_monitoring(actor, activity.grant)


def _activity_page(
    activity: MonitoringActivity,
    *,
    record_form: RecordForm | None = None,
    finding_form: FindingForm | None = None,
    status: int = 200,
) -> Any:
    if record_form is None:
        record_form = RecordForm()
        if request.method == "GET":
            record_form.done_on.data = utcnow().date()
    return (
        render_template(
            "monitoring/activity.html",
            activity=activity,
            grant=activity.grant,
            record_form=record_form,
            finding_form=finding_form or FindingForm(),
            can_manage=monitoring.may_manage_monitoring(current_user, activity.grant),
            today=utcnow().date(),
        ),
        status,
    )


@bp.get("/activities/<int:activity_id>")
@requires(Permission.VIEW_MONITORING)
def activity(activity_id: int) -> Any:
    found = visible_or_404(MonitoringActivity, activity_id, _may_see_activity)
    return _activity_page(found)


@bp.post("/activities/<int:activity_id>/done")
@requires(Permission.MANAGE_MONITORING)
def record(activity_id: int) -> Any:
    found = visible_or_404(MonitoringActivity, activity_id, _may_see_activity)
    form = RecordForm()
    if not form.validate_on_submit():
        return _activity_page(found, record_form=form, status=422)
    try:
        monitoring.record_activity(
            actor=current_user,
            activity=found,
            done_on=cast(date, form.done_on.data),  # InputRequired and read
            summary=form.summary.data or "",
            staff_notes=form.staff_notes.data or "",
        )
    except DomainError as error:
        _refuse(error, form)
        return _activity_page(found, record_form=form, status=error.status_code)
    db.session.commit()
    flash(_("The activity is recorded as done."), "success")
    return redirect(url_for("monitoring.activity", activity_id=found.id))


@bp.post("/activities/<int:activity_id>/findings")
@requires(Permission.MANAGE_MONITORING)
def add_finding(activity_id: int) -> Any:
    found = visible_or_404(MonitoringActivity, activity_id, _may_see_activity)
    form = FindingForm()
    if not form.validate_on_submit():
        return _activity_page(found, finding_form=form, status=422)
    try:
        finding = monitoring.add_finding(
            actor=current_user,
            activity=found,
            severity=FindingSeverity(form.severity.data),
            description=form.description.data or "",
        )
        if (form.recommendation.data or "").strip() and form.due_on.data:
            monitoring.add_recommendation(
                actor=current_user,
                finding=finding,
                text=form.recommendation.data or "",
                due_on=form.due_on.data,
            )
    except DomainError as error:
        _refuse(error, form)
        return _activity_page(found, finding_form=form, status=error.status_code)
    db.session.commit()
    flash(_("The finding is added."), "success")
    return redirect(url_for("monitoring.activity", activity_id=found.id))


def _may_see_recommendation(actor: Any, recommendation: MonitoringRecommendation) -> bool:
    grant = recommendation.grant
    return monitoring.may_view_monitoring(actor, grant) or monitoring.may_respond(actor, grant)


def _recommendation_page(
    recommendation: MonitoringRecommendation,
    *,
    response_form: ResponseForm | None = None,
    reopen_form: ReopenForm | None = None,
    status: int = 200,
) -> Any:
    grant = recommendation.grant
    staff = monitoring.may_view_monitoring(current_user, grant)
    moves = RECOMMENDATION_WORKFLOW.available_moves(recommendation, current_user)
    return (
        render_template(
            "monitoring/recommendation.html",
            recommendation=recommendation,
            finding=recommendation.finding,
            activity=recommendation.finding.activity,
            grant=grant,
            staff=staff,
            can_respond=RecommendationStatus.RESPONDED in moves,
            can_close=RecommendationStatus.CLOSED in moves,
            can_reopen=RecommendationStatus.OPEN in moves,
            response_form=response_form or ResponseForm(),
            reopen_form=reopen_form or ReopenForm(),
            today=utcnow().date(),
        ),
        status,
    )


@bp.get("/recommendations/<int:recommendation_id>")
@login_required
def recommendation(recommendation_id: int) -> Any:
    found = visible_or_404(MonitoringRecommendation, recommendation_id, _may_see_recommendation)
    return _recommendation_page(found)


@bp.post("/recommendations/<int:recommendation_id>/respond")
@requires(Permission.SUBMIT_GRANT_REPORT)
def respond(recommendation_id: int) -> Any:
    found = visible_or_404(
        MonitoringRecommendation,
        recommendation_id,
        lambda actor, r: monitoring.may_respond(actor, r.grant),
    )
    form = ResponseForm()
    if not form.validate_on_submit():
        return _recommendation_page(found, response_form=form, status=422)
    try:
        monitoring.respond_to_recommendation(
            actor=current_user, recommendation=found, response=form.response.data or ""
        )
    except DomainError as error:
        _refuse(error)
        return _recommendation_page(found, response_form=form, status=error.status_code)
    db.session.commit()
    flash(_("Your answer is sent to the fund."), "success")
    # The top of the grant page, where the confirmation is shown (not the section's anchor,
    # which scrolled it out of sight).
    return redirect(url_for("grants.show", grant_id=found.grant_id))


@bp.post("/recommendations/<int:recommendation_id>/close")
@requires(Permission.MANAGE_MONITORING)
def close(recommendation_id: int) -> Any:
    found = visible_or_404(
        MonitoringRecommendation,
        recommendation_id,
        lambda actor, r: monitoring.may_manage_monitoring(actor, r.grant),
    )
    try:
        monitoring.close_recommendation(actor=current_user, recommendation=found)
    except DomainError as error:
        _refuse(error)
    else:
        db.session.commit()
        flash(_("The recommendation is closed."), "success")
    return redirect(url_for("monitoring.recommendation", recommendation_id=found.id))


@bp.post("/recommendations/<int:recommendation_id>/reopen")
@requires(Permission.MANAGE_MONITORING)
def reopen(recommendation_id: int) -> Any:
    found = visible_or_404(
        MonitoringRecommendation,
        recommendation_id,
        lambda actor, r: monitoring.may_manage_monitoring(actor, r.grant),
    )
    form = ReopenForm()
    if not form.validate_on_submit():
        return _recommendation_page(found, reopen_form=form, status=422)
    try:
        monitoring.reopen_recommendation(
            actor=current_user,
            recommendation=found,
            reason=form.reason.data or "",
            due_on=form.due_on.data,
        )
    except DomainError as error:
        _refuse(error, form)
        return _recommendation_page(found, reopen_form=form, status=error.status_code)
    db.session.commit()
    flash(_("The recommendation is back with the grantee."), "success")
    return redirect(url_for("monitoring.recommendation", recommendation_id=found.id))


@bp.get("/recommendations")
@requires(Permission.VIEW_MONITORING)
def recommendations() -> Any:
    state = request.args.get("state", "open")
    if state not in monitoring.FOLLOW_UP_STATES:
        state = "open"
    today = utcnow().date()
    return render_template(
        "monitoring/recommendations.html",
        rows=monitoring.follow_up_list(state=state, on=today),
        state=state,
        states=monitoring.FOLLOW_UP_STATES,
        today=today,
    )


def _organisation_or_404(organisation_id: int) -> Organisation:
    def may_see(actor: Any, organisation: Organisation) -> bool:
        return has_permission(actor, Permission.VIEW_MONITORING) and not is_member(
            actor, organisation.id
        )

    return visible_or_404(Organisation, organisation_id, may_see)


def _performance_page(
    organisation: Organisation, *, form: RatingForm | None = None, status: int = 200
) -> Any:
    scored = performance.partner_score(organisation, on=utcnow().date())
    history = performance.ratings_of(organisation)
    if form is None:
        form = RatingForm()
        form.rating.data = performance.rating_to_offer(scored, history).value
    form.rating.choices = shared_choices(RiskRating)
    return (
        render_template(
            "monitoring/performance.html",
            organisation=organisation,
            scored=scored,
            lines=[(score_line(line.as_json()), line.points) for line in scored.lines],
            history=history,
            grants=monitoring.monitored_grants_of(current_user, organisation.id),
            can_view_organisation=can_view_organisation(current_user, organisation),
            form=form,
            can_confirm=has_permission(current_user, Permission.CONFIRM_RISK_RATING)
            and scored.current is not None,
        ),
        status,
    )


@bp.get("/organisations/<int:organisation_id>")
@requires(Permission.VIEW_MONITORING)
def organisation(organisation_id: int) -> Any:
    return _performance_page(_organisation_or_404(organisation_id))


@bp.post("/organisations/<int:organisation_id>/rating")
@requires(Permission.CONFIRM_RISK_RATING)
def confirm_rating(organisation_id: int) -> Any:
    found = _organisation_or_404(organisation_id)
    form = RatingForm()
    form.rating.choices = shared_choices(RiskRating)
    if not form.validate_on_submit():
        return _performance_page(found, form=form, status=422)
    try:
        decision = performance.confirm_rating(
            actor=current_user,
            organisation=found,
            rating=RiskRating(form.rating.data),
            on=utcnow().date(),
        )
    except DomainError as error:
        _refuse(error)
        return _performance_page(found, form=form, status=error.status_code)
    db.session.commit()
    flash(
        _(
            "Risk rating confirmed: %(rating)s. The organisation's next grant follows it.",
            rating=monitoring_label(decision.confirmed),
        ),
        "success",
    )
    return redirect(url_for("monitoring.organisation", organisation_id=found.id))
