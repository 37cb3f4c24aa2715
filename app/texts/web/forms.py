"""The form that edits a text: a subject (e-mails) and a body."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from app.texts.rendering import MAX_SOURCE_LENGTH


class TextForm(FlaskForm):
    subject = StringField(_l("Subject"), render_kw={"maxlength": 500})
    body = TextAreaField(
        _l("Text"), render_kw={"rows": 12, "maxlength": MAX_SOURCE_LENGTH, "dir": "auto"}
    )
