"""Grant forms. Rows that vary per grant (tranches, counts, budget lines) are read from the
posted form by the helpers at the end, which turn typed amounts into minor units."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.numbers import format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.grants.models import AmendmentKind
from app.grants.web.labels import LABELS
from app.platform.errors import N_, ValidationFailed
from app.platform.typed_numbers import example_number, read_amount, read_whole_number
from app.web.forms import WholeNumberField, reader_locale


class AwardForm(FlaskForm):
    start_date = DateField(
        _l("Project start date"),
        validators=[Optional()],
        description=_l("Leave empty to start on the first day of next month."),
    )


class RebuildForm(FlaskForm):
    tranche_count = WholeNumberField(
        _l("Number of equal tranches"),
        validators=[Optional()],
        minimum=1,
        maximum=12,
        description=_l("Leave empty to use the schedule of the organisation's risk rating."),
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(), Length(max=5000)], render_kw={"rows": 3}
    )


class BankReferenceForm(FlaskForm):
    bank_reference = StringField(
        _l("Bank reference of the payment"), validators=[DataRequired(), Length(max=100)]
    )


class AcceptAgreementForm(FlaskForm):
    digest = HiddenField()
    signatory_name = StringField(_l("Your full name"), validators=[DataRequired(), Length(max=200)])
    signatory_title = StringField(
        _l("Your position in the organisation"), validators=[Optional(), Length(max=200)]
    )
    confirmed = BooleanField(
        _l(
            "I am authorised to sign for the organisation, I have read the agreement and I "
            "accept it on the organisation's behalf."
        )
    )


class ReviewForm(FlaskForm):
    comment = TextAreaField(
        _l("Comment for the organisation"),
        validators=[Optional(), Length(max=20_000)],
        render_kw={"rows": 4},
    )


class RefundForm(FlaskForm):
    amount = StringField(_l("Amount received"), validators=[DataRequired(), Length(max=30)])
    bank_reference = StringField(_l("Bank reference"), validators=[DataRequired(), Length(max=100)])
    received_on = DateField(_l("Date received"), validators=[DataRequired()])


class AmendmentForm(FlaskForm):
    kind = SelectField(
        _l("What do you need?"),
        choices=[(k.value, LABELS[k]) for k in AmendmentKind],
        validators=[DataRequired()],
    )
    reason = TextAreaField(
        _l("Why is the change needed?"),
        validators=[DataRequired(), Length(max=20_000)],
        render_kw={"rows": 5},
    )
    new_end_date = DateField(
        _l("New end date (no-cost extension)"),
        validators=[Optional()],
    )


class UploadForm(FlaskForm):
    file = FileField(
        _l("File"),
        validators=[FileRequired(_l("Choose a file to upload."))],
        description=_l("PDF, Word (.docx), Excel (.xlsx), PNG or JPEG."),
    )


# --- rows read from the posted form ----------------------------------------------------------


def parse_amount(raw: str | None, currency: str, *, what: str) -> int:
    """An amount typed in the reader's language ("1 234,50" in French) as minor units; a clear
    refusal otherwise."""
    text = (raw or "").strip()
    if not text:
        raise ValidationFailed(N_("Give an amount for %(what)s."), what=what)
    return read_amount(text, currency=currency, locale=reader_locale())


def parse_date(raw: str | None, *, what: str) -> date:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        raise ValidationFailed(
            N_("Give a date for %(what)s (year-month-day)."), what=what
        ) from None


# People counted in one cell of a report: far more than any grant could reach, and within the
# database's integer column.
MAX_COUNT = 10_000_000


def parse_count(raw: str | None, *, what: str) -> int:
    text = (raw or "").strip()
    if not text:
        return 0
    locale = reader_locale()
    try:
        return read_whole_number(text, locale=locale, maximum=MAX_COUNT)
    except ValidationFailed:
        raise ValidationFailed(
            N_("%(what)s must be a whole number from 0 to %(most)s, written like %(example)s."),
            what=what,
            most=format_decimal(MAX_COUNT, locale=locale),
            example=example_number(locale, 0),
        ) from None


def form_value(form: MultiDict[str, Any], name: str) -> str:
    return str(form.get(name, "") or "")
