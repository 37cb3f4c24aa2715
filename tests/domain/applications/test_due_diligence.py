"""Organisation due diligence: registration, documents, verification by the fund, risk rating,
possible duplicates, and owners adding colleagues."""

from __future__ import annotations

from datetime import date

import pytest

from app.accounts.models import MembershipRole, Role
from app.applications import services as applications
from app.applications.models import DueDiligenceStatus, RiskRating
from app.applications.services import DueDiligenceDetails
from app.platform.categories import DocumentKind
from app.platform.errors import (
    InvalidTransition,
    PermissionDenied,
    SegregationOfDuties,
    ValidationFailed,
)
from tests.applications_support import PDF, fund_manager, ngo_organisation
from tests.factories import MembershipFactory, user_with
from tests.web.auth.helpers import audit_actions


def full_details(**overrides) -> DueDiligenceDetails:
    values = {
        "name": "Safe Haven",
        "country": "ng",
        "contact_email": "Office@SafeHaven.example",
        "legal_name": "Safe Haven Initiative",
        "countries_of_operation": ["NG", "gh"],
        "registration_number": "CAC/IT 84512",
        "registration_date": date(2015, 3, 1),
        "assistance_since_year": 2016,
        "un_partner_portal_id": "CNI1234",
        "survivor_led": True,
        "psea_policy": False,
        "bank_account_holder": "Safe Haven Initiative",
    }
    values.update(overrides)
    return DueDiligenceDetails(**values)


def registered(storage, *, documents: bool = True):
    owner = user_with(Role.APPLICANT)
    profile = applications.register_organisation(actor=owner, details=full_details())
    if documents:
        for kind in (
            DocumentKind.REGISTRATION_CERTIFICATE,
            DocumentKind.AUDITED_FINANCIAL_STATEMENTS,
        ):
            applications.upload_document(
                actor=owner,
                organisation=profile.organisation,
                kind=kind,
                filename=f"{kind}.pdf",
                data=PDF,
                storage=storage,
            )
    return owner, profile


def test_registering_makes_the_applicant_owner_of_a_new_file(storage):
    owner, profile = registered(storage, documents=False)
    organisation = profile.organisation
    assert profile.status == DueDiligenceStatus.REGISTERED
    assert organisation.country == "NG"
    assert organisation.contact_email == "office@safehaven.example"
    assert profile.countries_of_operation == ["NG", "GH"]
    assert [(m.user_id, m.role) for m in organisation.memberships] == [
        (owner.id, MembershipRole.OWNER)
    ]
    assert "organisation.registered" in audit_actions(subject_id=organisation.id)


def test_donors_cannot_register_an_ngo():
    with pytest.raises(PermissionDenied):
        applications.register_organisation(actor=user_with(Role.DONOR), details=full_details())


def test_the_file_goes_to_the_fund_only_when_complete(storage):
    owner, profile = registered(storage, documents=False)
    problems = [p.message for p in applications.due_diligence_problems(profile)]
    assert problems == ["Upload the document: %(kind)s.", "Upload the document: %(kind)s."]
    with pytest.raises(ValidationFailed, match="Upload the document"):
        applications.submit_for_verification(actor=owner, organisation=profile.organisation)
    for kind in (DocumentKind.REGISTRATION_CERTIFICATE, DocumentKind.AUDITED_FINANCIAL_STATEMENTS):
        applications.upload_document(
            actor=owner,
            organisation=profile.organisation,
            kind=kind,
            filename="x.pdf",
            data=PDF,
            storage=storage,
        )
    applications.submit_for_verification(actor=owner, organisation=profile.organisation)
    assert profile.status == DueDiligenceStatus.DOCUMENTS_SUBMITTED


def test_a_psea_policy_must_be_uploaded_by_those_who_say_they_have_one(storage):
    owner, profile = registered(storage)
    applications.update_due_diligence(
        actor=owner, organisation=profile.organisation, details=full_details(psea_policy=True)
    )
    assert [p.params for p in applications.due_diligence_problems(profile)] == [
        {"kind": "psea_policy"}
    ]


def test_the_fund_verifies_with_a_risk_rating(storage):
    owner, profile = registered(storage)
    applications.submit_for_verification(actor=owner, organisation=profile.organisation)
    manager = fund_manager()
    applications.verify_organisation(
        actor=manager, organisation=profile.organisation, risk_rating=RiskRating.MEDIUM
    )
    assert profile.status == DueDiligenceStatus.VERIFIED
    assert profile.risk_rating == RiskRating.MEDIUM
    assert profile.decided_by_id == manager.id
    assert "organisation_due_diligence.verified" in audit_actions(
        subject_id=profile.organisation_id
    )


def test_an_applicant_cannot_verify_their_own_organisation(storage):
    owner, profile = registered(storage)
    applications.submit_for_verification(actor=owner, organisation=profile.organisation)
    with pytest.raises(PermissionDenied):
        applications.verify_organisation(
            actor=owner, organisation=profile.organisation, risk_rating=RiskRating.LOW
        )


