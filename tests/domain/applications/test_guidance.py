"""A first-time NGO's next step, from registering to its first submitted application."""

from __future__ import annotations

from app.accounts.models import Role
from app.applications import services as applications
from app.applications.models import DueDiligenceStatus
from app.applications.services.guidance import FirstStep, first_steps
from app.platform.categories import DocumentKind
from tests.applications_support import (
    PDF,
    applicant_of,
    complete,
    fund_manager,
    ngo_organisation,
    started_application,
)
from tests.factories import user_with


def _registered(status: DueDiligenceStatus = DueDiligenceStatus.REGISTERED):
    organisation = ngo_organisation(status=status, contact_email="office@example.org")
    return organisation, applicant_of(organisation)


def test_without_an_organisation_the_first_step_is_to_register():
    steps = first_steps(user_with(Role.APPLICANT))
    assert steps is not None and steps.step == FirstStep.REGISTER
    assert steps.done == ()


def test_a_registered_organisation_uploads_its_documents(storage):
    organisation, owner = _registered()
    steps = first_steps(owner)
    assert steps is not None
    assert (steps.step, steps.organisation_id, steps.rejected) == (
        FirstStep.DOCUMENTS,
        organisation.id,
        False,
    )
    assert steps.done == (FirstStep.REGISTER,)


def test_while_the_fund_verifies_the_step_is_verification(storage):
    organisation, owner = _registered()
    for kind in (DocumentKind.REGISTRATION_CERTIFICATE, DocumentKind.AUDITED_FINANCIAL_STATEMENTS):
        applications.upload_document(
            actor=owner,
            organisation=organisation,
            kind=kind,
            filename="x.pdf",
            data=PDF,
            storage=storage,
        )
    applications.submit_for_verification(actor=owner, organisation=organisation)
    steps = first_steps(owner)
    assert steps is not None and steps.step == FirstStep.VERIFICATION
    applications.reject_organisation(
        actor=fund_manager(), organisation=organisation, reason="The certificate is unreadable."
    )
    steps = first_steps(owner)
    assert steps is not None and (steps.step, steps.rejected) == (FirstStep.DOCUMENTS, True)


def test_a_verified_organisation_applies_then_submits(storage):
    organisation, owner = _registered(DueDiligenceStatus.VERIFIED)
    steps = first_steps(owner)
    assert steps is not None and steps.step == FirstStep.APPLY
    application = started_application(organisation=organisation)
    steps = first_steps(owner)
    assert steps is not None
    assert (steps.step, steps.application_id) == (FirstStep.SUBMIT, application.id)
    complete(application, owner, storage)
    applications.submit_application(actor=owner, application=application)
    assert first_steps(owner) is None


def test_staff_and_donors_get_no_first_steps():
    assert first_steps(fund_manager()) is None
    assert first_steps(user_with(Role.DONOR)) is None
