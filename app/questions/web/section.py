"""The application's section "Questions for this call": the NGO answers the call's questions.

Called by the applications' section page (app/applications/web/views/sections.py) with the
facts every section page shows. Works without JavaScript: a question that depends on an answer
appears once that answer is saved; drafts.js saves the typed answers as a draft (files are
sent with the Save buttons only, so a file is not uploaded again at every pause in typing).
"""

from __future__ import annotations

from contextlib import suppress
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user

from app.applications.models import Application
from app.applications.services import EditConflict, Section
from app.applications.services.documents import store_uploaded_file
from app.applications.services.versions import check_version, flush_or_conflict
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.platform.storage import get_storage
from app.questions import services as questions
from app.questions.models import CallQuestion, QuestionKind
from app.questions.services import AnswersRefused, StoredAnswerFile
from app.questions.web.forms import answers_form, field_name, fill_answers, values_from
from app.web.display import editable_number
from app.web.labels import label


def _shown(
    application: Application,
) -> tuple[list[CallQuestion], dict[int, int], list[CallQuestion]]:
    listed = questions.questions_of(application.call)
    numbers = {question.id: number for number, question in enumerate(listed, start=1)}
    kept = questions.answers_of(application)
    shown = questions.shown_questions(
        listed, {question_id: answer.choice for question_id, answer in kept.items()}
    )
    return listed, numbers, shown


def questions_section(application: Application, *, context: dict[str, Any], autosave: bool) -> Any:
    """The section's page (GET), its save (POST) and drafts.js's autosave (JSON)."""
    listed, numbers, shown = _shown(application)
    if not listed:
        return redirect(url_for("applications.show", application_id=application.id))
    form = answers_form(shown, numbers)
    if request.method == "GET":
        form.version.data = str(application.version_id)
        fill_answers(form, shown, questions.answers_of(application))
    conflict = None
    if request.method == "POST":
        if not form.validate_on_submit():
            if autosave:
                return _autosaved(
                    False,
                    _("Not saved automatically: some answers need correcting. Save to see which."),
                )
            _check_files(form, shown)
        else:
            outcome = _save(application, form, shown, autosave=autosave)
            if autosave:
                return outcome
            if outcome is True:
                return _after_save(application, shown)
            conflict = outcome if isinstance(outcome, str) else None
    kept = questions.answers_of(application)
    return (
        render_template(
            "questions/section.html",
            **context,
            current=Section.QUESTIONS,
            form=form,
            conflict=conflict,
            shown=shown,
            numbers=numbers,
            kept=kept,
            field_name=field_name,
            QuestionKind=QuestionKind,
            has_conditions=any(q.condition_question_id for q in listed),
            max_upload_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024),
        ),
        409 if conflict else (422 if request.method == "POST" else 200),
    )


def _attempt(
    application: Application, form: Any, shown: list[CallQuestion], *, autosave: bool
) -> Any:
    """Store the chosen files, save the answers; the files of a failed attempt are deleted."""
    values = values_from(form, shown)
    stored_now: list[str] = []
    try:
        check_version(application, form.expected_version())
        file_refused = False
        if not autosave:
            for question in shown:
                if question.kind == QuestionKind.FILE:
                    try:
                        stored = _store_file(form[field_name(question)])
                    except _FileRefused:
                        file_refused = True  # said next to it; the other answers are checked
                        continue
                    if stored is not None:
                        stored_now.append(stored.storage_key)
                        values[question.id].file = stored
        released = questions.save_answers(
            actor=current_user, application=application, values=values, files_too=not autosave
        )
        if file_refused:
            raise _FileRefused  # nothing is kept: the caller rolls the answers back
        flush_or_conflict(application)
    except BaseException:
        # Nothing was saved: the files stored for this attempt are kept by no answer.
        _forget(stored_now)
        raise
    return _saved(application, released, autosave=autosave)


def _forget(keys: list[str]) -> None:
    for key in keys:
        get_storage().delete(key)


