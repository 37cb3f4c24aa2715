"""Forms of the screening pages: clearing and confirming a possible match."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ClearHitForm(FlaskForm):
    reason = TextAreaField(
        _l("Why this is not the listed party"),
        description=_l("For example: different date of birth, nationality or registration."),
        validators=[DataRequired(_l("Say why this is not the listed party.")), Length(max=2000)],
        render_kw={"rows": 3},
    )


class ConfirmHitForm(FlaskForm):
    reason = TextAreaField(
        _l("Note (optional)"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}
    )
    sure = BooleanField(
        _l("I have compared the details: this is the listed party."),
        validators=[DataRequired(_l("Tick the box to confirm the match."))],
    )
