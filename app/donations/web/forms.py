"""Forms of the donation pages: Give, pledge, and finance's receipts, matching and rates."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from babel.dates import ParseError, format_date, parse_date
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp

from app.donations.models import DonorKind
from app.donations.services import RATE_MAX_DECIMALS, Instalment
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.money import to_minor
from app.platform.typed_numbers import example_number, read_amount
from app.web.forms import (
    AmountField,
    LocalDecimalField,
    WholeNumberField,
    reader_locale,
    whole_number,
)
from app.web.once import OnceForm
from app.web.plain_text import PlainTextForm

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


def _typed_minor(field: AmountField) -> int:
    """The amount a validated form read; ValueError (its sentence is on the field) otherwise."""
    if field.minor is None:
        raise ValueError("no amount")
    return field.minor


class GiveForm(PlainTextForm):
    amount = RadioField(_l("Amount"), validators=[InputRequired()], validate_choice=False)
    custom_amount = AmountField(
        _l("Your amount"),
        validators=[Optional(), Length(max=40)],
        description=_l("An amount typed here replaces the one chosen above."),
        currency_field="currency",
        positive=True,
        render_kw={"data-number-saved-as": _l("Your gift: %(amount)s", amount="%s")},
    )
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

    # Set (to the amount in minor units) once the donor has said yes to "You are about to give
    # USD 5,000.00": large gifts are asked about once more, however the page is bypassed.
    confirmed_amount = HiddenField()

    def amount_minor(self) -> int:
        """The chosen or typed amount in minor units; raises ValueError, with the sentence next
        to the field, when there is none.

        A typed amount wins over a suggested one: without JavaScript, typing cannot unselect
        the suggestion picked by default (the page's script clears the typed amount when the
        donor picks a suggestion, so both never arrive from it)."""
        typed = (self.custom_amount.data or "").strip()
        if self.amount.data != "custom" and not typed:
            # A suggested amount: a whole number the page offered (it follows the currency).
            preset = whole_number(self.amount.data or "", maximum=10**9)
            if preset is None:
                self.custom_amount.errors = [str(_l("Please give an amount."))]
                raise ValueError("no amount")
            return to_minor(preset, self.currency.data or "")
        if self.custom_amount.minor is None:
            if not self.custom_amount.errors:
                self.custom_amount.errors = [str(_l("Please give an amount."))]
            raise ValueError("no amount")
        return self.custom_amount.minor


def _example_date() -> str:
    """A due date as the reader's language writes it short ("31/03/2027" in French)."""
    return str(format_date(date(utcnow().year + 1, 3, 31), format="short", locale=reader_locale()))


def _typed_date(text: str) -> date:
    """A date as ISO (2027-03-31) or as the reader's language writes it short; ValueError
    otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return parse_date(text, locale=reader_locale())
    except (ValueError, IndexError, ParseError):
        raise ValueError(text) from None


def instalments_help() -> str:
    return _(
        "Optional. One instalment a line: the date, then the amount, e.g. %(example)s.",
        example=f"{_example_date()} {example_number(reader_locale())}",
    )


def _parse_instalments(text: str, currency: str) -> list[Instalment]:
    """One instalment a line: a date, then the amount, both as the reader's language writes
    them (``3/31/27 50,000.00`` in English, ``31/03/2027 50 000,00`` in French; ISO dates too)."""
    instalments = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        first, _space, rest = line.replace("\t", " ").partition(" ")
        parts = [first.rstrip(",;"), rest.strip().lstrip(",;").strip()]
        if not parts[0] or not parts[1]:
            raise ValueError(str(_l("Line %(line)s: write a date and an amount.", line=number)))
        try:
            due = _typed_date(parts[0])
        except ValueError:
            raise ValueError(
                _(
                    "Line %(line)s: %(date)s is not a date; write it like %(example)s.",
                    line=number,
                    date=parts[0],
                    example=_example_date(),
                )
            ) from None
        try:
            amount = read_amount(parts[1], currency=currency, locale=reader_locale())
        except DomainError as error:
            raise ValueError(str(_l("Line %(line)s:", line=number)) + " " + error.translated(_))
        instalments.append(Instalment(due_on=due, amount=amount))
    return instalments


class PledgeForm(OnceForm, PlainTextForm):
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
    amount = AmountField(
        _l("Amount"),
        validators=[InputRequired(), Length(max=40)],
        currency_field="currency",
        positive=True,
    )
    currency = SelectField(_l("Currency"), validators=[InputRequired()])
    year = WholeNumberField(_l("Year"), validators=[InputRequired()], minimum=2000, maximum=2100)
    earmark = SelectField(
        _l("Earmark"),
        description=_l("Unearmarked contributions let the fund help where the need is greatest."),
        validators=[Optional()],
    )
    instalments = TextAreaField(
        _l("Instalment schedule"),
        # The example follows the reader's language: set when the form is made.
        validators=[Optional(), Length(max=2000)],
    )
    letter = FileField(
        _l("Pledge letter or agreement"),
        description=_l("PDF, Word, PNG or JPEG. You can also add it later."),
    )
    note = TextAreaField(_l("Note for the fund"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instalments.description = instalments_help()

    def amount_minor(self) -> int:
        return _typed_minor(self.amount)

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


class BankReceiptForm(OnceForm, PlainTextForm):
    value_date = DateField(
        _l("Value date"), validators=[InputRequired()], default=lambda: utcnow().date()
    )
    amount = AmountField(
        _l("Amount"),
        validators=[InputRequired(), Length(max=40)],
        currency_field="currency",
        positive=True,
    )
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
    # Shown when a receipt of the same amount from the same donor is already recorded.
    different_transfer = BooleanField(_l("This is a different transfer: record it anyway"))

    def amount_minor(self) -> int:
        return _typed_minor(self.amount)


class AllocationForm(FlaskForm):
    pledge_id = SelectField(_l("Pledge"), validators=[InputRequired()])
    # In the receipt's currency (set by the page as ``currency_code``).
    currency_code = ""
    amount = AmountField(
        _l("Amount to apply"), validators=[InputRequired(), Length(max=40)], positive=True
    )


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
    rate = LocalDecimalField(
        _l("Rate"),
        description=_l("Units of the currency for one unit of the functional currency."),
        validators=[InputRequired()],
        places=RATE_MAX_DECIMALS,
    )


class RateImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        description=_l("Columns currency, month, rate, with a header line."),
        validators=[InputRequired()],
    )
