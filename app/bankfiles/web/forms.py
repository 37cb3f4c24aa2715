"""The forms of the bank-file pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, TextAreaField
from wtforms.validators import Optional


class BatchForm(FlaskForm):
    """One per currency on the page, prefixed with it (``usd-execution_date``): two currencies'
    forms on one page must not share field ids. The currency itself is a plain hidden input."""

    execution_date = DateField(
        _l("Pay on"),
        validators=[Optional()],
        description=_l("The day the bank is asked to pay; leave empty for today."),
    )


def batch_form(currency: str, *, from_request: bool = False) -> BatchForm:
    """The payment-file form of ``currency``, read from the request or empty."""
    prefix = "".join(ch for ch in currency.lower() if ch.isalnum()) or "batch"
    if from_request:
        return BatchForm(prefix=prefix)
    return BatchForm(formdata=None, prefix=prefix)


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
