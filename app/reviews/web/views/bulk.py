"""Bulk actions of the selection (app/web/bulk.py): screening many applications at once
(ticked on the fund's list of applications, one outcome for all; each screened by
``record_screening``), and giving many reviews to another reviewer (ticked on a call's review
page; each by ``reassign_review``). Previewed, confirmed once, each in its own savepoint and
audited as when done alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import DataRequired, Optional

from app.accounts.models import Role, User
from app.accounts.permissions import Permission
from app.accounts.web.admin.forms import CheckboxListField
from app.applications.models import Application
from app.platform.extensions import db
from app.reviews.models import ReviewAssignment, ScreeningOutcome
from app.reviews.queries.assignments import users_with_role
from app.reviews.queries.screening import MANUAL_CHECKS
from app.reviews.services import assignment as assignment_rules
from app.reviews.services import letters
from app.reviews.services import screening as screening_rules
from app.reviews.web.blueprint import bp
from app.reviews.web.forms import ScreeningForm
from app.reviews.web.labels import LABELS
from app.web.access import requires
from app.web.bulk import BulkAction, bulk_confirm, bulk_page


class BulkScreeningForm(ScreeningForm):
    """The single screening's form; its choices apply to every application selected."""

    confirmed = CheckboxListField(
        _l("Checks you confirmed from the documents of every selected application"),
        choices=[(c.value, LABELS[(type(c), c.value)]) for c in MANUAL_CHECKS],
    )


def _applications(ids: Sequence[int]) -> Mapping[int, Application]:
    """The applications by id (every one is visible to a fund-side screener; whether they may
    screen it is the service's to say, item by item)."""
    found = db.session.execute(sa.select(Application).where(Application.id.in_(ids))).scalars()
    return {a.id: a for a in found}


def _label(application: Application) -> str:
    title = application.title or _("Untitled application")
    return f"{application.reference} — {application.organisation.name}: {title}"


def _screen(application: Application, form: Any) -> None:
    screening_rules.record_screening(
        actor=current_user,
        application=application,
        outcome=ScreeningOutcome(form.outcome.data),
        confirmed=form.confirmed.data or [],
        reason=form.reason.data or "",
        question=form.question.data or "",
    )


def _will(form: Any) -> str:
    outcome = form.outcome.data
    if outcome == ScreeningOutcome.ELIGIBLE:
        return _("Eligible: each application goes into review.")
    if outcome == ScreeningOutcome.INELIGIBLE:
        return _(
            "Screened out: each organisation sees this reason: %(reason)s", reason=form.reason.data
        )
    return _("Each organisation is asked: %(question)s", question=form.question.data)


SCREEN_MANY: BulkAction[Application] = BulkAction(
    title=_l("Screen several applications"),
    choose_endpoint="reviews.bulk_screen",
    confirm_endpoint="reviews.bulk_screen_confirm",
    back=lambda: url_for("applications.all"),
    form=BulkScreeningForm,
    load=_applications,
    label=_label,
    link=lambda a: url_for("reviews.screen", application_id=a.id),
    do=_screen,
    will=_will,
)


@bp.post("/bulk/screen")
@requires(Permission.SCREEN_APPLICATION)
def bulk_screen() -> Any:
    return bulk_page(SCREEN_MANY)


@bp.post("/bulk/screen/confirm")
@requires(Permission.SCREEN_APPLICATION)
def bulk_screen_confirm() -> Any:
    return bulk_confirm(SCREEN_MANY)


class BulkReassignForm(FlaskForm):
    reviewer_id = SelectField(
        _l("Give the reviews to"), coerce=int, validators=[DataRequired()], choices=[]
    )
    due_on = DateField(
        _l("Review due on"),
        validators=[Optional()],
        description=_l("Leave empty to keep each review's due date."),
    )


def _reassign_form() -> BulkReassignForm:
    form = BulkReassignForm()
    form.reviewer_id.choices = [
        (r.id, r.full_name) for r in users_with_role(Role.REVIEWER) if r.is_active
    ]
    return form


def _assignments(ids: Sequence[int]) -> Mapping[int, ReviewAssignment]:
    found = db.session.execute(
        sa.select(ReviewAssignment).where(ReviewAssignment.id.in_(ids))
    ).scalars()
    return {a.id: a for a in found}


def _assignment_label(assignment: ReviewAssignment) -> str:
    application = assignment.application
    return _(
        "%(reviewer)s's review of %(reference)s — %(organisation)s",
        reviewer=assignment.reviewer.full_name,
        reference=application.reference,
        organisation=application.organisation.name,
    )


def _reassign(assignment: ReviewAssignment, form: Any) -> None:
    reviewer = db.session.get(User, form.reviewer_id.data)
    assert reviewer is not None  # one of the form's choices
    assignment_rules.reassign_review(
        actor=current_user, assignment=assignment, reviewer=reviewer, due_on=form.due_on.data
    )


def _will_reassign(form: Any) -> str:
    reviewer = db.session.get(User, form.reviewer_id.data)
    name = reviewer.full_name if reviewer is not None else ""
    return _(
        "Each review is taken back from its reviewer and asked of %(name)s, who is told and "
        "declares their interests first.",
        name=name,
    )


REASSIGN_MANY: BulkAction[ReviewAssignment] = BulkAction(
    title=_l("Give reviews to another reviewer"),
    choose_endpoint="reviews.bulk_reassign",
    confirm_endpoint="reviews.bulk_reassign_confirm",
    back=lambda: url_for("reviews.index"),
    form=_reassign_form,
    load=_assignments,
    label=_assignment_label,
    link=lambda a: url_for("reviews.assign", application_id=a.application_id),
    do=_reassign,
    will=_will_reassign,
)


@bp.post("/bulk/reassign")
@requires(Permission.ASSIGN_REVIEWERS)
def bulk_reassign() -> Any:
    return bulk_page(REASSIGN_MANY)


@bp.post("/bulk/reassign/confirm")
@requires(Permission.ASSIGN_REVIEWERS)
def bulk_reassign_confirm() -> Any:
    return bulk_confirm(REASSIGN_MANY)


class DeclineLettersForm(FlaskForm):
    """Nothing to choose: the letter is the decision letter page in the wording in force."""


def _send_letter(application: Application, _form: Any) -> None:
    letters.send_decline_letter(actor=current_user, application=application)


DECLINE_LETTERS: BulkAction[Application] = BulkAction(
    title=_l("Send the decline letters"),
    choose_endpoint="reviews.bulk_decline_letters",
    confirm_endpoint="reviews.bulk_decline_letters_confirm",
    back=lambda: url_for("applications.all", status="rejected"),
    form=DeclineLettersForm,
    load=_applications,
    label=_label,
    link=lambda a: url_for("reviews.decision_letter", application_id=a.id),
    do=_send_letter,
    will=lambda _form: _(
        "Each declined organisation's people are told by e-mail and in the app that their "
        "decision letter is ready; the letter uses the wording in force in their language."
    ),
)


@bp.post("/bulk/decline-letters")
@requires(Permission.PREPARE_BOARD_PACK)
def bulk_decline_letters() -> Any:
    return bulk_page(DECLINE_LETTERS)


@bp.post("/bulk/decline-letters/confirm")
@requires(Permission.PREPARE_BOARD_PACK)
def bulk_decline_letters_confirm() -> Any:
    return bulk_confirm(DECLINE_LETTERS)
