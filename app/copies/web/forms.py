"""The screener's decision on a copied pair."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.copies.decisions import MAX_REASON_LENGTH
from app.copies.models import CopyDecision


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("What are these shared passages?"),
        choices=[
            (
                CopyDecision.CLEARED.value,
                _l("Not a concern (for example a consortium's shared text, or a law quoted)"),
            ),
            (CopyDecision.CONFIRMED.value, _l("Copied: the fund acts on it in due diligence")),
        ],
        validators=[InputRequired(_l("Choose whether the texts are a concern or not."))],
    )
    reason = TextAreaField(
        _l("Why"),
        validators=[
            DataRequired(_l("Say why: the next screener reads it.")),
            Length(max=MAX_REASON_LENGTH),
        ],
        description=_l("Seen by the fund's screeners only, never by either organisation."),
        render_kw={"rows": 3},
    )
