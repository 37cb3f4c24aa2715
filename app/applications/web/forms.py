"""The application's section forms. Each carries the version it was built on (edit conflicts)."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.accounts.web.admin.forms import CheckboxListField
from app.applications.models import Application, BudgetCategory
from app.applications.services import (
    ActivityData,
    BeneficiariesData,
    BudgetData,
    BudgetLineData,
    FocusData,
    LocationsData,
    ResultsData,
    Section,
    SectionData,
    SummaryData,
    WorkplanData,
)
from app.organisations.web.forms import UploadForm
from app.platform.categories import (
    APPLICATION_DOCUMENT_KINDS,
    AgeGroup,
    AssistanceType,
    FormOfExploitation,
    Sex,
    Situation,
    Theme,
)
from app.platform.money import to_major
from app.results.models import IndicatorUnit
from app.results.services import (
    MAX_VALUE,
    MAX_YEARS,
    FrameworkRow,
    framework_rows,
    project_years,
    standard_indicators,
)
from app.web.countries import CountriesField
from app.web.display import country_choices, language_name
from app.web.forms import AmountField, WholeNumberField
from app.web.labels import choices

BLANK_ROWS = 3


class SectionForm(FlaskForm):
    version = HiddenField()

    def setup(self, application: Application) -> None:
        """Choices that depend on the call (languages, eligible countries)."""

    def fill_from(self, application: Application) -> None:
        self.version.data = str(application.version_id)

    def expected_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None

    def data_for(self, application: Application) -> SectionData:
        raise NotImplementedError


class SummaryForm(SectionForm):
    title = StringField(_l("Project title"), validators=[Optional(), Length(max=300)])
    summary = TextAreaField(
        _l("Summary of the project"),
        render_kw={"rows": 8},
        description=_l("What you will do, for whom, and what will change for them."),
    )
    language = SelectField(_l("Language of the proposal"), default="")
    duration_months = WholeNumberField(
        _l("Duration (months)"), validators=[Optional()], minimum=1, maximum=60
    )

    def setup(self, application: Application) -> None:
        self.language.choices = [
            ("", _l("Choose")),
            *[(code, language_name(code)) for code in application.call.languages],
        ]
        self.duration_months.description = _l(
            "At most %(months)s months for this call.",
            months=application.call.max_duration_months,
        )

    def fill_from(self, application: Application) -> None:
        super().fill_from(application)
        self.title.data = application.title
        self.summary.data = application.summary
        self.language.data = application.language or ""
        self.duration_months.data = application.duration_months

    def data_for(self, application: Application) -> SectionData:
        return SummaryData(
            title=self.title.data or "",
            summary=self.summary.data or "",
            language=self.language.data or None,
            duration_months=self.duration_months.data,
        )


class LocationsForm(SectionForm):
    countries = CountriesField(
        _l("Countries where the project takes place"),
    )
    locations = TextAreaField(_l("Places (regions, towns, districts)"), render_kw={"rows": 3})

    def setup(self, application: Application) -> None:
        eligible = set(application.call.eligible_countries)
        self.countries.choices = [
            (code, name) for code, name in country_choices() if not eligible or code in eligible
        ]

    def fill_from(self, application: Application) -> None:
        super().fill_from(application)
        self.countries.data = list(application.countries)
        self.locations.data = application.locations

    def data_for(self, application: Application) -> SectionData:
        return LocationsData(
            countries=self.countries.data or [], locations=self.locations.data or ""
        )


class FocusForm(SectionForm):
    situations = CheckboxListField(_l("Situations"), choices=choices(Situation))
    forms_of_exploitation = CheckboxListField(
        _l("Forms of exploitation addressed"), choices=choices(FormOfExploitation)
    )
    assistance_types = CheckboxListField(
        _l("Assistance you will give"), choices=choices(AssistanceType)
    )

    def fill_from(self, application: Application) -> None:
        super().fill_from(application)
        self.situations.data = list(application.situations)
        self.forms_of_exploitation.data = list(application.forms_of_exploitation)
        self.assistance_types.data = list(application.assistance_types)

    def data_for(self, application: Application) -> SectionData:
        return FocusData(
            situations=self.situations.data or [],
            forms_of_exploitation=self.forms_of_exploitation.data or [],
            assistance_types=self.assistance_types.data or [],
        )


def _count_field_name(sex: Sex, age: AgeGroup) -> str:
    return f"people_{sex.value}_{age.value}"


class BeneficiariesForm(SectionForm):
    target_groups = CheckboxListField(_l("Groups the project will reach"), choices=choices(Theme))
    target_groups_notes = TextAreaField(
        _l("Who they are, and how you will reach them"), render_kw={"rows": 4}
    )

    def count_field(self, sex: Sex, age: AgeGroup) -> Any:
        return self[_count_field_name(sex, age)]

    def fill_from(self, application: Application) -> None:
        super().fill_from(application)
        self.target_groups.data = list(application.target_groups)
        self.target_groups_notes.data = application.target_groups_notes
        for sex in Sex:
            for age in AgeGroup:
                self.count_field(sex, age).data = application.planned(sex, age)

    def data_for(self, application: Application) -> SectionData:
        return BeneficiariesData(
            target_groups=self.target_groups.data or [],
            target_groups_notes=self.target_groups_notes.data or "",
            counts={
                (sex, age): int(self.count_field(sex, age).data or 0)
                for sex in Sex
                for age in AgeGroup
            },
        )


for _sex in Sex:
    for _age in AgeGroup:
        setattr(
            BeneficiariesForm,
            _count_field_name(_sex, _age),
            WholeNumberField(
                f"{_sex.value} {_age.value}",
                default=0,
                validators=[Optional()],
                maximum=10_000_000,
            ),
        )


class ActivityForm(Form):
    description = StringField(_l("Activity"), validators=[Optional(), Length(max=500)])
    start_month = WholeNumberField(_l("From month"), validators=[Optional()], minimum=1, maximum=60)
    end_month = WholeNumberField(_l("To month"), validators=[Optional()], minimum=1, maximum=60)


class WorkplanForm(SectionForm):
    activities = FieldList(FormField(ActivityForm), min_entries=BLANK_ROWS)

    def fill_from(self, application: Application) -> None:
        super().fill_from(application)
        while self.activities.entries:
            self.activities.pop_entry()
        for activity in application.activities:
            self.activities.append_entry(
                {
                    "description": activity.description,
                    "start_month": activity.start_month,
                    "end_month": activity.end_month,
                }
            )
        for _blank in range(BLANK_ROWS):
            self.activities.append_entry()

    def data_for(self, application: Application) -> SectionData:
        activities = []
        for entry in self.activities.entries:
            form = entry.form
            if not (form.description.data or "").strip():
                continue
            start = form.start_month.data or 1
            activities.append(
                ActivityData(
                    description=form.description.data,
                    start_month=start,
                    end_month=form.end_month.data or start,
                )
            )
        return WorkplanData(activities=activities)


class BudgetLineForm(Form):
    category = SelectField(_l("Category"), choices=choices(BudgetCategory))
    description = StringField(_l("Item"), validators=[Optional(), Length(max=300)])
    quantity = WholeNumberField(
        _l("Quantity"), validators=[Optional()], minimum=1, maximum=1_000_000
    )
    # The currency is the application's: BudgetForm hands it to each line before validation.
    unit_cost = AmountField(_l("Unit cost"), validators=[Optional()])


class BudgetForm(SectionForm):
    lines = FieldList(FormField(BudgetLineForm), min_entries=BLANK_ROWS)
    currency_code = ""

    def setup(self, application: Application) -> None:
        super().setup(application)
        self.currency_code = application.currency

    def validate(self, extra_validators: Any = None) -> bool:
        for entry in self.lines.entries:
            entry.form.currency_code = self.currency_code
        return bool(super().validate(extra_validators))

    def fill_from(self, application: Application) -> None:
        super().fill_from(application)
        while self.lines.entries:
            self.lines.pop_entry()
        for line in application.budget_lines:
            self.lines.append_entry(
                {
                    "category": line.category.value,
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_cost": to_major(line.unit_cost, application.currency),
                }
            )
        for _blank in range(BLANK_ROWS):
            self.lines.append_entry()

    def data_for(self, application: Application) -> SectionData:
        lines = []
        for entry in self.lines.entries:
            form = entry.form
            if not (form.description.data or "").strip():
                continue
            lines.append(
                BudgetLineData(
                    category=BudgetCategory(form.category.data),
                    description=form.description.data,
                    quantity=form.quantity.data or 1,
                    unit_cost=form.unit_cost.minor or 0,
                )
            )
        return BudgetData(lines=lines)


class ResultsRowForm(Form):
    """One indicator of the results framework, with its outcome and output written out."""

    outcome = StringField(_l("Outcome"), validators=[Optional(), Length(max=500)])
    output = StringField(_l("Output"), validators=[Optional(), Length(max=500)])
    indicator = SelectField(_l("Indicator"), default="")
    own_name = StringField(_l("Your own indicator"), validators=[Optional(), Length(max=300)])
    unit = SelectField(_l("Unit"), choices=[("", "—"), *choices(IndicatorUnit)], default="")
    baseline = WholeNumberField(_l("Baseline"), validators=[Optional()], maximum=MAX_VALUE)
    target_1 = WholeNumberField(_l("Target, year 1"), validators=[Optional()], maximum=MAX_VALUE)
    target_2 = WholeNumberField(_l("Target, year 2"), validators=[Optional()], maximum=MAX_VALUE)
    target_3 = WholeNumberField(_l("Target, year 3"), validators=[Optional()], maximum=MAX_VALUE)
    target_4 = WholeNumberField(_l("Target, year 4"), validators=[Optional()], maximum=MAX_VALUE)
    target_5 = WholeNumberField(_l("Target, year 5"), validators=[Optional()], maximum=MAX_VALUE)

    def target_fields(self, years: int) -> list[Any]:
        return [self[f"target_{year}"] for year in range(1, years + 1)]


class ResultsForm(SectionForm):
    rows = FieldList(FormField(ResultsRowForm), min_entries=BLANK_ROWS)
    years = 1
    indicator_choices: list[tuple[str, Any]] = []

    def setup(self, application: Application) -> None:
        super().setup(application)
        self.years = project_years(application.duration_months)
        self.indicator_choices = [
            ("", _l("Your own (name it)")),
            *[
                (str(s.id), f"{s.code} · {s.name_in(_locale())}")
                for s in standard_indicators(active_only=True)
            ],
        ]
        for entry in self.rows.entries:
            entry.form.indicator.choices = self.indicator_choices

    def validate(self, extra_validators: Any = None) -> bool:
        for entry in self.rows.entries:
            entry.form.indicator.choices = self.indicator_choices
        return bool(super().validate(extra_validators))

    def fill_from(self, application: Application) -> None:
        super().fill_from(application)
        while self.rows.entries:
            self.rows.pop_entry()
        for row in framework_rows(application):
            targets = list(row.targets) + [None] * MAX_YEARS
            self.rows.append_entry(
                {
                    "outcome": row.outcome,
                    "output": row.output,
                    "indicator": str(row.standard_id or ""),
                    "own_name": row.own_name,
                    "unit": row.unit.value if row.unit and not row.standard_id else "",
                    "baseline": row.baseline,
                    **{f"target_{year}": targets[year - 1] for year in range(1, MAX_YEARS + 1)},
                }
            )
        for _blank in range(BLANK_ROWS):
            self.rows.append_entry()
        for entry in self.rows.entries:
            entry.form.indicator.choices = self.indicator_choices

    def data_for(self, application: Application) -> SectionData:
        rows = []
        for entry in self.rows.entries:
            form = entry.form
            chosen = form.indicator.data or ""
            if not chosen and not (form.own_name.data or "").strip():
                continue  # a blank row
            rows.append(
                FrameworkRow(
                    outcome=form.outcome.data or "",
                    output=form.output.data or "",
                    standard_id=int(chosen) if chosen else None,
                    own_name=form.own_name.data or "",
                    unit=IndicatorUnit(form.unit.data) if form.unit.data else None,
                    baseline=form.baseline.data or 0,
                    targets=[field.data for field in form.target_fields(self.years)],
                )
            )
        return ResultsData(rows=rows)


def _locale() -> str:
    return str(get_locale() or "en")


SECTION_FORMS: dict[Section, type[SectionForm]] = {
    Section.SUMMARY: SummaryForm,
    Section.LOCATIONS: LocationsForm,
    Section.FOCUS: FocusForm,
    Section.BENEFICIARIES: BeneficiariesForm,
    Section.WORKPLAN: WorkplanForm,
    Section.BUDGET: BudgetForm,
    Section.RESULTS: ResultsForm,
}


def application_upload_form(**kwargs: Any) -> UploadForm:
    return UploadForm(kinds=APPLICATION_DOCUMENT_KINDS, **kwargs)


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("Your message"), validators=[DataRequired(), Length(max=10_000)], render_kw={"rows": 5}
    )


class WithdrawForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500)])


class SubmitForm(FlaskForm):
    """The declaration ticked on the check-your-answers page before the application is sent."""

    declaration = BooleanField(
        _l(
            "I confirm that the information in this application is correct and complete, and that "
            "I may submit it on behalf of the organisation."
        ),
        validators=[DataRequired(message=_l("Confirm the declaration to submit the application."))],
    )
