"""Forms of the donation pages: Give, pledge, and finance's receipts, matching and rates."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, Regexp

from app.db import utcnow
from app.domain.donations.models import DonorKind
from app.domain.donations.services import Instalment
from app.domain.errors import DomainError
from app.domain.money import to_minor

FREQUENCIES = [("one_off", _l("Once")), ("monthly", _l("Every month"))]
RECOGNITION = [
    ("anonymous", _l("Keep my gift anonymous")),
    ("named", _l("List my name among the fund's donors")),
]
DONOR_KIND_LABELS: dict[StrEnum, LazyString] = {
    DonorKind.MEMBER_STATE: _l("Member State"),
    DonorKind.GOVERNMENT: _l("Other government"),
    DonorKind.INTERGOVERNMENTAL: _l("Intergovernmental organisation"),
    DonorKind.COMPANY: _l("Company"),
    DonorKind.FOUNDATION: _l("Foundation"),
    DonorKind.INDIVIDUAL: _l("Individual"),
}


def donor_kind_choices(*, institutional: bool = False) -> list[tuple[str, object]]:
    return [
        (kind.value, label)
        for kind, label in DONOR_KIND_LABELS.items()
        if not (institutional and kind == DonorKind.INDIVIDUAL)
    ]


class GiveForm(FlaskForm):
    amount = RadioField(_l("Amount"), validators=[InputRequired()], validate_choice=False)
    custom_amount = StringField(_l("Your amount"), validators=[Optional(), Length(max=20)])
    currency = SelectField(_l("Currency"), validators=[InputRequired()])
    frequency = RadioField(
        _l("How often"), choices=FREQUENCIES, default="one_off", validators=[InputRequired()]
    )
    name = StringField(_l("Your name"), validators=[InputRequired(), Length(max=300)])
    email = EmailField(
        _l("Your e-mail address"),
        description=_l("We send your receipt here."),
        validators=[InputRequired(), Email(), Length(max=254)],
    )
    recognition = RadioField(
        _l("Public recognition"),
        choices=RECOGNITION,
        default="anonymous",
        validators=[InputRequired()],
    )

    def amount_minor(self) -> int:
        """The chosen or typed amount in minor units; raises a DomainError when malformed."""
        raw = self.custom_amount.data if self.amount.data == "custom" else self.amount.data
        if not raw:
            self.custom_amount.errors = [str(_l("Please give an amount."))]
            raise ValueError("no amount")
        return to_minor(str(raw), self.currency.data or "")


def _parse_instalments(text: str, currency: str) -> list[Instalment]:
    """One instalment a line: ``2026-06-30 50000``."""
    instalments = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = line.replace(";", " ").replace(",", " ").split()
        if len(parts) != 2:
            raise ValueError(str(_l("Line %(line)s: write a date and an amount.", line=number)))
        try:
            due = date.fromisoformat(parts[0])
        except ValueError:
            raise ValueError(
                str(
                    _l(
                        "Line %(line)s: %(date)s is not a date (2026-06-30).",
                        line=number,
                        date=parts[0],
                    )
                )
            )
        try:
            amount = to_minor(parts[1], currency)
        except DomainError as error:
            raise ValueError(str(_l("Line %(line)s:", line=number)) + " " + error.message)
        instalments.append(Instalment(due_on=due, amount=amount))
    return instalments


class PledgeForm(FlaskForm):
    on_behalf_of = SelectField(_l("Pledge on behalf of"), validators=[InputRequired()])
    organisation_name = StringField(
        _l("Name of the organisation"),
        description=_l("Only when it is not listed above, e.g. the Government of Norway."),
        validators=[Optional(), Length(max=300)],
    )
    organisation_kind = SelectField(
        _l("Kind of organisation"),
        choices=donor_kind_choices(institutional=True),
        validators=[Optional()],
    )
    amount = StringField(_l("Amount"), validators=[InputRequired(), Length(max=20)])
    currency = SelectField(_l("Currency"), validators=[InputRequired()])
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    earmark = SelectField(
        _l("Earmark"),
        description=_l("Unearmarked contributions let the fund help where the need is greatest."),
        validators=[Optional()],
    )
    instalments = TextAreaField(
        _l("Instalment schedule"),
        description=_l("Optional. One instalment a line: date and amount, e.g. 2026-06-30 50000."),
        validators=[Optional(), Length(max=2000)],
    )
    letter = FileField(
        _l("Pledge letter or agreement"),
        description=_l("PDF, Word, PNG or JPEG. You can also add it later."),
    )
    note = TextAreaField(_l("Note for the fund"), validators=[Optional(), Length(max=2000)])

    def amount_minor(self) -> int:
        return to_minor(self.amount.data or "", self.currency.data or "")

    def instalment_list(self) -> list[Instalment]:
        try:
            return _parse_instalments(self.instalments.data or "", self.currency.data or "")
        except ValueError as error:
            self.instalments.errors = [str(error)]
            raise


class FinancePledgeForm(PledgeForm):
    """Finance records a pledge that arrived by letter or Note Verbale."""

    donor_email = EmailField(
        _l("Donor's e-mail address"), validators=[Optional(), Email(), Length(max=254)]
    )
    donor_country = StringField(
        _l("Country (two letters)"), validators=[Optional(), Regexp(r"^[A-Za-z]{2}$")]
    )


class ConfirmPledgeForm(FlaskForm):
    confirmed_on = DateField(
        _l("Letter or agreement received on"),
        description=_l("The pledge is converted at the rate in force on this day."),
        validators=[InputRequired()],
        default=lambda: utcnow().date(),
    )


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[InputRequired(), Length(max=300)])


class LetterForm(FlaskForm):
    letter = FileField(_l("Pledge letter or agreement"), validators=[InputRequired()])


class BankReceiptForm(FlaskForm):
    value_date = DateField(
        _l("Value date"), validators=[InputRequired()], default=lambda: utcnow().date()
    )
    amount = StringField(_l("Amount"), validators=[InputRequired(), Length(max=20)])
    currency = SelectField(_l("Currency"), validators=[InputRequired()])
    bank_reference = StringField(
        _l("Bank reference"), validators=[InputRequired(), Length(max=100)]
    )
    donor_id = SelectField(
        _l("Donor"),
        description=_l("Leave it unknown if the statement does not say; match it later."),
        validators=[Optional()],
    )
    payer_name = StringField(
        _l("Payer as on the statement"), validators=[Optional(), Length(max=300)]
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def amount_minor(self) -> int:
        return to_minor(self.amount.data or "", self.currency.data or "")


class AllocationForm(FlaskForm):
    pledge_id = SelectField(_l("Pledge"), validators=[InputRequired()])
    amount = StringField(_l("Amount to apply"), validators=[InputRequired(), Length(max=20)])


class ExchangeRateForm(FlaskForm):
    currency = StringField(
        _l("Currency"),
        description=_l("ISO code, e.g. EUR."),
        validators=[InputRequired(), Regexp(r"^[A-Za-z]{3}$")],
    )
    month = StringField(
        _l("Month"),
        description=_l("e.g. 2026-01"),
        validators=[InputRequired(), Regexp(r"^\d{4}-\d{2}$")],
    )
    rate = StringField(
        _l("Rate"),
        description=_l("Units of the currency for one unit of the functional currency."),
        validators=[InputRequired(), Length(max=30)],
    )


class RateImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        description=_l("Columns currency, month, rate, with a header line."),
        validators=[InputRequired()],
    )
