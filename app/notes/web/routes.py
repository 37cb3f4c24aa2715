"""Adding an internal note, and the notes section that records' staff pages include."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.accounts.permissions import Permission
from app.notes import services as notes
from app.notes.models import NoteSubject
from app.notes.web.forms import NoteForm
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.web.access import requires

bp = Blueprint("notes", __name__, template_folder="../templates", url_prefix="/notes")


def _page_of(record: Any) -> str:
    endpoint, argument = notes.page_of(notes.subject_kind(record))
    return url_for(endpoint, **{argument: record.id}, _anchor=notes.NOTES_ANCHOR)


@bp.app_template_global()
def internal_notes(record: Any) -> Markup:
    """The record's notes and the form to add one, for staff who may read them; else nothing.

    The record's page includes this whatever the reader: the check is here, so no template
    decides who sees a note.
    """
    if not notes.may_read_notes(current_user, record):
        return Markup("")
    can_write = notes.may_write_notes(current_user, record)
    form = NoteForm()
    staff = notes.mentionable_staff(record) if can_write else []
    form.mention.choices = [
        (user.id, f"{user.full_name} <{user.email}>")
        for user in staff
        if user.id != current_user.id
    ]
    thread = notes.notes_on(record)
    names = notes.names_of({user_id for note in thread for user_id in note.mentioned_ids})
    return Markup(  # noqa: S704 - autoescaped output
        render_template(
            "notes/_section.html",
            notes=thread,
            mentioned={
                note.id: [names.get(user_id, "") for user_id in note.mentioned_ids]
                for note in thread
            },
            form=form,
            can_write=can_write,
            action=url_for(
                "notes.add", subject=notes.subject_kind(record).value, subject_id=record.id
            ),
            anchor=notes.NOTES_ANCHOR,
        )
    )


@bp.post("/<subject>/<int:subject_id>")
@requires(Permission.WRITE_INTERNAL_NOTE)
def add(subject: str, subject_id: int) -> Any:
    if subject not in {kind.value for kind in NoteSubject}:
        abort(404)
    record = db.session.get(notes.model_of(NoteSubject(subject)), subject_id)
    if record is None or not notes.may_write_notes(current_user, record):
        abort(404)
    form = NoteForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
        return redirect(_page_of(record))
    try:
        notes.add_note(
            actor=current_user,
            record=record,
            body=form.body.data or "",
            mention_ids=form.mention.data or [],
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
    else:
        db.session.commit()
        flash(_("Your internal note is added."), "success")
    return redirect(_page_of(record))