def _save(application: Application, form: Any, shown: list[CallQuestion], *, autosave: bool) -> Any:
    """True when saved; else the mistakes are on the form (or an edit conflict's sentence)."""
    try:
        return _attempt(application, form, shown, autosave=autosave)
    except EditConflict as error:
        db.session.rollback()
        message = error.translated(_)
        return _autosaved(False, message, stop=True) if autosave else message
    except AnswersRefused as refused:
        db.session.rollback()
        for question_id, reason in refused.errors.items():
            field = form[f"q{question_id}"]
            field.errors = [*field.errors, _in_reader_notation(reason)]
        if autosave:
            return _autosaved(
                False,
                _("Not saved automatically: some answers need correcting. Save to see which."),
            )
        return False
    except _FileRefused:
        db.session.rollback()
        return False
    except DomainError as error:
        db.session.rollback()
        if autosave:
            return _autosaved(False, error.translated(_))
        form.form_errors.append(error.translated(_))
        return False


def _in_reader_notation(reason: DomainError) -> str:
    """The reason in the reader's language, its numbers (a range's bounds, given as plain
    "1000.5") written as the reader's language writes them ("1000,5" in French)."""
    params = dict(reason.params)
    for name, value in params.items():
        if isinstance(value, str):
            with suppress(InvalidOperation, ValueError):
                params[name] = editable_number(Decimal(value))
    return str(_(reason.template, **params))


def _saved(application: Application, released: list[str], *, autosave: bool) -> Any:
    db.session.commit()
    _forget(released)
    if autosave:
        return _autosaved(
            True,
            _("Draft saved automatically at %(time)s.", time=format_time(utcnow(), "short")),
            version=application.version_id,
        )
    return True


def _check_files(form: Any, shown: list[CallQuestion]) -> None:
    """Nothing is saved when another answer is refused, but a refused file is said as well
    (next to its field), not silently dropped: each chosen file is checked, then let go."""
    checked: list[str] = []
    for question in shown:
        if question.kind != QuestionKind.FILE:
            continue
        try:
            stored = _store_file(form[field_name(question)])
        except _FileRefused:
            continue
        if stored is not None:
            checked.append(stored.storage_key)
    _forget(checked)


class _FileRefused(Exception):
    """A file was not accepted; the reason is next to its field."""


def _store_file(field: Any) -> StoredAnswerFile | None:
    """The file chosen for a question, checked and stored by the upload machinery of every
    document (type by content, size limit, private storage); None when none was chosen."""
    upload = field.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    try:
        _inspected, columns = store_uploaded_file(
            actor=current_user,
            filename=upload.filename or "",
            data=upload.read(current_app.config["UPLOAD_MAX_BYTES"] + 1),
            storage=get_storage(),
        )
    except DomainError as error:
        field.errors = [
            _(
                "%(file)s was not uploaded: %(reason)s",
                file=upload.filename or "?",
                reason=error.translated(_),
            )
        ]
        raise _FileRefused from error
    return StoredAnswerFile(**columns)


def _after_save(application: Application, shown_before: list[CallQuestion]) -> Any:
    flash(_("%(section)s saved.", section=label(Section.QUESTIONS)), "success")
    _listed, _numbers, shown_now = _shown(application)
    appeared = [q for q in shown_now if q not in shown_before]
    if appeared:
        flash(_("Your answers call for more questions: they are now shown below."), "info")
    elif request.form.get("then") == "next":
        # The last section: next is the page to review and submit.
        return redirect(url_for("applications.show", application_id=application.id))
    return redirect(
        url_for("applications.section", application_id=application.id, name=Section.QUESTIONS)
    )


def _autosaved(saved: bool, message: str, *, version: int | None = None, stop: bool = False) -> Any:
    """drafts.js's answer, as the other sections give it (always 200)."""
    answer: dict[str, Any] = {"saved": saved, "message": message, "stop": stop}
    if version is not None:
        answer["version"] = str(version)
    return jsonify(answer)
