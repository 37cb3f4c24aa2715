"""Awarding a grant, and editing or rebuilding its schedule before the agreement is sent."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission, can_view_grant
from app.applications.models import Application
from app.grants.models import Grant, GrantStatus
from app.grants.services import award as grant_award
from app.grants.services import schedule as grant_schedule
from app.grants.web.blueprint import bp
from app.grants.web.forms import AwardForm, RebuildForm, form_value, parse_amount, parse_date
from app.grants.web.labels import report_name
from app.grants.web.views.common import grant_url, perform
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.web.access import requires
from app.web.display import money
from app.web.lookup import visible_or_404


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
            grant_award.award_grant(
                actor=current_user, application=application, start_date=form.start_date.data
            )
        )

    response = perform(
        act,
        success=_("The grant is awarded and its money committed."),
        target=url_for("grants.manage"),
    )
    if created:
        return redirect(url_for("grants.show", grant_id=created[0].id))
    return response


def _schedule_rows(
    grant: Grant,
) -> tuple[list[grant_schedule.TrancheRow], list[grant_schedule.ReportRow]]:
    form = request.form
    tranche_rows = []
    for tranche in grant.tranches:
        what = _("tranche %(number)s", number=tranche.number)
        tranche_rows.append(
            grant_schedule.TrancheRow(
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
        grant_schedule.ReportRow(
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
        return redirect(grant_url(grant.id))
    errors: list[str] = []
    if request.method == "POST":
        try:
            tranche_rows, report_rows = _schedule_rows(grant)
            grant_schedule.update_schedule(
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
            return redirect(grant_url(grant.id, "schedule"))
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
    return perform(
        lambda: grant_schedule.rebuild_schedule(
            actor=current_user, grant=grant, tranche_count=count
        ),
        success=_("The schedule is rebuilt."),
        target=url_for("grants.schedule", grant_id=grant.id),
    )
