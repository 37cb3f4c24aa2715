"""Screening pages: the checklist and the eligibility decision, and taking an application to
screen."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission, can_assign_reviewers
from app.applications.models import Application, RiskRating
from app.copies.reading import flags_of as copy_flags_of
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.reviews.models import ScreeningOutcome
from app.reviews.queries.screening import screening_checklist, screenings_of
from app.reviews.services import screening as screening_rules
from app.reviews.web.blueprint import bp
from app.reviews.web.forms import EmptyForm, ScreeningForm
from app.reviews.web.views.common import application_context, exists, not_linked
from app.web.access import requires
from app.web.lookup import visible_or_404


@bp.route("/applications/<int:application_id>/screen", methods=["GET", "POST"])
@requires(Permission.SCREEN_APPLICATION)
def screen(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, exists)
    not_linked(application)
    form = ScreeningForm()
    if form.validate_on_submit():
        try:
            screening_rules.record_screening(
                actor=current_user,
                application=application,
                outcome=ScreeningOutcome(form.outcome.data),
                confirmed=form.confirmed.data or [],
                reason=form.reason.data or "",
                question=form.question.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.translated(_))
        else:
            db.session.commit()
            messages = {
                ScreeningOutcome.ELIGIBLE: _("Eligible: the application is now in review."),
                ScreeningOutcome.INELIGIBLE: _("Screened out; the organisation sees the reason."),
                ScreeningOutcome.INFO_REQUESTED: _("The question is sent to the organisation."),
            }
            flash(messages[ScreeningOutcome(form.outcome.data)], "success")
            if form.outcome.data == ScreeningOutcome.ELIGIBLE and can_assign_reviewers(
                current_user, application
            ):
                return redirect(url_for("reviews.assign", application_id=application.id))
            return redirect(url_for("reviews.call", call_id=application.call_id))
    return render_template(
        "reviews/screen.html",
        **application_context(application),
        form=form,
        checklist=screening_checklist(application),
        copy_flags=copy_flags_of(current_user, application),
        screenings=screenings_of(application),
        can_screen=screening_rules.can_screen(current_user, application),
        start_form=EmptyForm(),
        RiskRating=RiskRating,
    ), (200 if not form.errors and not form.form_errors else 422)


@bp.post("/applications/<int:application_id>/start-screening")
@requires(Permission.SCREEN_APPLICATION)
def start_screening(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, exists)
    screening_rules.start_screening(actor=current_user, application=application)
    db.session.commit()
    flash(_("You are screening %(ref)s.", ref=application.reference), "info")
    return redirect(url_for("reviews.screen", application_id=application.id))
