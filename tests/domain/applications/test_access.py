"""Who may see and change what on the NGO side: the predicates every page and service uses."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.accounts.permissions import (
    can_edit_application,
    can_invite_colleague,
    can_manage_organisation,
    can_request_information,
    can_verify_organisation,
    can_view_application,
    can_view_call,
    can_view_document,
    can_view_organisation,
)
from app.applications import services as applications
from app.applications.models import ApplicationStatus
from app.calls import services as calls
from app.platform.categories import DocumentKind
from tests.applications_support import (
    PDF,
    applicant_of,
    call_details,
    fund_manager,
    started_application,
)
from tests.factories import user_with

# Which roles, not belonging to the organisation, see an NGO's application and files.
OUTSIDERS = {
    Role.DONOR: False,
    Role.APPLICANT: False,
    Role.REVIEWER: False,  # reviewers see assigned applications only (the review area)
    Role.BOARD: False,
    Role.FUND_MANAGER: True,
    Role.FINANCE: False,
    Role.AUDITOR: True,
    Role.ADMIN: False,
}


@pytest.fixture
def application(storage):
    application = started_application()
    applications.upload_document(
        actor=applicant_of(application.organisation),
        organisation=application.organisation,
        application=application,
        kind=DocumentKind.PROPOSAL,
        filename="proposal.pdf",
        data=PDF,
        storage=storage,
    )
    applications.upload_document(
        actor=applicant_of(application.organisation),
        organisation=application.organisation,
        kind=DocumentKind.REGISTRATION_CERTIFICATE,
        filename="certificate.pdf",
        data=PDF,
        storage=storage,
    )
    return application


@pytest.mark.parametrize("role", list(OUTSIDERS), ids=lambda r: r.value)
def test_outsiders_see_an_ngos_records_only_with_oversight_roles(application, role):
    outsider = user_with(role)
    expected = OUTSIDERS[role]
    organisation = application.organisation
    documents = applications.organisation_documents(organisation) + list(application.documents)
    assert can_view_application(outsider, application) is expected
    assert can_view_organisation(outsider, organisation) is expected
    assert all(can_view_document(outsider, d) is expected for d in documents)
    assert not can_edit_application(outsider, application)
    assert not can_manage_organisation(outsider, organisation)


def test_the_organisations_staff_see_and_edit_their_own(application):
    owner = applicant_of(application.organisation)
    assert can_view_application(owner, application)
    assert can_edit_application(owner, application)
    assert can_manage_organisation(owner, application.organisation)
    assert can_invite_colleague(owner, application.organisation)
    assert all(can_view_document(owner, d) for d in application.documents)


def test_staff_of_an_organisation_lose_edit_rights_once_submitted(application):
    owner = applicant_of(application.organisation)
    for status in ApplicationStatus:
        application.status = status
        editable = status in (ApplicationStatus.DRAFT, ApplicationStatus.INFO_REQUESTED)
        assert can_edit_application(owner, application) is editable
        assert can_view_application(owner, application)


def test_a_deactivated_member_sees_nothing(application):
    owner = applicant_of(application.organisation)
    owner.is_active = False
    assert not can_view_application(owner, application)


def test_the_fund_verifies_and_asks_but_not_about_its_own_organisation(application):
    manager = fund_manager()
    assert can_verify_organisation(manager, application.organisation)
    assert can_request_information(manager, application)
    assert not can_verify_organisation(
        applicant_of(application.organisation), application.organisation
    )
    assert not can_request_information(user_with(Role.AUDITOR), application)


def test_draft_calls_are_hidden_from_the_public():
    manager = fund_manager()
    call = calls.create_call(actor=manager, details=call_details())
    assert not can_view_call(None, call)
    assert not can_view_call(user_with(Role.APPLICANT), call)
    assert can_view_call(manager, call)
    calls.publish_call(actor=manager, call=call)
    assert can_view_call(None, call)
