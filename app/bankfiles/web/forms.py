"""The forms of the bank-file pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, TextAreaField
from wtforms.validators import Optional


class BatchForm(FlaskForm):
    currency = HiddenField()
    execution_date = DateField(
        _l("Pay on"),
        validators=[Optional()],
        description=_l("The day the bank is asked to pay; leave empty for today."),
    )


class StatementForm(FlaskForm):
    statement = FileField(
        _l("Bank statement (camt.053 XML file)"),
        description=_l(
            "The statement file from the bank's website. A file that cannot be read is refused "
            "whole: nothing is recorded from it."
        ),
    )


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Why is the file cancelled?"), validators=[Optional()])
