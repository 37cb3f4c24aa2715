"""Applications: sections and completeness, caps, the programme support cost, the deadline,
submission, edit conflicts, the information-request round trip, and withdrawal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.accounts.models import MembershipRole, Role
from app.applications import services as applications
from app.applications.models import (
    Application,
    ApplicationStatus,
    BudgetCategory,
    DueDiligenceStatus,
)
from app.applications.services import (
    BudgetData,
    BudgetLineData,
    EditConflict,
    LocationsData,
    Section,
    SummaryData,
)
from app.applications.workflow import APPLICATION_WORKFLOW
from app.calls import services as calls
from app.platform.categories import DocumentKind
from app.platform.errors import (
    InvalidTransition,
    PermissionDenied,
    SegregationOfDuties,
    ValidationFailed,
)
from app.platform.extensions import db
from tests.applications_support import (
    PDF,
    applicant_of,
    complete,
    fund_manager,
    ngo_organisation,
    open_call,
    started_application,
)
from tests.factories import MembershipFactory, user_with
from tests.settings_support import change_settings
from tests.web.auth.helpers import audit_actions


def problems_of(application: Application, section: Section) -> list[str]:
    check = next(c for c in applications.completeness(application) if c.section == section)
    return [p.message % p.params if p.params else p.message for p in check.problems]


def submitted(storage, **kwargs) -> Application:
    application = started_application(**kwargs)
    complete(application, applicant_of(application.organisation), storage)
    applications.submit_application(
        actor=applicant_of(application.organisation), application=application
    )
    return application


# --- starting and completing -------------------------------------------------------------


def test_an_organisation_member_starts_a_draft_for_an_open_call():
    application = started_application()
    assert application.status == ApplicationStatus.DRAFT
    assert application.currency == "USD"
    assert application.version_id == 1
    assert "application.started" in audit_actions(subject_id=application.id)


def test_nobody_applies_for_an_organisation_they_do_not_belong_to():
    organisation = ngo_organisation()
    with pytest.raises(PermissionDenied):
        applications.start_application(
            actor=user_with(Role.APPLICANT), call=open_call(), organisation=organisation
        )


def test_a_draft_call_takes_no_application():
    manager = fund_manager()
    from tests.applications_support import call_details

    draft = calls.create_call(actor=manager, details=call_details())
    organisation = ngo_organisation()
    with pytest.raises(ValidationFailed, match="not open"):
        applications.start_application(
            actor=applicant_of(organisation), call=draft, organisation=organisation
        )


def test_a_new_draft_lists_what_each_section_needs(storage):
    application = started_application()
    checks = applications.completeness(application)
    # The call's own questions are a section only when the call has some (app/questions).
    # The Results section is listed when the fund requires a framework (app/results; not in
    # the tests' settings) or one was written.
    assert [c.section for c in checks] == [
        s for s in Section if s not in (Section.QUESTIONS, Section.RESULTS)
    ]
    assert not any(c.complete for c in checks)
    assert applications.completeness_percent(checks) == 0
    complete(application, applicant_of(application.organisation), storage)
    checks = applications.completeness(application)
    assert all(c.complete for c in checks), [c.problems for c in checks]
    assert applications.completeness_percent(checks) == 100


def test_organisation_documents_count_towards_the_calls_list(storage):
    application = started_application()
    complete(application, applicant_of(application.organisation), storage)
    # complete() put the registration certificate in the organisation's file, not the application.
    assert not [d for d in application.documents if d.kind == "registration_certificate"]
    assert problems_of(application, Section.ATTACHMENTS) == []


def test_an_activity_running_past_the_project_is_named(storage):
    from app.applications.services import ActivityData, WorkplanData

    application = started_application()
    save = lambda data: applications.save_section(  # noqa: E731
        actor=applicant_of(application.organisation),
        application=application,
        data=data,
        expected_version=None,
    )
    save(SummaryData("Shelter", "We run a shelter.", "fr", 8))
    save(
        WorkplanData(
            [
                ActivityData("Formation des travailleurs sociaux", 2, 9),
                ActivityData("Accueil", 1, 8),
            ]
        )
    )
    assert problems_of(application, Section.WORKPLAN) == [
        "“Formation des travailleurs sociaux” ends in month 9, after the project's last month (8)."
    ]


def test_missing_attachments_are_counted(storage):
    call = open_call(required_documents={"reference_letter": 2})
    application = started_application(call=call)
    assert problems_of(application, Section.ATTACHMENTS) == [
        "Still to attach, of this kind (reference_letter): 2."
    ]


# --- caps and money ----------------------------------------------------------------------


def test_the_budget_total_is_checked_against_the_calls_maximum(storage):
    application = started_application()
    applicant = applicant_of(application.organisation)
    complete(application, applicant, storage, amount=20_000_01)
    assert problems_of(application, Section.BUDGET) == [
        "The budget's total is above this call's maximum grant of USD 20,000.00."
    ]
    with pytest.raises(ValidationFailed, match="above this call's maximum"):
        applications.submit_application(actor=applicant, application=application)
    applications.save_section(
        actor=applicant,
        application=application,
        data=BudgetData([BudgetLineData(BudgetCategory.PERSONNEL, "Staff", 2, 10_000_00)]),
        expected_version=None,
    )
    assert problems_of(application, Section.BUDGET) == []  # exactly the cap is allowed


def test_the_duration_is_checked_against_the_calls_maximum():
    application = started_application()
    applications.save_section(
        actor=applicant_of(application.organisation),
        application=application,
        data=SummaryData("Shelter", "A shelter.", "en", 10),
        expected_version=None,
    )
    assert problems_of(application, Section.SUMMARY) == [
        "The project lasts 10 months; this call allows at most 9."
    ]


def test_countries_outside_the_call_are_flagged():
    application = started_application(call=open_call(eligible_countries=["NG", "GH"]))
    applications.save_section(
        actor=applicant_of(application.organisation),
        application=application,
        data=LocationsData(["NG", "ke"], "Lagos, Nairobi"),
        expected_version=None,
    )
    assert problems_of(application, Section.LOCATIONS) == ["This call does not cover: KE."]


@pytest.mark.parametrize(
    ("lines", "requested", "psc"),
    [
        ([(1, 10_000_00)], 10_000_00, 1_300_00),
        ([(3, 333_33), (1, 1)], 1_000_00, 130_00),
        ([(1, 50)], 50, 7),  # 6.5 cents rounds half up
        ([(1, 49)], 49, 6),  # 6.37 cents rounds down
    ],
)
def test_the_programme_support_cost_is_13_percent_rounded_half_up(lines, requested, psc):
    application = started_application()
    applications.save_section(
        actor=applicant_of(application.organisation),
        application=application,
        data=BudgetData(
            [
                BudgetLineData(BudgetCategory.OTHER, f"line {n}", q, c)
                for n, (q, c) in enumerate(lines)
            ]
        ),
        expected_version=None,
    )
    assert (application.requested_amount, application.psc_amount) == (requested, psc)
    assert application.psc_rate == Decimal("0.13")
    assert application.total_with_psc == requested + psc


def test_the_support_cost_rate_is_a_setting(app, monkeypatch):
    change_settings(monkeypatch, app, "fund", psc_rate=Decimal("0.07"))
    application = started_application()
    applications.save_section(
        actor=applicant_of(application.organisation),
        application=application,
        data=BudgetData([BudgetLineData(BudgetCategory.OTHER, "x", 1, 1_000_00)]),
        expected_version=None,
    )
    assert application.psc_amount == 70_00


def test_negative_or_empty_budget_lines_are_refused():
    application = started_application()
    with pytest.raises(ValidationFailed, match="quantity must be at least 1"):
        applications.save_section(
            actor=applicant_of(application.organisation),
            application=application,
            data=BudgetData([BudgetLineData(BudgetCategory.OTHER, "x", 1, -5)]),
            expected_version=None,
        )


# --- the deadline and submission --------------------------------------------------------


def test_submitting_one_second_before_the_deadline_is_accepted(storage):
    application = started_application()
    complete(application, applicant_of(application.organisation), storage)
    applications.submit_application(
        actor=applicant_of(application.organisation),
        application=application,
        now=application.call.closes_at - timedelta(seconds=1),
    )
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submitted_at == application.call.closes_at - timedelta(seconds=1)
    assert "application.submitted" in audit_actions(subject_id=application.id)


@pytest.mark.parametrize("late_by", [timedelta(0), timedelta(seconds=1)], ids=["at", "after"])
def test_submitting_at_or_after_the_deadline_is_refused(storage, late_by):
    application = started_application()
    complete(application, applicant_of(application.organisation), storage)
    deadline = application.call.closes_at
    with pytest.raises(ValidationFailed) as refused:
        applications.submit_application(
            actor=applicant_of(application.organisation),
            application=application,
            now=deadline + late_by,
        )
    assert refused.value.message == (
        f"The deadline for this call was {deadline:%Y-%m-%d %H:%M:%S} UTC. Applications cannot "
        "be submitted after the deadline."
    )
    assert application.status == ApplicationStatus.DRAFT


def test_an_incomplete_application_cannot_be_submitted():
    application = started_application()
    with pytest.raises(ValidationFailed, match="Give the project a title"):
        applications.submit_application(
            actor=applicant_of(application.organisation), application=application
        )


@pytest.mark.parametrize(
    "status",
    [
        DueDiligenceStatus.REGISTERED,
        DueDiligenceStatus.DOCUMENTS_SUBMITTED,
        DueDiligenceStatus.REJECTED,
    ],
)
def test_only_verified_organisations_submit(storage, status):
    application = started_application(organisation=ngo_organisation(status=status))
    complete(application, applicant_of(application.organisation), storage)
    with pytest.raises(ValidationFailed, match="Only verified organisations"):
        applications.submit_application(
            actor=applicant_of(application.organisation), application=application
        )


def test_a_submitted_application_is_read_only(storage):
    application = submitted(storage)
    with pytest.raises(PermissionDenied, match="can no longer be changed"):
        applications.save_section(
            actor=applicant_of(application.organisation),
            application=application,
            data=SummaryData("New title", "x", "en", 3),
            expected_version=None,
        )
    with pytest.raises(InvalidTransition):
        applications.submit_application(
            actor=applicant_of(application.organisation), application=application
        )


# --- two colleagues editing the same draft ------------------------------------------------


def test_a_save_based_on_an_older_version_is_refused_and_names_who_saved():
    application = started_application()
    owner = applicant_of(application.organisation)
    colleague = user_with(Role.APPLICANT, full_name="Bola Colleague")
    MembershipFactory(
        organisation=application.organisation, user=colleague, role=MembershipRole.MEMBER
    )
    opened_at = application.version_id  # both open the form at this version
    applications.save_section(
        actor=colleague,
        application=application,
        data=SummaryData("Colleague's title", "theirs", "en", 6),
        expected_version=opened_at,
    )
    with pytest.raises(EditConflict) as refused:
        applications.save_section(
            actor=owner,
            application=application,
            data=SummaryData("Owner's title", "mine", "en", 6),
            expected_version=opened_at,
        )
    assert "Bola Colleague saved this application after you opened it" in refused.value.message
    assert application.title == "Colleague's title"


def test_a_save_racing_another_transaction_is_refused_by_the_version_column():
    application = started_application()
    db.session.flush()
    # Another request saved in between: the row's version moved on under our feet.
    db.session.execute(
        sa.update(Application.__table__)
        .where(Application.__table__.c.id == application.id)
        .values(version_id=Application.__table__.c.version_id + 1)
    )
    with pytest.raises(EditConflict, match="at the same moment"):
        applications.save_section(
            actor=applicant_of(application.organisation),
            application=application,
            data=SummaryData("Mine", "mine", "en", 6),
            expected_version=application.version_id,
        )


def test_every_save_moves_the_version_on_even_for_child_rows_only():
    application = started_application()
    before = application.version_id
    applications.save_section(
        actor=applicant_of(application.organisation),
        application=application,
        data=BudgetData([BudgetLineData(BudgetCategory.OTHER, "x", 1, 100)]),
        expected_version=before,
    )
    assert application.version_id == before + 1


# --- information requests and withdrawal --------------------------------------------------


def test_the_information_request_round_trip(storage):
    application = submitted(storage)
    applicant = applicant_of(application.organisation)
    manager = fund_manager()
    applications.request_information(
        actor=manager, application=application, question="Is the shelter licensed?"
    )
    assert application.status == ApplicationStatus.INFO_REQUESTED
    assert application.is_editable
    with pytest.raises(ValidationFailed, match="Answer the fund's request"):
        applications.submit_application(actor=applicant, application=application)
    applications.reply_to_information_request(
        actor=applicant, application=application, body="Yes, licence 42 attached."
    )
    applications.save_section(
        actor=applicant,
        application=application,
        data=SummaryData("Shelter for survivors", "Licensed shelter.", "en", 6),
        expected_version=None,
    )
    # The deadline has passed by now: a resubmission the fund asked for is still accepted.
    applications.submit_application(
        actor=applicant,
        application=application,
        now=application.call.closes_at + timedelta(days=3),
    )
    assert application.status == ApplicationStatus.SUBMITTED
    assert [m.kind.value for m in application.messages] == ["information_request", "reply"]
    assert audit_actions(subject_id=application.id)[-4:] == [
        "application.info_requested",
        "application.information_provided",
        "application.section_saved",
        "application.submitted",
    ]


def test_only_the_funds_staff_ask_and_only_the_organisation_answers(storage):
    application = submitted(storage)
    applicant = applicant_of(application.organisation)
    with pytest.raises(PermissionDenied):
        applications.request_information(actor=applicant, application=application, question="?")
    with pytest.raises(InvalidTransition, match="has not asked"):
        applications.reply_to_information_request(
            actor=applicant, application=application, body="hi"
        )
    applications.request_information(actor=fund_manager(), application=application, question="Why?")
    with pytest.raises(PermissionDenied):
        applications.reply_to_information_request(
            actor=user_with(Role.APPLICANT), application=application, body="Not mine"
        )


def test_a_fund_manager_of_the_applicant_cannot_screen_it(storage):
    application = submitted(storage)
    manager = fund_manager()
    MembershipFactory(
        organisation=application.organisation, user=manager, role=MembershipRole.MEMBER
    )
    with pytest.raises(SegregationOfDuties):
        applications.request_information(actor=manager, application=application, question="?")


@pytest.mark.parametrize(
    "status",
    [
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.RECOMMENDED,
    ],
)
def test_an_application_can_be_withdrawn_before_a_decision(status):
    application = started_application()
    application.status = status
    applications.withdraw_application(
        actor=applicant_of(application.organisation),
        application=application,
        reason="Funded elsewhere",
    )
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.withdrawn_at is not None


@pytest.mark.parametrize(
    "status",
    [
        ApplicationStatus.APPROVED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.RESERVE,
        ApplicationStatus.INELIGIBLE,
        ApplicationStatus.WITHDRAWN,
    ],
)
def test_a_decided_application_cannot_be_withdrawn(status):
    application = started_application()
    application.status = status
    with pytest.raises(InvalidTransition):
        applications.withdraw_application(
            actor=applicant_of(application.organisation), application=application
        )


def test_only_the_organisation_withdraws_its_application():
    application = started_application()
    with pytest.raises(PermissionDenied):
        applications.withdraw_application(actor=user_with(Role.APPLICANT), application=application)
    with pytest.raises(PermissionDenied):
        applications.withdraw_application(actor=fund_manager(), application=application)


def test_the_workflow_declares_every_state_of_the_design():
    assert {s.value for s in ApplicationStatus} == {
        "draft",
        "submitted",
        "screening",
        "ineligible",
        "in_review",
        "info_requested",
        "recommended",
        "not_recommended",
        "approved",
        "reserve",
        "rejected",
        "withdrawn",
    }
    assert APPLICATION_WORKFLOW.name == "application"


def test_documents_go_where_they_belong(storage):
    application = started_application()
    applicant = applicant_of(application.organisation)
    with pytest.raises(ValidationFailed, match="belongs to the organisation's file"):
        applications.upload_document(
            actor=applicant,
            organisation=application.organisation,
            application=application,
            kind=DocumentKind.REGISTRATION_CERTIFICATE,
            filename="certificate.pdf",
            data=PDF,
            storage=storage,
        )
    with pytest.raises(ValidationFailed, match="belongs to an application"):
        applications.upload_document(
            actor=applicant,
            organisation=application.organisation,
            kind=DocumentKind.PROPOSAL,
            filename="proposal.pdf",
            data=PDF,
            storage=storage,
        )


def test_attachments_of_a_submitted_application_are_frozen(storage):
    application = submitted(storage)
    applicant = applicant_of(application.organisation)
    with pytest.raises(PermissionDenied, match="can no longer be changed"):
        applications.upload_document(
            actor=applicant,
            organisation=application.organisation,
            application=application,
            kind=DocumentKind.PROPOSAL,
            filename="late.pdf",
            data=PDF,
            storage=storage,
        )
    with pytest.raises(PermissionDenied, match="can no longer be removed"):
        applications.remove_document(actor=applicant, document=application.documents[0])
