"""Two-stage calls (decision 0115): the concept deadline is validated; a concept note is sent by
its deadline; only the fund manager invites or declines (audited, the organisation told); and a
full proposal cannot be submitted at stage two without the fund's invitation, nor after the
full-proposal deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Membership, MembershipRole, Role
from app.applications import services as applications
from app.applications.models import ApplicationStatus, ConceptStatus
from app.applications.services.concepts import (
    CONCEPT_WORD_LIMIT,
    decline_concept_note,
    invite_full_proposal,
    save_concept_note,
    submit_concept_note,
)
from app.applications.services.sections import SummaryData
from app.calls import services as calls
from app.notifications.models import Notification, NotificationKind
from app.platform.db import utcnow
from app.platform.errors import (
    InvalidTransition,
    PermissionDenied,
    SegregationOfDuties,
    ValidationFailed,
)
from app.platform.extensions import db
from tests.applications_support import (
    applicant_of,
    call_details,
    complete,
    fund_manager,
    ngo_organisation,
    open_call,
    started_application,
)
from tests.factories import user_with
from tests.two_stage_support import (
    a_note,
    complete_anyway,
    sent_concept,
    started,
    two_stage_call,
)
from tests.web.auth.helpers import audit_actions

NOT_INVITED = "a full proposal can be submitted only when the fund has invited it"


# --- the call --------------------------------------------------------------------------------


def test_a_two_stage_call_keeps_its_concept_deadline_before_the_full_one():
    call = two_stage_call()
    assert call.is_two_stage
    assert call.opens_at < call.concept_closes_at < call.closes_at
    assert not open_call(reference="ONE-STAGE").is_two_stage


@pytest.mark.parametrize("days", [-20, 25, 20])
def test_the_concept_deadline_must_fall_between_opening_and_the_full_deadline(days):
    now = utcnow()
    details = call_details(
        concept_closes_at=now + timedelta(days=days), closes_at=now + timedelta(days=20)
    )
    with pytest.raises(ValidationFailed, match="concept-note deadline must fall"):
        calls.create_call(actor=fund_manager(), details=details)


def test_a_published_call_cannot_change_between_one_and_two_stages():
    manager = fund_manager()
    call = two_stage_call(manager)
    with pytest.raises(ValidationFailed, match="between one and two stages"):
        calls.update_call(actor=manager, call=call, details=call_details(reference=call.reference))
    # Its concept deadline may move, the stages stay.
    later = call.concept_closes_at + timedelta(days=1)
    calls.update_call(
        actor=manager,
        call=call,
        details=call_details(
            reference=call.reference, concept_closes_at=later, closes_at=call.closes_at
        ),
    )
    assert call.concept_closes_at == later
    assert "call.updated" in audit_actions(subject_id=call.id)


# --- stage two without an invitation ---------------------------------------------------------


def test_a_full_proposal_is_refused_without_an_invitation(storage):
    """The issue's rule: at every point before the fund's invitation, submission is refused."""
    call = two_stage_call()
    application = started(call)
    applicant = applicant_of(application.organisation)
    complete_anyway(application, storage)
    assert applications.completeness_percent(applications.completeness(application)) == 100

    for stage in ("no concept note", "concept note drafted", "concept note sent"):
        if stage == "concept note drafted":
            save_concept_note(actor=applicant, application=application, data=a_note())
        if stage == "concept note sent":
            submit_concept_note(actor=applicant, application=application)
        with pytest.raises(ValidationFailed, match=NOT_INVITED):
            applications.submit_application(actor=applicant, application=application)
        assert application.status == ApplicationStatus.DRAFT, stage

    decline_concept_note(actor=fund_manager(), application=application, reason="Out of scope.")
    with pytest.raises(ValidationFailed, match=NOT_INVITED):
        applications.submit_application(actor=applicant, application=application)
    assert application.status == ApplicationStatus.DRAFT
    assert "application.submitted" not in audit_actions(subject_id=application.id)


def test_before_the_invitation_the_sections_are_closed_to_the_organisation():
    application = started(two_stage_call())
    applicant = applicant_of(application.organisation)
    with pytest.raises(PermissionDenied):
        applications.save_section(
            actor=applicant,
            application=application,
            data=SummaryData("Title", "Summary", "en", 6),
            expected_version=None,
        )
    assert not application.is_editable and application.awaits_invitation


def test_once_invited_the_full_proposal_is_completed_and_submitted(storage):
    application = sent_concept(two_stage_call())
    invite_full_proposal(actor=fund_manager(), application=application)
    # The full proposal starts from the concept note.
    assert application.title == "Safe shelter in Lagos"
    assert application.countries == ["NG"]
    applicant = applicant_of(application.organisation)
    complete(application, applicant, storage)
    applications.submit_application(actor=applicant, application=application)
    assert application.status == ApplicationStatus.SUBMITTED


def test_after_the_full_deadline_an_invited_proposal_is_refused(storage):
    application = sent_concept(two_stage_call())
    invite_full_proposal(actor=fund_manager(), application=application)
    applicant = applicant_of(application.organisation)
    complete(application, applicant, storage)
    late = application.call.closes_at + timedelta(seconds=1)
    with pytest.raises(ValidationFailed, match="Applications cannot be submitted after"):
        applications.submit_application(actor=applicant, application=application, now=late)
    assert application.status == ApplicationStatus.DRAFT


def test_a_single_stage_call_behaves_as_before(storage):
    application = started_application()
    assert not application.awaits_invitation and application.is_editable
    applicant = applicant_of(application.organisation)
    complete(application, applicant, storage)
    applications.submit_application(actor=applicant, application=application)
    assert application.status == ApplicationStatus.SUBMITTED
    with pytest.raises(InvalidTransition, match="one stage"):
        save_concept_note(actor=applicant, application=application, data=a_note())


# --- stage one -------------------------------------------------------------------------------


def test_a_concept_note_is_sent_complete_within_its_word_limit():
    application = started(two_stage_call())
    applicant = applicant_of(application.organisation)
    with pytest.raises(ValidationFailed, match="Write the concept note first"):
        submit_concept_note(actor=applicant, application=application)
    save_concept_note(actor=applicant, application=application, data=a_note(countries=[]))
    with pytest.raises(ValidationFailed, match="at least one country"):
        submit_concept_note(actor=applicant, application=application)
    too_long = " ".join(["word"] * (CONCEPT_WORD_LIMIT + 1))
    with pytest.raises(ValidationFailed, match="at most 500"):
        save_concept_note(actor=applicant, application=application, data=a_note(summary=too_long))
    with pytest.raises(ValidationFailed, match="largest grant"):
        save_concept_note(
            actor=applicant, application=application, data=a_note(indicative_amount=10**12)
        )
    save_concept_note(actor=applicant, application=application, data=a_note())
    note = submit_concept_note(actor=applicant, application=application)
    assert note.status == ConceptStatus.SUBMITTED and note.submitted_at is not None
    assert {"application.concept_note_saved", "concept_note.submitted"} <= set(
        audit_actions(subject_id=application.id)
    )
    # Sent: it cannot change any more, nor be sent twice.
    with pytest.raises(InvalidTransition):
        save_concept_note(actor=applicant, application=application, data=a_note(title="New"))
    with pytest.raises(InvalidTransition):
        submit_concept_note(actor=applicant, application=application)


def test_a_concept_note_after_its_deadline_is_refused_with_the_deadline_named():
    call = two_stage_call()
    application = started(call)
    applicant = applicant_of(application.organisation)
    save_concept_note(actor=applicant, application=application, data=a_note())
    late = call.concept_closes_at + timedelta(seconds=1)
    with pytest.raises(ValidationFailed) as refused:
        submit_concept_note(actor=applicant, application=application, now=late)
    assert refused.value.params["deadline"] == f"{call.concept_closes_at:%Y-%m-%d %H:%M:%S}"
    assert "cannot be sent after that deadline" in refused.value.message
    assert application.concept_note.status == ConceptStatus.DRAFT


def test_no_new_application_after_the_concept_deadline():
    call = two_stage_call()
    organisation = ngo_organisation()
    with pytest.raises(ValidationFailed, match="too late to apply"):
        applications.start_application(
            actor=applicant_of(organisation),
            call=call,
            organisation=organisation,
            now=call.concept_closes_at + timedelta(minutes=1),
        )
    assert not call.accepts_new_applications_at(call.concept_closes_at)
    assert call.accepts_new_applications_at(utcnow())


def test_another_organisation_cannot_write_or_send_the_concept_note():
    application = started(two_stage_call())
    stranger = applicant_of(ngo_organisation(name="Other NGO", registration_number="RC-9"))
    with pytest.raises(PermissionDenied):
        save_concept_note(actor=stranger, application=application, data=a_note())
    with pytest.raises(PermissionDenied):
        submit_concept_note(actor=stranger, application=application)


# --- the fund's answer -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.APPLICANT, Role.REVIEWER, Role.BOARD, Role.FINANCE, Role.AUDITOR, Role.ADMIN]
)
def test_only_the_fund_manager_invites_or_declines(role):
    application = sent_concept(two_stage_call())
    someone = user_with(role)
    with pytest.raises(PermissionDenied):
        invite_full_proposal(actor=someone, application=application)
    with pytest.raises(PermissionDenied):
        decline_concept_note(actor=someone, application=application, reason="No.")
    assert application.concept_note.status == ConceptStatus.SUBMITTED


def test_the_applicants_own_people_cannot_invite_it_even_as_fund_manager():
    application = sent_concept(two_stage_call())
    insider = fund_manager()
    db.session.add(
        Membership(
            user=insider,
            organisation_id=application.organisation_id,
            role=MembershipRole.MEMBER,
        )
    )
    db.session.flush()
    db.session.refresh(insider)
    with pytest.raises(SegregationOfDuties):
        invite_full_proposal(actor=insider, application=application)


def test_an_invitation_is_audited_and_the_organisation_told():
    application = sent_concept(two_stage_call())
    manager = fund_manager()
    note = invite_full_proposal(actor=manager, application=application)
    assert note.status == ConceptStatus.INVITED and note.decided_by_id == manager.id
    assert "concept_note.invited" in audit_actions(subject_id=application.id)
    told = db.session.scalars(
        sa.select(Notification).where(Notification.kind == NotificationKind.CONCEPT_NOTE_OUTCOME)
    ).all()
    assert [n.user_id for n in told] == [applicant_of(application.organisation).id]
    assert told[0].params == {"reference": application.reference}  # no case details
    assert application.is_editable and not application.awaits_invitation


def test_a_decline_needs_a_reason_and_is_final():
    application = sent_concept(two_stage_call())
    manager = fund_manager()
    with pytest.raises(ValidationFailed, match="Say why"):
        decline_concept_note(actor=manager, application=application, reason="  ")
    note = decline_concept_note(
        actor=manager, application=application, reason="The project is outside the call's scope."
    )
    assert note.status == ConceptStatus.DECLINED
    assert note.decline_reason == "The project is outside the call's scope."
    assert "concept_note.declined" in audit_actions(subject_id=application.id)
    with pytest.raises(InvalidTransition):
        invite_full_proposal(actor=manager, application=application)


def test_nobody_is_invited_after_the_full_deadline():
    application = sent_concept(two_stage_call())
    late = application.call.closes_at + timedelta(seconds=1)
    with pytest.raises(ValidationFailed, match="too late to invite"):
        invite_full_proposal(actor=fund_manager(), application=application, now=late)
    assert application.concept_note.status == ConceptStatus.SUBMITTED
