"""The form that adds an internal note."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.notes.services import MAX_NOTE_LENGTH


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("New internal note"),
        validators=[DataRequired(), Length(max=MAX_NOTE_LENGTH)],
        description=_l(
            "Seen only by the fund's staff. Type @ and a colleague's name or e-mail address to "
            "tell them. A note cannot be changed afterwards: correct it with another note."
        ),
        render_kw={"rows": 3},
    )
    mention = SelectMultipleField(
        _l("Also tell"), coerce=int, choices=[], validate_choice=False, render_kw={"size": 3}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # A prefix keeps the fields' ids apart from the page's other forms (the messages' body).
        super().__init__(*args, prefix="note", **kwargs)
