"""The fund manager's pages of a call's questions, and the download of an answer's file."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.accounts.permissions import (
    Permission,
    can_view_application,
    can_view_call,
    has_permission,
)
from app.applications.models import Application
from app.calls.models import Call
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.questions import services as questions
from app.questions.models import QUESTION_LANGUAGES, CallQuestion, QuestionKind
from app.questions.web.forms import KIND_LABELS, ActionForm, QuestionForm
from app.web.access import login_required, requires
from app.web.display import language_name
from app.web.downloads import send_private_file
from app.web.forms import reader_locale
from app.web.lookup import visible_or_404

bp = Blueprint("questions", __name__, template_folder="../templates")


def _may_manage(actor: Any, call: Call) -> bool:
    return has_permission(actor, Permission.MANAGE_CALLS) and can_view_call(actor, call)


def _call_or_404(call_id: int) -> Call:
    return visible_or_404(Call, call_id, _may_manage)


def _question_or_404(question_id: int) -> CallQuestion:
    return visible_or_404(CallQuestion, question_id, lambda actor, q: _may_manage(actor, q.call))


@bp.app_template_global()
def call_answers(
    application: Application, *, printing: Any = False, change_links: Any = False
) -> Markup:
    """The section of the application's read-only pages (its page, the print view, the check
    before submitting) with the call's questions and the answers; nothing when it has none."""
    if not can_view_application(current_user, application):
        return Markup("")
    answers = questions.shown_answers(application)
    if not answers and not questions.application_has_questions(application):
        return Markup("")
    return Markup(  # noqa: S704 - autoescaped output
        render_template(
            "questions/_answers.html",
            application=application,
            answers=answers,
            locale=reader_locale(),
            printing=bool(printing),
            change_links=bool(change_links),
        )
    )


def _list_url(call: Call) -> str:
    return url_for("questions.index", call_id=call.id)


@bp.get("/calls/<int:call_id>/questions")
@requires(Permission.MANAGE_CALLS)
def index(call_id: int) -> Any:
    call = _call_or_404(call_id)
    listed = questions.questions_of(call)
    numbers = {question.id: number for number, question in enumerate(listed, start=1)}
    return render_template(
        "questions/index.html",
        call=call,
        questions=listed,
        numbers=numbers,
        locale=reader_locale(),
        kinds=KIND_LABELS,
        QuestionKind=QuestionKind,
        can_change_structure=questions.may_change_structure(call),
        can_correct_wording=questions.may_correct_wording(call),
        action_form=ActionForm(),
    )


def _form_page(call: Call, form: QuestionForm, question: CallQuestion | None, status: int) -> Any:
    return (
        render_template(
            "questions/edit.html",
            call=call,
            form=form,
            question=question,
            languages=[(code, language_name(code)) for code in QUESTION_LANGUAGES],
            locked=not questions.may_change_structure(call),
        ),
        status,
    )


def _earlier(call: Call, question: CallQuestion | None) -> list[CallQuestion]:
    listed = questions.questions_of(call)
    if question is None:
        return listed
    return listed[: listed.index(question)]


@bp.route("/calls/<int:call_id>/questions/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_CALLS)
def new(call_id: int) -> Any:
    call = _call_or_404(call_id)
    if not questions.may_change_structure(call):
        flash(
            _("This call has opened: only the wording of its questions can be corrected."), "info"
        )
        return redirect(_list_url(call))
    form = QuestionForm()
    form.setup(_earlier(call, None))
    if form.validate_on_submit():
        details = form.details()
        if details is not None:
            try:
                questions.add_question(actor=current_user, call=call, details=details)
            except DomainError as error:
                db.session.rollback()
                form.form_errors.append(error.translated(_))
            else:
                db.session.commit()
                flash(_("The question is added."), "success")
                return redirect(_list_url(call))
    return _form_page(call, form, None, 422 if request.method == "POST" else 200)


@bp.route("/calls/questions/<int:question_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_CALLS)
def edit(question_id: int) -> Any:
    question = _question_or_404(question_id)
    call = question.call
    form = QuestionForm()
    form.setup(_earlier(call, question))
    locked = not questions.may_change_structure(call)
    if request.method == "GET":
        form.fill_from(question)
    elif locked:
        # Only the words are on the form (the rest is shown, not sent): keep the rest as it is.
        form.kind.data = question.kind.value
        form.required.data = question.required
        form.max_words.data = question.max_words
        form.min_value.data = question.min_value
        form.max_value.data = question.max_value
        form.condition.data = (
            f"{question.condition_question_id}:{question.condition_value}"
            if question.condition_question_id
            else ""
        )
    if request.method == "POST" and form.validate_on_submit():
        details = form.details()
        if details is not None:
            try:
                questions.update_question(actor=current_user, question=question, details=details)
            except DomainError as error:
                db.session.rollback()
                form.form_errors.append(error.translated(_))
            else:
                db.session.commit()
                flash(_("The question is saved."), "success")
                return redirect(_list_url(call))
    return _form_page(call, form, question, 422 if request.method == "POST" else 200)


def _act(question_id: int, act: Any, said: str) -> Any:
    question = _question_or_404(question_id)
    call = question.call
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        act(question)
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
    else:
        db.session.commit()
        flash(said, "success")
    return redirect(_list_url(call))


@bp.post("/calls/questions/<int:question_id>/remove")
@requires(Permission.MANAGE_CALLS)
def remove(question_id: int) -> Any:
    return _act(
        question_id,
        lambda question: questions.remove_question(actor=current_user, question=question),
        _("The question is removed."),
    )


@bp.post("/calls/questions/<int:question_id>/move")
@requires(Permission.MANAGE_CALLS)
def move(question_id: int) -> Any:
    offset = -1 if request.form.get("direction") == "up" else 1
    return _act(
        question_id,
        lambda question: questions.move_question(
            actor=current_user, question=question, offset=offset, now=utcnow()
        ),
        _("The questions are reordered."),
    )


@bp.get("/applications/<int:application_id>/questions/<int:question_id>/file")
@login_required
def answer_file(application_id: int, question_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    answer = questions.answers_of(application).get(question_id)
    if answer is None or answer.storage_key is None:
        abort(404)
    return send_private_file(
        answer.storage_key,
        filename=answer.filename or "answer",
        content_type=answer.content_type or "application/octet-stream",
        subject=application,
        what=f"answer file to question {question_id}",
    )
