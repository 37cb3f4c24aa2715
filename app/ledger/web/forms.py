"""Filter forms of the ledger screens. They read the query string and change nothing, so they
carry no CSRF token."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.ledger.models import TransferCode
from app.ledger.web.labels import code_choices


def start_of(day: date) -> datetime:
    """Midnight UTC at the start of ``day``: periods are whole UTC days."""
    return datetime.combine(day, time.min, UTC)


def end_of(day: date) -> datetime:
    """Midnight UTC after ``day``: the period includes the whole of its last day."""
    return start_of(day) + timedelta(days=1)


class _QueryForm(FlaskForm):
    class Meta:
        csrf = False

    def __init__(self, args: Any, **kwargs: Any) -> None:
        super().__init__(formdata=args, **kwargs)
        self.code.choices = [("", _l("Any code")), *code_choices()]

    @property
    def period(self) -> tuple[datetime | None, datetime | None]:
        """[start, end) of the chosen days, in UTC; None where no day was given."""
        since, until = self["since"].data, self["until"].data
        return (start_of(since) if since else None, end_of(until) if until else None)

    @property
    def code_value(self) -> TransferCode | None:
        return TransferCode(self.code.data) if self.code.data else None

    def validate_until(self, field: DateField) -> None:
        since = self["since"].data
        if since and field.data and field.data < since:
            raise ValidationError(_l("The end date must be on or after the start date."))


class StatementFilterForm(_QueryForm):
    since = DateField(_l("From"), validators=[Optional()], description=_l("UTC date."))
    until = DateField(_l("To"), validators=[Optional()], description=_l("Included."))
    code = SelectField(_l("Transfer code"), validators=[Optional()])


class ExportForm(_QueryForm):
    since = DateField(
        _l("From"),
        validators=[InputRequired(_l("Enter the first day of the period."))],
        description=_l("First day of the period, UTC."),
    )
    until = DateField(
        _l("To"),
        validators=[InputRequired(_l("Enter the last day of the period."))],
        description=_l("Last day of the period, UTC; it is included."),
    )
    code = SelectField(_l("Transfer code"), validators=[Optional()])
    account = StringField(
        _l("Account"),
        validators=[Optional(), Length(max=120)],
        description=_l("Optional: only transfers of this account, by its key (e.g. grant:14)."),
    )
