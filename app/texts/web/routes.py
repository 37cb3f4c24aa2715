"""/texts/: the list of the fund's editable texts per language, the edit form with its preview,
and each text's history with "restore this version"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.texts import services as texts
from app.texts.models import TextVersion
from app.texts.registry import TEXTS, EditableText, editable
from app.texts.rendering import Problem, tag
from app.texts.services import Rendered, TextRefused
from app.texts.web.defaults import built_in
from app.texts.web.forms import TextForm
from app.web.access import requires
from app.web.display import language_name

bp = Blueprint("texts", __name__, template_folder="../templates", url_prefix="/texts")


def _languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def _text_and_locale(key: str, locale: str) -> EditableText:
    text = editable(key)
    if text is None or locale not in _languages():
        abort(404)
    return text


def _say(problem: Problem) -> str:
    return _(problem.message, **problem.params)


@bp.get("/")
@requires(Permission.EDIT_TEXTS)
def index() -> Any:
    return render_template(
        "texts/index.html",
        texts=TEXTS,
        languages=[(code, language_name(code)) for code in _languages()],
        in_force=texts.all_in_force(),
    )


def _edit_page(text: EditableText, locale: str, form: TextForm, preview: Rendered | None) -> Any:
    versions = texts.history(text.key, locale)
    return render_template(
        "texts/edit.html",
        text=text,
        locale=locale,
        language=language_name(locale),
        form=form,
        preview=preview,
        placeholders=[(tag(name), _(meaning)) for name, meaning in text.placeholders.items()],
        current=texts.in_force(text.key, locale),
        versions=versions,
        emails=texts.emails_written_from([version.id for version in versions])
        if text.has_subject
        else {},
    )


@bp.get("/<key>/<locale>")
@requires(Permission.EDIT_TEXTS)
def edit(key: str, locale: str) -> Any:
    text = _text_and_locale(key, locale)
    form = TextForm()
    current = texts.in_force(key, locale)
    if current is not None:
        form.subject.data, form.body.data = current.subject, current.body
    else:
        form.subject.data, form.body.data = built_in(text, locale)
    return _edit_page(text, locale, form, None)


@bp.post("/<key>/<locale>")
@requires(Permission.EDIT_TEXTS)
def save(key: str, locale: str) -> Any:
    text = _text_and_locale(key, locale)
    form = TextForm()
    if not form.validate_on_submit():
        # The form again with its errors, as the app's other forms answer (200).
        return _edit_page(text, locale, form, None)
    subject = (form.subject.data or "") if text.has_subject else ""
    body = form.body.data or ""
    try:
        if request.form.get("action") == "preview":
            return _edit_page(text, locale, form, texts.preview(text, subject=subject, body=body))
        version = texts.save_version(
            actor=current_user, key=key, locale=locale, subject=subject, body=body
        )
    except TextRefused as refused:
        db.session.rollback()
        for name, problems in refused.problems.items():
            field = getattr(form, name)
            field.errors = [*field.errors, *(_say(problem) for problem in problems)]
        return _edit_page(text, locale, form, None)
    db.session.commit()
    flash(_("Version %(number)d saved; it is used from now on.", number=version.version), "success")
    return redirect(url_for("texts.edit", key=key, locale=locale))


@bp.post("/versions/<int:version_id>/restore")
@requires(Permission.EDIT_TEXTS)
def restore(version_id: int) -> Any:
    old = db.session.get(TextVersion, version_id)
    if old is None or editable(old.key) is None or old.locale not in _languages():
        abort(404)
    try:
        version = texts.restore(actor=current_user, version_id=version_id)
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
        return redirect(url_for("texts.edit", key=old.key, locale=old.locale))
    db.session.commit()
    flash(
        _(
            "Version %(old)d restored as version %(number)d; it is used from now on.",
            old=old.version,
            number=version.version,
        ),
        "success",
    )
    return redirect(url_for("texts.edit", key=old.key, locale=old.locale))
