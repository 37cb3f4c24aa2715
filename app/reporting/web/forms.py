"""Query-string forms of the reports: a period, and what to export. They change nothing, so
they carry no CSRF token."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import InputRequired, ValidationError

from app.reporting.statement import Period

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def _plausible(_form: Any, field: DateField) -> None:
    if field.data is not None and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(_l("Give a date between 2000 and 2100."))


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    start = DateField(
        _l("From"),
        validators=[InputRequired(_l("Enter the first day of the period.")), _plausible],
        description=_l("First day, UTC."),
    )
    end = DateField(
        _l("To"),
        validators=[InputRequired(_l("Enter the last day of the period.")), _plausible],
        description=_l("Last day, UTC; it is included."),
    )

    def __init__(self, args: Any, **kwargs: Any) -> None:
        super().__init__(formdata=args, **kwargs)

    def validate_end(self, field: DateField) -> None:
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The end date must be on or after the start date."))

    @property
    def period(self) -> Period:
        assert self.start.data is not None and self.end.data is not None
        return Period(self.start.data, self.end.data)


TRANSFERS = "transfers"


class ExportForm(PeriodForm):
    table = SelectField(
        _l("Data"),
        choices=[
            ("contributions", _l("Contributions (gifts, pledges, bank receipts)")),
            ("applications", _l("Applications")),
            ("application_answers", _l("Answers to the calls' own questions")),
            ("grants", _l("Grants")),
            ("disbursements", _l("Disbursements (tranches sent)")),
            (TRANSFERS, _l("Ledger transfers")),
        ],
    )
    format = SelectField(_l("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX (Excel)")])
