"""Reviewer assignment pages: an application's reviewers and candidates; asking, suggesting,
taking back, reassigning and changing the due date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.models import User
from app.accounts.permissions import Permission
from app.applications.models import Application
from app.calls.models import Call
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.reviews.models import ReviewAssignment
from app.reviews.queries.assignments import (
    OPEN_ASSIGNMENT,
    assignments_of,
    reviewer_candidates,
    reviewers_wanted,
    suggest_reviewers,
)
from app.reviews.services import assignment as assignment_rules
from app.reviews.web.blueprint import bp
from app.reviews.web.forms import AssignForm, DueDateForm, EmptyForm, RemoveForm
from app.reviews.web.views.common import due_form, exists, flash_error, not_linked, page_locale
from app.web.access import requires
from app.web.lookup import visible_or_404


@bp.get("/applications/<int:application_id>/assign")
@requires(Permission.ASSIGN_REVIEWERS)
def assign(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, exists)
    not_linked(application)
    candidates = reviewer_candidates(application)
    form = due_form()
    form.reviewer_id.choices = [
        (
            c.reviewer.id,
            f"{c.reviewer.full_name} — "
            + ngettext("%(num)d open review", "%(num)d open reviews", c.load),
        )
        for c in candidates
        if c.excluded_because is None
    ]
    reassign_form = due_form()
    reassign_form.reviewer_id.choices = form.reviewer_id.choices
    assignments = assignments_of(application)
    return render_template(
        "reviews/assign.html",
        application=application,
        call=application.call,
        assignments=assignments,
        # Reviewers still on the application: a recusal already made up for needs no one else.
        open_count=sum(1 for a in assignments if a.status in OPEN_ASSIGNMENT),
        candidates=candidates,
        suggested=suggest_reviewers(application),
        wanted=reviewers_wanted(),
        form=form,
        reassign_form=reassign_form,
        due_form=DueDateForm(),
        remove_form=RemoveForm(),
        action_form=EmptyForm(),
        can_assign=assignment_rules.can_assign(current_user, application),
        # Changing or taking back a review: offered while the reviewer may still be removed.
        removable={
            a.id for a in assignments if assignment_rules.can_remove_reviewer(current_user, a)
        },
        today=utcnow().date(),
        locale=page_locale(),
    )


def _chosen_reviewer(application: Application) -> tuple[User, date] | None:
    """The reviewer (one of the application's candidates) and due date the assignment form
    chose; None, with the reason flashed, when the form is not valid."""
    form = AssignForm()
    form.reviewer_id.choices = [(c.reviewer.id, "") for c in reviewer_candidates(application)]
    if not form.validate_on_submit():
        flash(_("Choose a reviewer and a valid due date."), "danger")
        return None
    reviewer = db.session.get(User, form.reviewer_id.data)
    if reviewer is None:
        abort(404)
    return reviewer, form.due_on.data


def _ask_reviewer(
    application: Application,
    ask: Callable[[User, date], object],
    said: Callable[[User], str],
) -> Any:
    """Ask the reviewer the assignment form chose (a new one, or another in place of one):
    the service ``ask`` decides, the assignment page says ``said`` or why not."""
    target = redirect(url_for("reviews.assign", application_id=application.id))
    chosen = _chosen_reviewer(application)
    if chosen is None:
        return target
    reviewer, due_on = chosen
    try:
        ask(reviewer, due_on)
    except DomainError as error:
        flash_error(error)
        return target
    db.session.commit()
    flash(said(reviewer), "success")
    return target


@bp.post("/applications/<int:application_id>/assign")
@requires(Permission.ASSIGN_REVIEWERS)
def add_reviewer(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, exists)
    return _ask_reviewer(
        application,
        lambda reviewer, due_on: assignment_rules.assign_reviewer(
            actor=current_user, application=application, reviewer=reviewer, due_on=due_on
        ),
        lambda reviewer: _("%(name)s is asked to review.", name=reviewer.full_name),
    )


@bp.post("/applications/<int:application_id>/assign-suggested")
@requires(Permission.ASSIGN_REVIEWERS)
def assign_suggested(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, exists)
    form = due_form()
    made = assignment_rules.assign_suggested(
        actor=current_user, application=application, due_on=form.due_on.data
    )
    db.session.commit()
    flash(_("%(count)d reviewer(s) assigned.", count=len(made)), "success" if made else "info")
    return redirect(url_for("reviews.assign", application_id=application.id))


@bp.post("/calls/<int:call_id>/assign-suggested")
@requires(Permission.ASSIGN_REVIEWERS)
def assign_suggested_for_call(call_id: int) -> Any:
    call = visible_or_404(Call, call_id, exists)
    form = due_form()
    made = assignment_rules.assign_suggested_for_call(
        actor=current_user, call=call, due_on=form.due_on.data
    )
    db.session.commit()
    flash(_("%(count)d reviewer(s) assigned.", count=len(made)), "success" if made else "info")
    return redirect(url_for("reviews.call", call_id=call.id))


def _assignment_for_fund(assignment_id: int) -> ReviewAssignment:
    assignment = visible_or_404(ReviewAssignment, assignment_id, exists)
    not_linked(assignment.application)
    return assignment


@bp.post("/assignments/<int:assignment_id>/remove")
@requires(Permission.ASSIGN_REVIEWERS)
def remove(assignment_id: int) -> Any:
    assignment = _assignment_for_fund(assignment_id)
    form = RemoveForm()
    assignment_rules.remove_reviewer(
        actor=current_user, assignment=assignment, reason=form.reason.data or ""
    )
    db.session.commit()
    flash(_("%(name)s is no longer a reviewer.", name=assignment.reviewer.full_name), "success")
    return redirect(url_for("reviews.assign", application_id=assignment.application_id))


@bp.post("/assignments/<int:assignment_id>/reassign")
@requires(Permission.ASSIGN_REVIEWERS)
def reassign(assignment_id: int) -> Any:
    assignment = _assignment_for_fund(assignment_id)
    return _ask_reviewer(
        assignment.application,
        lambda reviewer, due_on: assignment_rules.reassign_review(
            actor=current_user, assignment=assignment, reviewer=reviewer, due_on=due_on
        ),
        lambda reviewer: _("The review is now asked of %(name)s.", name=reviewer.full_name),
    )


@bp.post("/assignments/<int:assignment_id>/due-date")
@requires(Permission.ASSIGN_REVIEWERS)
def due_date(assignment_id: int) -> Any:
    assignment = _assignment_for_fund(assignment_id)
    form = DueDateForm()
    target = redirect(url_for("reviews.assign", application_id=assignment.application_id))
    if not form.validate_on_submit():
        flash(_("Give a valid date."), "danger")
        return target
    try:
        assignment_rules.set_due_date(
            actor=current_user, assignment=assignment, due_on=form.due_on.data
        )
    except DomainError as error:
        flash_error(error)
        return target
    db.session.commit()
    flash(_("The due date is changed."), "success")
    return target
