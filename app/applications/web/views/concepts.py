"""Stage one of a two-stage call in the browser (decision 0115): the NGO writes and sends its
concept note; the fund lists a call's concept notes, invites full proposals or declines, one by
one or many at once (app/web/bulk.py); the application's page shows the answer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import lazyload, load_only

from app.accounts.permissions import (
    Permission,
    can_view_application,
    has_permission,
    is_member,
)
from app.applications.models import Application, ApplicationStatus, ConceptStatus
from app.applications.services.concepts import (
    CONCEPT_WORD_LIMIT,
    concept_field_problems,
    concept_problems,
    decline_concept_note,
    invite_full_proposal,
    save_concept_note,
    submit_concept_note,
)
from app.applications.web.blueprint import bp
from app.applications.web.concept_forms import (
    ConceptNoteForm,
    ConceptOutcomeForm,
    DeclineConceptForm,
)
from app.applications.web.concept_listing import CONCEPT_NOTES
from app.applications.web.views.common import locale
from app.applications.workflow import CONCEPT_WORKFLOW
from app.calls.models import Call
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.web.access import requires
from app.web.bulk import BulkAction, bulk_confirm, bulk_page
from app.web.lists import list_view
from app.web.lookup import visible_or_404


def concept_context(application: Application) -> dict[str, Any]:
    """What the application's page shows of stage one: the note, its answer, what one may do."""
    if not application.call.is_two_stage:
        return {"concept_note": None}
    note = application.concept_note
    moves = CONCEPT_WORKFLOW.available_moves(
        application, current_user, among=(ConceptStatus.INVITED, ConceptStatus.DECLINED)
    )
    member = is_member(current_user, application.organisation_id)
    return {
        "concept_note": note,
        "concept_shown": note is not None and (member or note.status != ConceptStatus.DRAFT),
        "concept_word_limit": CONCEPT_WORD_LIMIT,
        "can_write_concept": member
        and has_permission(current_user, Permission.APPLY_FOR_GRANT)
        and application.status == ApplicationStatus.DRAFT
        and (note is None or note.is_editable),
        "can_invite": ConceptStatus.INVITED in moves,
        "can_decline": ConceptStatus.DECLINED in moves,
        "decline_form": DeclineConceptForm(),
    }


def _concept_page(application: Application, form: ConceptNoteForm, status: int = 200) -> Any:
    return render_template(
        "applications/concept_note.html",
        application=application,
        call=application.call,
        form=form,
        problems=concept_problems(application) if application.concept_note else [],
        locale=locale(),
        now=utcnow(),
    ), status


@bp.route("/<int:application_id>/concept-note", methods=["GET", "POST"])
@requires(Permission.APPLY_FOR_GRANT)
def concept_note(application_id: int) -> Any:
    """The NGO's concept note: saved as a draft, or saved and sent ("send")."""
    application = visible_or_404(Application, application_id, can_view_application)
    context = concept_context(application)
    if not context.get("can_write_concept"):
        flash(_("The concept note can no longer be changed."), "info")
        return redirect(url_for("applications.show", application_id=application.id))
    form = ConceptNoteForm()
    form.setup(application)
    if request.method == "GET":
        form.fill_from(application)
        return _concept_page(application, form)
    sending = "send" in request.form
    valid = form.validate_on_submit()
    # Every error at once, next to its field: the form's own and the concept note's rules.
    for name, problems in concept_field_problems(
        application, form.note_data(), sending=sending
    ).items():
        field = getattr(form, name)
        field.errors = list(field.errors)
        for problem in problems:
            message = _(problem.message, **problem.params)
            if message not in field.errors and not (name == "summary" and field.errors):
                field.errors.append(message)
        valid = False
    if not valid:
        return _concept_page(application, form, 422)
    try:
        save_concept_note(actor=current_user, application=application, data=form.note_data())
        if sending:
            submit_concept_note(actor=current_user, application=application)
    except DomainError as error:
        db.session.rollback()
        form.form_errors.append(error.translated(_))
        application = db.session.get(Application, application_id) or application
        return _concept_page(application, form, 422)
    db.session.commit()
    if sending:
        flash(
            _(
                "Your concept note is sent. The fund will tell you whether it invites a full "
                "proposal."
            ),
            "success",
        )
        return redirect(url_for("applications.show", application_id=application.id))
    flash(_("Concept note saved."), "success")
    return redirect(url_for("applications.concept_note", application_id=application.id))


