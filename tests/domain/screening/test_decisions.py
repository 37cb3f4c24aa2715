"""A possible match holds the organisation until the fund manager decides it; a cleared match
stays cleared until the list changes its entry; both decisions are audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.applications import services as ngo
from app.applications.models import DueDiligenceStatus, OrganisationProfile, RiskRating
from app.audit.models import AuditEvent
from app.grants import services as grants
from app.grants.models import TrancheStatus
from app.platform.errors import Conflict, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.screening.models import HitStatus
from app.screening.services.decisions import clear_hit, confirm_hit
from app.screening.services.matching import screen_all_organisations
from tests.applications_support import fund_manager, ngo_organisation
from tests.factories import user_with
from tests.grants_support import USD, active_grant, approved_application, award, fund, officers
from tests.screening_support import import_test_list, list_bytes, open_hits_of


def _hold(organisation_id: int, holder: str = "Blue Horizon Relief Fund") -> None:
    profile = db.session.get(OrganisationProfile, organisation_id)
    assert profile is not None
    profile.bank_account_holder = holder
    db.session.flush()


def test_a_cleared_match_stays_cleared_until_the_entry_changes(app):
    import_test_list()
    organisation = ngo_organisation(name="Blue Horizon Relief Fund")
    [hit] = open_hits_of(organisation.id)

    clear_hit(actor=fund_manager(), hit=hit, reason="Registered in 2019; not the entity.")
    assert screen_all_organisations() == []
    assert import_test_list().version is None  # the same file changes nothing
    assert open_hits_of(organisation.id) == []

    # Another version of the list changes entry QDe.903 (a new alias): it is raised again.
    changed = list_bytes(
        replace=(
            "<ENTITY_ALIAS><QUALITY>f.k.a.</QUALITY>",
            "<ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>GCTC</ALIAS_NAME></ENTITY_ALIAS>"
            "<ENTITY_ALIAS><QUALITY>f.k.a.</QUALITY>",
        )
    )
    result = import_test_list(changed)
    assert result.changed == 1
    [again] = open_hits_of(organisation.id)
    assert again.id != hit.id and again.entry_id == hit.entry_id
    assert hit.status == HitStatus.CLEARED


def test_an_unchanged_entry_in_a_new_list_version_stays_cleared(app):
    import_test_list()
    organisation = ngo_organisation(name="Blue Horizon Relief Fund")
    [hit] = open_hits_of(organisation.id)
    clear_hit(actor=fund_manager(), hit=hit, reason="Not the entity.")

    other_entry_changed = list_bytes(replace=("<LISTED_ON>2016-02-02", "<LISTED_ON>2016-02-03"))
    assert import_test_list(other_entry_changed).changed == 1
    assert open_hits_of(organisation.id) == []


def test_clearing_needs_a_reason_and_the_permission(app):
    import_test_list()
    organisation = ngo_organisation(name="Blue Horizon Relief Fund")
    [hit] = open_hits_of(organisation.id)

    with pytest.raises(ValidationFailed):
        clear_hit(actor=fund_manager(), hit=hit, reason="  ")
    with pytest.raises(PermissionDenied):
        clear_hit(actor=user_with(Role.FINANCE), hit=hit, reason="Not them.")
    assert hit.status == HitStatus.OPEN


def test_both_decisions_are_audited(app):
    import_test_list()
    first = ngo_organisation(name="Blue Horizon Relief Fund", registration_number="RC-A")
    second = ngo_organisation(name="Green Crescent Trading", registration_number="RC-B")
    manager = fund_manager()
    [cleared] = open_hits_of(first.id)
    [confirmed] = open_hits_of(second.id)

    clear_hit(actor=manager, hit=cleared, reason="Different registration.")
    confirm_hit(actor=manager, hit=confirmed, reason="Same address and directors.")

    events = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.subject_id).where(
            AuditEvent.action.like("screening.hit_%")
        )
    ).all()
    assert sorted(events) == [
        ("screening.hit_cleared", manager.id, str(cleared.id)),
        ("screening.hit_confirmed", manager.id, str(confirmed.id)),
    ]
    assert cleared.decided_by_id == manager.id and cleared.reason == "Different registration."
    with pytest.raises(Conflict):
        clear_hit(actor=manager, hit=confirmed, reason="Changed my mind.")


def test_verification_is_refused_while_a_match_is_open(app):
    import_test_list()
    organisation = ngo_organisation(
        name="Blue Horizon Relief Fund", status=DueDiligenceStatus.DOCUMENTS_SUBMITTED
    )
    manager = fund_manager()

    with pytest.raises(Conflict, match=r"possible match on the UN sanctions list \(QDe\.903\)"):
        ngo.verify_organisation(
            actor=manager, organisation=organisation, risk_rating=RiskRating.LOW
        )

    [hit] = open_hits_of(organisation.id)
    clear_hit(actor=manager, hit=hit, reason="Different organisation.")
    profile = ngo.verify_organisation(
        actor=manager, organisation=organisation, risk_rating=RiskRating.LOW
    )
    assert profile.status == DueDiligenceStatus.VERIFIED


def test_a_confirmed_match_refuses_verification_for_good(app):
    import_test_list()
    organisation = ngo_organisation(
        name="Blue Horizon Relief Fund", status=DueDiligenceStatus.DOCUMENTS_SUBMITTED
    )
    [hit] = open_hits_of(organisation.id)
    confirm_hit(actor=fund_manager(), hit=hit)

    with pytest.raises(Conflict, match="as the fund manager confirmed"):
        ngo.verify_organisation(
            actor=fund_manager(), organisation=organisation, risk_rating=RiskRating.LOW
        )


def test_the_award_is_refused_while_a_match_is_open(app):
    import_test_list()
    fund(100_000 * USD)
    application = approved_application()
    _hold(application.organisation_id)

    with pytest.raises(Conflict, match="possible match on the UN sanctions list"):
        award(application)

    [hit] = open_hits_of(application.organisation_id)
    clear_hit(actor=fund_manager(), hit=hit, reason="Not the entity.")
    assert award(application).application_id == application.id


def test_every_payment_step_is_refused_while_a_match_is_open(app):
    import_test_list()
    fund(100_000 * USD)
    grant = active_grant()
    tranche = grant.tranches[0]
    people = officers()
    _hold(grant.organisation_id)

    with pytest.raises(Conflict, match="possible match on the UN sanctions list"):
        grants.request_disbursement(actor=people.maker, tranche=tranche)
    assert tranche.status == TrancheStatus.SCHEDULED

    [hit] = open_hits_of(grant.organisation_id)
    clear_hit(actor=fund_manager(), hit=hit, reason="Not the entity.")
    grants.request_disbursement(actor=people.maker, tranche=tranche)

    # A second holder matching another entry, between request and approval.
    _hold(grant.organisation_id, "Sokolov Ivan")
    with pytest.raises(Conflict, match=r"KPi\.902"):
        grants.approve_disbursement(actor=people.checker, tranche=tranche)
    [second] = open_hits_of(grant.organisation_id)
    clear_hit(actor=fund_manager(), hit=second, reason="Born 1990, not the listed man.")
    grants.approve_disbursement(actor=people.checker, tranche=tranche)

    _hold(grant.organisation_id, "Mohamed Yusuf Rashid")
    with pytest.raises(Conflict, match=r"QDi\.901"):
        grants.send_disbursement(actor=people.maker, tranche=tranche)
    assert tranche.status == TrancheStatus.APPROVED
