"""The results pages: the fund's indicator list (fund manager), a report's actuals (the
grantee writes them, the fund reads them), and the progress table on the grant's page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.accounts.permissions import Permission, can_view_grant, can_view_grant_report
from app.grants.models import GrantReport
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.platform.settings import settings
from app.results import services as results
from app.results.models import IndicatorUnit, StandardIndicator
from app.results.web.forms import StandardIndicatorForm, actuals_form
from app.web.access import login_required, requires
from app.web.lookup import visible_or_404

bp = Blueprint("results", __name__, template_folder="../templates", url_prefix="/results")


def _locale() -> str:
    return str(get_locale() or "en")


# --- The fund's indicator list ------------------------------------------------------------


@bp.get("/indicators")
@requires(Permission.MANAGE_CALLS)
def indicators() -> Any:
    return render_template(
        "results/indicators.html",
        indicators=results.standard_indicators(),
        locale=_locale(),
    )


@bp.route("/indicators/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_CALLS)
def new_indicator() -> Any:
    return _indicator_page(None)


@bp.route("/indicators/<int:indicator_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_CALLS)
def edit_indicator(indicator_id: int) -> Any:
    return _indicator_page(db.get_or_404(StandardIndicator, indicator_id))


def _indicator_page(indicator: StandardIndicator | None) -> Any:
    form = StandardIndicatorForm()
    if request.method == "GET" and indicator is not None:
        form.code.data = indicator.code
        form.name.data = indicator.name
        for lang, text in (indicator.names or {}).items():
            if f"name_{lang}" in form:
                form[f"name_{lang}"].data = text
        form.unit.data = indicator.unit.value
        form.sdg_target.data = indicator.sdg_target.value
        form.active.data = indicator.active
    if form.validate_on_submit():
        try:
            saved = results.save_standard_indicator(
                actor=current_user,
                indicator=indicator,
                data=results.StandardIndicatorData(
                    code=form.code.data or "",
                    name=form.name.data or "",
                    names=form.names(),
                    unit=IndicatorUnit(form.unit.data),
                    sdg_target=form.sdg_target.data,
                    active=bool(form.active.data),
                ),
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.translated(_))
        else:
            db.session.commit()
            flash(_("Indicator %(code)s saved.", code=saved.code), "success")
            return redirect(url_for("results.indicators"))
    return render_template("results/indicator_form.html", form=form, indicator=indicator)


# --- A report's actuals --------------------------------------------------------------------


@bp.route("/reports/<int:report_id>", methods=["GET", "POST"])
@login_required
def report(report_id: int) -> Any:
    item = visible_or_404(GrantReport, report_id, can_view_grant_report)
    grant = item.grant
    if not item.has_narrative:
        abort(404)
    indicators = results.framework_indicators(grant.application)
    can_edit = results.can_edit_actuals(current_user, item)
    if request.method == "POST" and not can_edit:
        abort(403)
    form = actuals_form(indicators)
    saved = results.actuals_of(item)
    if request.method == "GET":
        for indicator in indicators:
            actual = saved.get(indicator.id)
            if actual is not None:
                form[f"value_{indicator.id}"].data = actual.value
                form[f"explanation_{indicator.id}"].data = actual.explanation
    if can_edit and form.validate_on_submit():
        try:
            results.save_actuals(
                actor=current_user,
                report=item,
                actuals={
                    i.id: results.ActualData(
                        value=form[f"value_{i.id}"].data,
                        explanation=form[f"explanation_{i.id}"].data or "",
                    )
                    for i in indicators
                },
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.translated(_))
        else:
            db.session.commit()
            flash(_("Results saved."), "success")
            return redirect(url_for("results.report", report_id=item.id))
    period = results.report_period(item)
    return render_template(
        "results/report.html",
        report=item,
        grant=grant,
        form=form,
        can_edit=can_edit,
        period=period,
        rows=[
            (
                indicator,
                results.expected_value(indicator, grant=grant, period=period),
                saved.get(indicator.id),
            )
            for indicator in indicators
        ],
        problems=[_(message, **params) for message, params in results.actuals_problems(item)],
        threshold=settings().grants.variance_threshold,
        is_off_target=results.is_off_target,
        locale=_locale(),
    )


@bp.app_template_global()
def results_locale() -> str:
    """The reader's language, for the indicators' names."""
    return _locale()


# --- On the grant's and the report's pages ----------------------------------------------------


@bp.app_template_global()
def results_progress(grant: Any) -> Markup:
    """The grant's progress against its targets, for those who may see the grant."""
    if not can_view_grant(current_user, grant):
        return Markup("")
    progress = results.grant_progress(grant)
    return Markup(  # noqa: S704 - autoescaped output
        render_template("results/_progress.html", grant=grant, progress=progress, locale=_locale())
    )


@bp.app_template_global()
def results_report_link(report: Any) -> Markup:
    """On a progress or final report's page: where its results are given, and what is missing."""
    if not report.has_narrative or not can_view_grant(current_user, report.grant):
        return Markup("")
    if not results.framework_indicators(report.grant.application):
        return Markup("")
    return Markup(  # noqa: S704 - autoescaped output
        render_template(
            "results/_report_link.html",
            report=report,
            can_edit=results.can_edit_actuals(current_user, report),
            given=len(results.actuals_of(report)),
        )
    )