def _answered(application_id: int, act: Any, said: str) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    try:
        act(application)
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
        return redirect(url_for("applications.show", application_id=application_id))
    db.session.commit()
    flash(said, "success")
    return redirect(url_for("applications.show", application_id=application.id))


@bp.post("/<int:application_id>/concept-note/invite")
@requires(Permission.SCREEN_APPLICATION)
def invite_concept(application_id: int) -> Any:
    return _answered(
        application_id,
        lambda a: invite_full_proposal(actor=current_user, application=a),
        _("The organisation is invited to send a full proposal, and told."),
    )


@bp.post("/<int:application_id>/concept-note/decline")
@requires(Permission.SCREEN_APPLICATION)
def decline_concept(application_id: int) -> Any:
    form = DeclineConceptForm()
    form.validate_on_submit()
    if not (form.reason.data or "").strip():
        # Said next to the reason, on the application's page (the form is on it).
        from app.applications.web.views.pages import show_page

        form.reason.errors = [*form.reason.errors, _("Say why the concept note is declined.")]
        return show_page(application_id, 422, decline_form=form)
    return _answered(
        application_id,
        lambda a: decline_concept_note(
            actor=current_user, application=a, reason=form.reason.data or ""
        ),
        _("The concept note is declined, and the organisation told."),
    )


@bp.get("/concept-notes")
@requires(Permission.SCREEN_APPLICATION)
def concept_notes() -> Any:
    """The concept notes sent to two-stage calls, by call and answer, to screen."""
    lv = list_view(CONCEPT_NOTES, lambda state: CONCEPT_NOTES.query(state.filters))
    return render_template(
        "applications/concept_notes.html",
        lv=lv,
        page=lv.page,
        calls=db.session.execute(
            sa.select(Call)
            .options(load_only(Call.id, Call.reference, Call.title), lazyload(Call.criteria))
            .where(Call.concept_closes_at.is_not(None))
            .order_by(Call.closes_at.desc())
        ).scalars(),
        call_id=lv.state.filters.get("call_id"),
        status=lv.state.raw_filters.get("status", ""),
        q=lv.state.raw_filters.get("q", ""),
        statuses=[s for s in ConceptStatus if s != ConceptStatus.DRAFT],
        locale=locale(),
    )


def _applications(ids: Sequence[int]) -> Mapping[int, Application]:
    found = db.session.execute(sa.select(Application).where(Application.id.in_(ids))).scalars()
    return {a.id: a for a in found}


def _label(application: Application) -> str:
    note = application.concept_note
    title = (note.title if note else "") or _("Untitled application")
    return f"{application.reference} — {application.organisation.name}: {title}"


def _answer(application: Application, form: Any) -> None:
    if form.outcome.data == "decline":
        decline_concept_note(
            actor=current_user, application=application, reason=form.reason.data or ""
        )
    else:
        invite_full_proposal(actor=current_user, application=application)


def _will(form: Any) -> str:
    if form.outcome.data == "decline":
        return _(
            "Each concept note is declined with this reason, and its organisation told: %(reason)s",
            reason=form.reason.data,
        )
    return _("Each organisation is invited to send a full proposal, and told.")


ANSWER_MANY: BulkAction[Application] = BulkAction(
    title=_l("Answer several concept notes"),
    choose_endpoint="applications.bulk_concepts",
    confirm_endpoint="applications.bulk_concepts_confirm",
    back=lambda: url_for("applications.concept_notes"),
    form=ConceptOutcomeForm,
    load=_applications,
    label=_label,
    link=lambda a: url_for("applications.show", application_id=a.id),
    do=_answer,
    will=_will,
)


@bp.post("/bulk/concept-notes")
@requires(Permission.SCREEN_APPLICATION)
def bulk_concepts() -> Any:
    return bulk_page(ANSWER_MANY)


@bp.post("/bulk/concept-notes/confirm")
@requires(Permission.SCREEN_APPLICATION)
def bulk_concepts_confirm() -> Any:
    return bulk_confirm(ANSWER_MANY)
