"""The forms of a two-stage call's first stage: the NGO's concept note and the fund's answer."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from app.accounts.web.admin.forms import CheckboxListField
from app.applications.models import Application
from app.applications.services.concepts import (
    CONCEPT_WORD_LIMIT,
    MAX_REASON,
    ConceptNoteData,
    word_count,
)
from app.platform.categories import FormOfExploitation
from app.platform.money import to_major
from app.web.countries import CountriesField
from app.web.display import country_choices
from app.web.forms import AmountField
from app.web.labels import choices


class ConceptNoteForm(FlaskForm):
    title = StringField(_l("Project title"), validators=[Optional(), Length(max=300)])
    summary = TextAreaField(
        _l("The idea in brief"),
        render_kw={"rows": 10},
        description=_l(
            "The need, what your organisation will do, for whom, and what will change for "
            "them: at most %(limit)s words.",
            limit=CONCEPT_WORD_LIMIT,
        ),
    )
    countries = CountriesField(_l("Countries where the project takes place"))
    forms_of_exploitation = CheckboxListField(
        _l("Forms of exploitation addressed"), choices=choices(FormOfExploitation)
    )
    indicative_amount = AmountField(
        _l("Indicative amount"),
        validators=[Optional()],
        description=_l("An order of size; the full proposal gives the budget."),
    )
    currency_code = ""

    def setup(self, application: Application) -> None:
        call = application.call
        self.currency_code = application.currency
        eligible = set(call.eligible_countries)
        self.countries.choices = [
            (code, name) for code, name in country_choices() if not eligible or code in eligible
        ]

    def fill_from(self, application: Application) -> None:
        note = application.concept_note
        if note is None:
            return
        self.title.data = note.title
        self.summary.data = note.summary
        self.countries.data = list(note.countries)
        self.forms_of_exploitation.data = list(note.forms_of_exploitation)
        if note.indicative_amount:
            self.indicative_amount.data = to_major(note.indicative_amount, application.currency)

    def validate_summary(self, field: Any) -> None:
        words = word_count(field.data or "")
        if words > CONCEPT_WORD_LIMIT:
            raise ValidationError(
                _l(
                    "%(count)s words: a concept note has at most %(limit)s.",
                    count=words,
                    limit=CONCEPT_WORD_LIMIT,
                )
            )

    def note_data(self) -> ConceptNoteData:
        return ConceptNoteData(
            title=self.title.data or "",
            summary=self.summary.data or "",
            countries=self.countries.data or [],
            forms_of_exploitation=self.forms_of_exploitation.data or [],
            indicative_amount=self.indicative_amount.minor,
        )


class DeclineConceptForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the concept note is declined"),
        validators=[Length(max=MAX_REASON)],
        render_kw={"rows": 3},
        description=_l("The organisation reads it on its application's page."),
    )


class ConceptOutcomeForm(FlaskForm):
    """The fund's answer to many concept notes at once (bulk)."""

    outcome = RadioField(
        _l("Answer"),
        choices=[
            ("invite", _l("Invite a full proposal")),
            ("decline", _l("Decline the concept note")),
        ],
        default="invite",
    )
    reason = TextAreaField(
        _l("Why the concept notes are declined"),
        validators=[Length(max=MAX_REASON)],
        render_kw={"rows": 3},
        description=_l("Needed to decline; each organisation reads it on its application's page."),
    )

    def validate_reason(self, field: Any) -> None:
        if self.outcome.data == "decline" and not (field.data or "").strip():
            raise ValidationError(_l("Say why the concept notes are declined."))
