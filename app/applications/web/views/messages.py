"""Submission, withdrawal and the message thread between the fund and the applicant."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission, can_edit_application, can_view_application
from app.applications import services as ngo
from app.applications.models import Application, ApplicationStatus, ConceptStatus
from app.applications.web.blueprint import bp
from app.applications.web.forms import MessageForm, SubmitForm, WithdrawForm
from app.applications.web.views.common import page_context
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.web.access import requires
from app.web.lookup import visible_or_404


def _check_page(application: Application, form: SubmitForm, status: int = 200) -> Any:
    return render_template(
        "applications/check.html",
        **page_context(application),
        budget_by_category=ngo.budget_by_category(application),
        organisation_documents=ngo.organisation_documents(application.organisation),
        profile=ngo.profile_of(application.organisation),
        change_links=True,
        form=form,
    ), status


@bp.get("/<int:application_id>/submit")
@requires(Permission.APPLY_FOR_GRANT)
def check(application_id: int) -> Any:
    """Check your answers: everything about to be sent, a link back to each section, and the
    declaration to tick; sending is the POST below."""
    application = visible_or_404(Application, application_id, can_view_application)
    if not can_edit_application(current_user, application):
        flash(_not_editable(application), "info")
        return redirect(url_for("applications.show", application_id=application.id))
    return _check_page(application, SubmitForm())


def _not_editable(application: Application) -> str:
    """Why the full proposal cannot be checked and sent: a two-stage call's draft waits on the
    fund's answer to its concept note (decision 0115)."""
    if application.status == ApplicationStatus.DRAFT and application.awaits_invitation:
        if application.concept_status == ConceptStatus.SUBMITTED:
            return _(
                "Your concept note is waiting for the fund's answer: the full proposal can be "
                "completed and sent once the fund invites it."
            )
        if application.concept_status == ConceptStatus.DECLINED:
            return _("The fund did not retain your concept note: no full proposal can be sent.")
        return _(
            "Send your concept note first: the fund then tells you whether to send a full proposal."
        )
    return _("This application can no longer be changed.")


@bp.post("/<int:application_id>/submit")
@requires(Permission.APPLY_FOR_GRANT)
def submit(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    form = SubmitForm()
    if not form.validate_on_submit():
        return _check_page(application, form, 422)
    resubmission = application.status == ApplicationStatus.INFO_REQUESTED
    try:
        ngo.submit_application(actor=current_user, application=application)
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
        return redirect(url_for("applications.show", application_id=application_id))
    db.session.commit()
    if resubmission:
        flash(
            _("Your application is submitted again. The fund will continue its review."), "success"
        )
    else:
        flash(
            _("Your application is submitted. The fund will tell you when it has been screened."),
            "success",
        )
    return redirect(url_for("applications.show", application_id=application.id))


@bp.post("/<int:application_id>/withdraw")
@requires(Permission.APPLY_FOR_GRANT)
def withdraw(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    form = WithdrawForm()
    ngo.withdraw_application(
        actor=current_user, application=application, reason=form.reason.data or ""
    )
    db.session.commit()
    flash(_("Your application is withdrawn."), "info")
    return redirect(url_for("applications.show", application_id=application.id))


@bp.post("/<int:application_id>/reply")
@requires(Permission.APPLY_FOR_GRANT)
def reply(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    form = MessageForm()
    if not form.validate_on_submit():
        flash(_("Write your answer."), "danger")
    else:
        ngo.reply_to_information_request(
            actor=current_user, application=application, body=form.body.data or ""
        )
        db.session.commit()
        flash(
            _("Your answer is sent. Change the application if needed, then submit it again."),
            "success",
        )
    return redirect(url_for("applications.show", application_id=application.id) + "#messages")


@bp.post("/<int:application_id>/request-information")
@requires(Permission.SCREEN_APPLICATION)
def request_information(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    form = MessageForm()
    if not form.validate_on_submit():
        flash(_("Write the question for the organisation."), "danger")
    else:
        ngo.request_information(
            actor=current_user, application=application, question=form.body.data or ""
        )
        db.session.commit()
        flash(_("The question is sent; the application waits for the answer."), "success")
    return redirect(url_for("applications.show", application_id=application.id) + "#messages")
