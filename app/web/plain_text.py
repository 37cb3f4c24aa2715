"""Typed text without control characters: what a form stores is what a person could have typed.

Pasting from a PDF or a bank's portal brings invisible characters (form feeds, escapes, bells)
that nobody sees and that break what is made from the text later (an XLSX export refuses them).
A form class that inherits ``PlainTextForm`` cleans them out of its text fields before
validating: a one-line field turns tabs and line breaks into spaces and drops the rest; a
multi-line field keeps its tabs and line breaks.
"""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

# Every Unicode control character (C0, DEL and C1); tab, line feed and carriage return apart.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile("[\t\n\r]+")


def plain_line(text: str) -> str:
    """One line of text: line breaks and tabs become one space, other controls go."""
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", text))


def plain_lines(text: str) -> str:
    """Text of several lines: line breaks and tabs kept, other controls gone."""
    return _CONTROL.sub("", text)


class PlainTextForm(FlaskForm):
    """A form whose text fields hold no control characters once validated."""

    def validate(self, extra_validators: Any = None) -> bool:
        for field in self:
            if isinstance(field, StringField) and isinstance(field.data, str):
                clean = plain_lines if isinstance(field, TextAreaField) else plain_line
                field.data = clean(field.data)
        return bool(super().validate(extra_validators=extra_validators))