def test_a_fund_manager_who_belongs_to_the_organisation_cannot_verify_it(storage):
    owner, profile = registered(storage)
    applications.submit_for_verification(actor=owner, organisation=profile.organisation)
    manager = fund_manager()
    MembershipFactory(organisation=profile.organisation, user=manager, role=MembershipRole.MEMBER)
    with pytest.raises(SegregationOfDuties):
        applications.verify_organisation(
            actor=manager, organisation=profile.organisation, risk_rating=RiskRating.LOW
        )


def test_a_rejection_needs_a_reason_and_the_ngo_may_send_again(storage):
    owner, profile = registered(storage)
    applications.submit_for_verification(actor=owner, organisation=profile.organisation)
    manager = fund_manager()
    with pytest.raises(ValidationFailed, match="Say why"):
        applications.reject_organisation(
            actor=manager, organisation=profile.organisation, reason="  "
        )
    applications.reject_organisation(
        actor=manager, organisation=profile.organisation, reason="The certificate has expired."
    )
    assert profile.status == DueDiligenceStatus.REJECTED
    assert profile.rejection_reason == "The certificate has expired."
    applications.submit_for_verification(actor=owner, organisation=profile.organisation)
    assert profile.status == DueDiligenceStatus.DOCUMENTS_SUBMITTED
    assert profile.rejection_reason is None


def test_the_file_cannot_change_while_the_fund_checks_it(storage):
    owner, profile = registered(storage)
    applications.submit_for_verification(actor=owner, organisation=profile.organisation)
    with pytest.raises(InvalidTransition):
        applications.update_due_diligence(
            actor=owner, organisation=profile.organisation, details=full_details()
        )


def test_changing_the_bank_account_holder_of_a_verified_file_needs_a_new_check():
    organisation = ngo_organisation()
    owner = organisation.memberships[0].user
    profile = applications.profile_of(organisation)
    applications.update_due_diligence(
        actor=owner,
        organisation=organisation,
        details=full_details(
            legal_name="Safe Haven", registration_number="RC-1", bank_account_holder="A. Person"
        ),
    )
    assert profile.status == DueDiligenceStatus.DOCUMENTS_SUBMITTED
    assert "organisation_due_diligence.documents_submitted" in audit_actions(
        subject_id=organisation.id
    )


def test_harmless_changes_keep_the_verification():
    organisation = ngo_organisation(
        name="Safe Haven",
        registration_number="CAC/IT 84512",
        bank_account_holder="Safe Haven Initiative",
        country="NG",
    )
    owner = organisation.memberships[0].user
    profile = applications.profile_of(organisation)
    profile.legal_name = "Safe Haven Initiative"
    applications.update_due_diligence(
        actor=owner,
        organisation=organisation,
        details=full_details(un_partner_portal_id="CNI999", countries_of_operation=["NG"]),
    )
    assert profile.status == DueDiligenceStatus.VERIFIED


def test_possible_duplicates_are_found_by_number_account_holder_and_email():
    first = ngo_organisation(
        name="Hope",
        registration_number="RC-00 123",
        bank_account_holder="J. Doe",
        contact_email="a@x.org",
    )
    same_number = ngo_organisation(name="Hope II", registration_number="rc00123")
    same_holder = ngo_organisation(
        name="Dawn", bank_account_holder="  j doe ", registration_number="Z1"
    )
    same_email = ngo_organisation(name="Sun", registration_number="Z2", contact_email="A@X.org")
    unrelated = ngo_organisation(name="Moon", registration_number="Z3")
    matches = {m.organisation.name: m.reasons for m in applications.possible_duplicates(first)}
    assert matches == {
        "Hope II": ("registration_number",),
        "Dawn": ("bank_account_holder",),
        "Sun": ("contact_email",),
    }
    flagged = applications.flagged_organisation_ids()
    assert {first.id, same_number.id, same_holder.id, same_email.id} <= flagged
    assert unrelated.id not in flagged


def test_an_owner_adds_a_new_colleague_who_gets_an_applicant_account():
    organisation = ngo_organisation()
    owner = organisation.memberships[0].user
    user, created = applications.invite_colleague(
        actor=owner, organisation=organisation, email="Amina@Example.org", full_name="Amina"
    )
    assert created and user.email == "amina@example.org"
    assert user.password_hash is None
    assert user.roles == {Role.APPLICANT}
    assert organisation.id in {m.organisation_id for m in user.memberships}


def test_a_donor_added_as_colleague_also_becomes_an_applicant():
    organisation = ngo_organisation()
    donor = user_with(Role.DONOR)
    user, created = applications.invite_colleague(
        actor=organisation.memberships[0].user,
        organisation=organisation,
        email=donor.email,
        full_name="",
    )
    assert not created and user.roles == {Role.DONOR, Role.APPLICANT}


def test_only_owners_add_colleagues_and_never_the_funds_staff():
    organisation = ngo_organisation()
    colleague = user_with(Role.APPLICANT)
    MembershipFactory(organisation=organisation, user=colleague, role=MembershipRole.MEMBER)
    with pytest.raises(PermissionDenied, match="Only an owner"):
        applications.invite_colleague(
            actor=colleague, organisation=organisation, email="x@example.org", full_name="X"
        )
    with pytest.raises(PermissionDenied, match="works for the fund"):
        applications.invite_colleague(
            actor=organisation.memberships[0].user,
            organisation=organisation,
            email=fund_manager().email,
            full_name="",
        )
