"""An application's sections and saving one of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.accounts.models import User
from app.accounts.permissions import can_edit_application
from app.applications.models import (
    Application,
    BudgetCategory,
    BudgetLine,
    PlannedBeneficiary,
    WorkplanActivity,
)
from app.applications.services.budget import refresh_money
from app.applications.services.checks import (
    MAX_COUNT,
    MAX_PROJECT_MONTHS,
    Problem,
    clean_codes,
    clean_countries,
)
from app.applications.services.versions import check_version, flush_or_conflict
from app.audit.services import record_event
from app.platform.categories import (
    AgeGroup,
    AssistanceType,
    FormOfExploitation,
    Sex,
    Situation,
    Theme,
)
from app.platform.db import utcnow
from app.platform.errors import N_, PermissionDenied, ValidationFailed
from app.results.services import FrameworkRow, replace_framework


class Section(StrEnum):
    SUMMARY = "summary"
    LOCATIONS = "locations"
    FOCUS = "focus"
    BENEFICIARIES = "beneficiaries"
    WORKPLAN = "workplan"
    BUDGET = "budget"
    ATTACHMENTS = "attachments"
    # Last, so that "Save and continue" from the budget still leads to the attachments.
    RESULTS = "results"
    # The call's own questions (app/questions), listed only when the call has some.
    QUESTIONS = "questions"


@dataclass(frozen=True)
class SectionCheck:
    section: Section
    problems: list[Problem]

    @property
    def complete(self) -> bool:
        return not self.problems


@dataclass
class SummaryData:
    title: str
    summary: str
    language: str | None
    duration_months: int | None


@dataclass
class LocationsData:
    countries: Sequence[str]
    locations: str


@dataclass
class FocusData:
    situations: Sequence[str]
    forms_of_exploitation: Sequence[str]
    assistance_types: Sequence[str]


@dataclass
class BeneficiariesData:
    target_groups: Sequence[str]
    target_groups_notes: str
    counts: dict[tuple[Sex, AgeGroup], int]


@dataclass
class ActivityData:
    description: str
    start_month: int
    end_month: int


@dataclass
class WorkplanData:
    activities: Sequence[ActivityData]


@dataclass
class BudgetLineData:
    category: BudgetCategory
    description: str
    quantity: int
    unit_cost: int


@dataclass
class BudgetData:
    lines: Sequence[BudgetLineData]


@dataclass
class ResultsData:
    """The results framework's rows (app/results: outcomes, outputs, indicators, targets)."""

    rows: Sequence[FrameworkRow]


SectionData = (
    SummaryData
    | LocationsData
    | FocusData
    | BeneficiariesData
    | WorkplanData
    | BudgetData
    | ResultsData
)


def save_section(
    *,
    actor: User,
    application: Application,
    data: SectionData,
    expected_version: int | None,
) -> Application:
    """Save one section of a draft. ``expected_version`` is the version the form was built on:
    if a colleague saved in between, the save is refused instead of overwriting their work."""
    if not can_edit_application(actor, application):
        raise PermissionDenied(N_("This application can no longer be changed."))
    check_version(application, expected_version)
    section = _apply(actor, application, data)
    # Touching the row makes every save, even of child rows only, bump the version.
    application.updated_at = utcnow()
    application.updated_by_id = actor.id
    flush_or_conflict(application)
    record_event(
        actor=actor,
        action="application.section_saved",
        subject=application,
        summary=f"{section.value} section saved",
        changes={"version": [expected_version, application.version_id]},
    )
    return application


def _apply(actor: User, application: Application, data: SectionData) -> Section:
    if isinstance(data, SummaryData):
        return _apply_summary(application, data)
    if isinstance(data, LocationsData):
        return _apply_locations(application, data)
    if isinstance(data, FocusData):
        return _apply_focus(application, data)
    if isinstance(data, BeneficiariesData):
        return _apply_beneficiaries(application, data)
    if isinstance(data, WorkplanData):
        return _apply_workplan(application, data)
    if isinstance(data, ResultsData):
        replace_framework(actor=actor, application=application, rows=data.rows)
        return Section.RESULTS
    return _apply_budget(application, data)


def _apply_summary(application: Application, data: SummaryData) -> Section:
    duration = data.duration_months
    if duration is not None and not 1 <= duration <= MAX_PROJECT_MONTHS:
        raise ValidationFailed(
            N_("The duration must be between 1 and %(max)s months."), max=MAX_PROJECT_MONTHS
        )
    application.title = data.title.strip()[:300]
    application.summary = data.summary.strip()
    application.language = data.language or None
    application.duration_months = duration
    return Section.SUMMARY


def _apply_locations(application: Application, data: LocationsData) -> Section:
    application.countries = clean_countries(data.countries)
    application.locations = data.locations.strip()
    return Section.LOCATIONS


def _apply_focus(application: Application, data: FocusData) -> Section:
    application.situations = clean_codes(data.situations, Situation)
    application.forms_of_exploitation = clean_codes(data.forms_of_exploitation, FormOfExploitation)
    application.assistance_types = clean_codes(data.assistance_types, AssistanceType)
    return Section.FOCUS


def _apply_beneficiaries(application: Application, data: BeneficiariesData) -> Section:
    application.target_groups = clean_codes(data.target_groups, Theme)
    application.target_groups_notes = data.target_groups_notes.strip()
    existing = {(row.sex, row.age_group): row for row in application.beneficiaries}
    for (sex, age), count in data.counts.items():
        if not 0 <= count <= MAX_COUNT:
            raise ValidationFailed(N_("Planned numbers of people cannot be negative."))
        key = (Sex(sex), AgeGroup(age))
        if key in existing:
            existing[key].count = count  # updated in place: (sex, age) is unique
        else:
            application.beneficiaries.append(
                PlannedBeneficiary(sex=key[0], age_group=key[1], count=count)
            )
    return Section.BENEFICIARIES


def _apply_workplan(application: Application, data: WorkplanData) -> Section:
    activities = []
    for position, activity in enumerate(data.activities):
        if not activity.description.strip():
            raise ValidationFailed(N_("Describe each activity of the workplan."))
        if not 1 <= activity.start_month <= activity.end_month <= MAX_PROJECT_MONTHS:
            raise ValidationFailed(
                N_("%(activity)s must start in month 1 or later and end after it starts."),
                activity=activity.description.strip()[:60],
            )
        activities.append(
            WorkplanActivity(
                position=position,
                description=activity.description.strip(),
                start_month=activity.start_month,
                end_month=activity.end_month,
            )
        )
    application.activities = activities
    return Section.WORKPLAN


def _apply_budget(application: Application, data: BudgetData) -> Section:
    lines = []
    for position, line in enumerate(data.lines):
        if not line.description.strip():
            raise ValidationFailed(N_("Describe each budget line."))
        if line.quantity < 1 or line.unit_cost < 0:
            raise ValidationFailed(
                N_("%(line)s: the quantity must be at least 1 and the cost not negative."),
                line=line.description.strip()[:60],
            )
        lines.append(
            BudgetLine(
                position=position,
                category=BudgetCategory(line.category),
                description=line.description.strip()[:300],
                quantity=line.quantity,
                unit_cost=line.unit_cost,
            )
        )
    application.budget_lines = lines
    refresh_money(application)
    return Section.BUDGET
