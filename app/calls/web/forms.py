"""The call editor: texts per language, timetable in the call's own zone, caps, rubric."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.accounts.web.admin.forms import CheckboxListField
from app.calls.models import Call, WindowKind
from app.calls.services import PROPOSAL_LANGUAGES, CallDetails, Criterion
from app.platform.categories import DocumentKind, FormOfExploitation, Situation, Theme
from app.platform.money import to_major
from app.web.display import country_choices, language_name
from app.web.forms import AmountField, LocalDecimalField, WholeNumberField
from app.web.i18n import LANGUAGE_NAMES
from app.web.labels import choices, lazy_label

_TIMEZONES = sorted(available_timezones() - {"localtime"})
_DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
BLANK_CRITERIA = 3


class CriterionForm(Form):
    name = StringField(_l("Criterion"), validators=[Optional(), Length(max=200)])
    weight = LocalDecimalField(
        _l("Weight"), validators=[Optional()], maximum=Decimal(9999), places=2
    )
    description = StringField(_l("What reviewers look for"), validators=[Optional()])


class CallForm(FlaskForm):
    reference = StringField(
        _l("Reference"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("A short code shown to applicants, e.g. SGP1-2026."),
    )
    window = SelectField(_l("Window"), choices=choices(WindowKind))
    opens_at = DateTimeLocalField(_l("Opens"), format=_DATETIME_FORMAT, validators=[DataRequired()])
    closes_at = DateTimeLocalField(
        _l("Deadline"), format=_DATETIME_FORMAT, validators=[DataRequired()]
    )
    two_stage = BooleanField(
        _l("Two stages: a concept note first, then a full proposal on invitation"),
    )
    concept_closes_at = DateTimeLocalField(
        _l("Concept-note deadline"),
        format=_DATETIME_FORMAT,
        validators=[Optional()],
        description=_l(
            "For a two-stage call: concept notes are due by then; the deadline above is the "
            "full proposals'."
        ),
    )
    timezone = SelectField(
        _l("Time zone of these times"),
        choices=[(tz, tz) for tz in _TIMEZONES],
        default="UTC",
        description=_l("Applicants see the deadline in their own time zone as well."),
    )
    currency = StringField(_l("Currency"), validators=[DataRequired(), Length(min=3, max=3)])
    envelope = AmountField(
        _l("Envelope (total available)"), validators=[DataRequired()], currency_field="currency"
    )
    max_amount = AmountField(
        _l("Maximum grant per application"),
        validators=[Optional()],
        currency_field="currency",
        description=_l("Leave empty for the window's default."),
    )
    max_duration_months = WholeNumberField(
        _l("Maximum duration (months)"),
        validators=[Optional()],
        minimum=1,
        maximum=120,
        description=_l("Leave empty for the window's default."),
    )
    eligible_countries = SelectMultipleField(
        _l("Eligible countries"),
        description=_l("Leave empty to accept every country."),
        render_kw={"size": 10},
    )
    situations = CheckboxListField(_l("Priority situations"), choices=choices(Situation))
    themes = CheckboxListField(_l("Priority groups and themes"), choices=choices(Theme))
    forms_of_exploitation = CheckboxListField(
        _l("Forms of exploitation"), choices=choices(FormOfExploitation)
    )
    languages = CheckboxListField(_l("Proposals accepted in"))
    criteria = FieldList(FormField(CriterionForm), min_entries=BLANK_CRITERIA)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.eligible_countries.choices = country_choices()
        self.languages.choices = [(code, language_name(code)) for code in PROPOSAL_LANGUAGES]

    # The per-language texts and per-kind document counts are added below, one field each.
    def text_fields(self) -> list[tuple[str, Any, Any]]:
        return [
            (code, self[f"title_{code}"], self[f"description_{code}"]) for code in LANGUAGE_NAMES
        ]

    def document_fields(self) -> list[Any]:
        return [self[f"documents_{kind.value}"] for kind in DocumentKind]

    def fill_from(self, call: Call) -> None:
        """Show a saved call: times in the call's own zone, amounts in major units."""
        zone = ZoneInfo(call.timezone)
        self.reference.data = call.reference
        self.window.data = call.window.value
        self.opens_at.data = call.opens_at.astimezone(zone).replace(tzinfo=None)
        self.closes_at.data = call.closes_at.astimezone(zone).replace(tzinfo=None)
        self.timezone.data = call.timezone
        self.two_stage.data = call.is_two_stage
        if call.concept_closes_at is not None:
            self.concept_closes_at.data = call.concept_closes_at.astimezone(zone).replace(
                tzinfo=None
            )
        self.currency.data = call.currency
        self.envelope.data = to_major(call.envelope, call.currency)
        self.max_amount.data = to_major(call.max_amount, call.currency)
        self.max_duration_months.data = call.max_duration_months
        self.eligible_countries.data = list(call.eligible_countries)
        self.situations.data = list(call.situations)
        self.themes.data = list(call.themes)
        self.forms_of_exploitation.data = list(call.forms_of_exploitation)
        self.languages.data = list(call.languages)
        for code, title, description in self.text_fields():
            title.data = call.title.get(code, "")
            description.data = call.description.get(code, "")
        for kind in DocumentKind:
            self[f"documents_{kind.value}"].data = call.required_documents.get(kind.value, 0)
        while len(self.criteria.entries):
            self.criteria.pop_entry()
        for criterion in call.criteria:
            self.criteria.append_entry(
                {
                    "name": criterion.name,
                    "weight": criterion.weight,
                    "description": criterion.description,
                }
            )
        for _blank in range(BLANK_CRITERIA):
            self.criteria.append_entry()

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        # Optional() stops the field's own checks when it is empty: the rule is said here.
        if self.two_stage.data and self.concept_closes_at.data is None:
            self.concept_closes_at.errors = [
                *self.concept_closes_at.errors,
                _l("Give the concept-note deadline of a two-stage call."),
            ]
            return False
        concept, opens, closes = (
            self.concept_closes_at.data,
            self.opens_at.data,
            self.closes_at.data,
        )
        # Said next to the concept deadline (the three are read in the same time zone).
        if self.two_stage.data and concept and opens and closes and not opens < concept < closes:
            self.concept_closes_at.errors = [
                *self.concept_closes_at.errors,
                _l(
                    "The concept-note deadline must fall after the call opens and before the "
                    "full-proposal deadline."
                ),
            ]
            return False
        return valid

    def details(self) -> CallDetails:
        zone = ZoneInfo(self.timezone.data or "UTC")
        currency = (self.currency.data or "").strip().upper()

        def utc(value: datetime) -> datetime:
            return value.replace(tzinfo=zone).astimezone(UTC)

        return CallDetails(
            reference=self.reference.data or "",
            window=WindowKind(self.window.data),
            title={code: title.data or "" for code, title, _d in self.text_fields()},
            description={code: d.data or "" for code, _t, d in self.text_fields()},
            opens_at=utc(self.opens_at.data),
            closes_at=utc(self.closes_at.data),
            concept_closes_at=utc(self.concept_closes_at.data) if self.two_stage.data else None,
            timezone=self.timezone.data or "UTC",
            currency=currency,
            envelope=self.envelope.minor or 0,
            max_amount=self.max_amount.minor,
            max_duration_months=self.max_duration_months.data,
            eligible_countries=self.eligible_countries.data or [],
            situations=self.situations.data or [],
            themes=self.themes.data or [],
            forms_of_exploitation=self.forms_of_exploitation.data or [],
            required_documents={
                kind.value: int(self[f"documents_{kind.value}"].data or 0) for kind in DocumentKind
            },
            languages=self.languages.data or [],
            criteria=[
                Criterion(
                    name=entry.form.name.data.strip(),
                    weight=entry.form.weight.data or Decimal(0),
                    description=entry.form.description.data or "",
                )
                for entry in self.criteria.entries
                if (entry.form.name.data or "").strip()
            ],
        )


for _code, _name in LANGUAGE_NAMES.items():
    setattr(
        CallForm,
        f"title_{_code}",
        StringField(_l("Title (%(language)s)", language=_name), validators=[Length(max=300)]),
    )
    setattr(
        CallForm,
        f"description_{_code}",
        TextAreaField(_l("Description (%(language)s)", language=_name), render_kw={"rows": 5}),
    )
for _kind in DocumentKind:
    setattr(
        CallForm,
        f"documents_{_kind.value}",
        WholeNumberField(lazy_label(_kind), default=0, validators=[Optional()], maximum=10),
    )
