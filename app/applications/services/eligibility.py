"""What an application still lacks before it can be submitted (the call's rules)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from app.applications.models import Application
from app.applications.services.checks import Problem
from app.applications.services.queries import organisation_documents
from app.applications.services.sections import Section, SectionCheck
from app.calls.models import Call
from app.platform.errors import N_
from app.platform.money import amount_param
from app.platform.settings import settings
from app.questions.services import answer_problems, application_has_questions
from app.results.services import framework_indicators, framework_problems


def application_documents_count(application: Application) -> Counter[str]:
    """Documents counted towards the call's list: the application's and the organisation's."""
    have = Counter(doc.kind.value for doc in application.documents)
    have.update(doc.kind.value for doc in organisation_documents(application.organisation))
    return have


def completeness(application: Application) -> list[SectionCheck]:
    """Section by section, what is still missing before the application can be submitted."""
    call = application.call
    return [
        SectionCheck(section, _CHECKS[section](application, call))
        for section in Section
        if section != Section.QUESTIONS or application_has_questions(application)
        if section != Section.RESULTS or results_listed(application)
    ]


def _summary_problems(application: Application, call: Call) -> list[Problem]:
    summary = []
    if not application.title:
        summary.append(Problem(N_("Give the project a title.")))
    if not application.summary:
        summary.append(Problem(N_("Summarise the project.")))
    if not application.language:
        summary.append(Problem(N_("Say in which language the proposal is written.")))
    elif call.languages and application.language not in call.languages:
        summary.append(Problem(N_("This call does not accept proposals in that language.")))
    if not application.duration_months:
        summary.append(Problem(N_("Give the project's duration in months.")))
    elif application.duration_months > call.max_duration_months:
        summary.append(
            Problem(
                N_("The project lasts %(months)s months; this call allows at most %(max)s."),
                {"months": application.duration_months, "max": call.max_duration_months},
            )
        )
    return summary


def _locations_problems(application: Application, call: Call) -> list[Problem]:
    locations = []
    if not application.countries:
        locations.append(Problem(N_("Choose the country or countries where you will work.")))
    outside = [c for c in application.countries if c not in call.eligible_countries]
    if call.eligible_countries and outside:
        locations.append(
            Problem(
                N_("This call does not cover: %(countries)s."),
                {"countries": ", ".join(outside)},
            )
        )
    if not application.locations:
        locations.append(Problem(N_("Name the places (regions, towns) where you will work.")))
    return locations


def _focus_problems(application: Application, call: Call) -> list[Problem]:
    focus = []
    if not application.situations:
        focus.append(Problem(N_("Choose the situation(s) the project responds to.")))
    if not application.forms_of_exploitation:
        focus.append(Problem(N_("Choose the forms of exploitation the project addresses.")))
    if not application.assistance_types:
        focus.append(Problem(N_("Choose the types of assistance you will give.")))
    return focus


def _beneficiaries_problems(application: Application, call: Call) -> list[Problem]:
    people = []
    if not application.target_groups:
        people.append(Problem(N_("Choose the groups the project will reach.")))
    if application.planned_total <= 0:
        people.append(Problem(N_("Give the planned number of people assisted, by sex and age.")))
    return people


def _workplan_problems(application: Application, call: Call) -> list[Problem]:
    workplan = []
    if not application.activities:
        workplan.append(Problem(N_("Add at least one activity to the workplan.")))
    if application.duration_months:
        # One sentence per activity, naming it (fresh eyes: "1 activities end after..." did not
        # say which one to correct).
        for activity in application.activities:
            if activity.end_month > application.duration_months:
                workplan.append(
                    Problem(
                        N_(
                            "“%(activity)s” ends in month %(end)s, after the project's last "
                            "month (%(months)s)."
                        ),
                        {
                            "activity": activity.description,
                            "end": activity.end_month,
                            "months": application.duration_months,
                        },
                    )
                )
    return workplan


def _budget_problems(application: Application, call: Call) -> list[Problem]:
    budget = []
    if not application.budget_lines:
        budget.append(Problem(N_("Add the budget lines.")))
    elif application.requested_amount <= 0:
        budget.append(Problem(N_("The budget's total must be more than zero.")))
    if application.requested_amount > call.max_amount:
        budget.append(
            Problem(
                N_("The budget's total is above this call's maximum grant of %(max)s."),
                {"max": amount_param(call.max_amount, call.currency)},
            )
        )
    return budget


def _attachments_problems(application: Application, call: Call) -> list[Problem]:
    attachments = []
    have = application_documents_count(application)
    for kind, count in call.required_documents.items():
        if have[kind] < count:
            attachments.append(
                Problem(
                    N_("Still to attach, of this kind (%(kind)s): %(missing)s."),
                    {"missing": count - have[kind], "kind": kind},
                )
            )
    return attachments


def results_listed(application: Application) -> bool:
    """The Results section is listed when the fund requires a framework, or one was written."""
    return settings().results.framework_required or bool(framework_indicators(application))


def _results_problems(application: Application, call: Call) -> list[Problem]:
    required = settings().results.framework_required
    return [
        Problem(message, params)
        for message, params in framework_problems(application, required=required)
    ]


def _questions_problems(application: Application, call: Call) -> list[Problem]:
    return [Problem(message, params) for message, params in answer_problems(application)]


_CHECKS: dict[Section, Callable[[Application, Call], list[Problem]]] = {
    Section.SUMMARY: _summary_problems,
    Section.LOCATIONS: _locations_problems,
    Section.FOCUS: _focus_problems,
    Section.BENEFICIARIES: _beneficiaries_problems,
    Section.WORKPLAN: _workplan_problems,
    Section.BUDGET: _budget_problems,
    Section.ATTACHMENTS: _attachments_problems,
    Section.RESULTS: _results_problems,
    Section.QUESTIONS: _questions_problems,
}


def completeness_percent(checks: Sequence[SectionCheck]) -> int:
    return round(100 * sum(1 for c in checks if c.complete) / len(checks)) if checks else 0
