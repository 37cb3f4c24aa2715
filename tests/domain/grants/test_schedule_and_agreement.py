"""Before the grant runs: the fund manager edits the schedule, sends the agreement, and the
organisation's authorised signatory accepts it (name, time and address recorded)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.models import Membership, MembershipRole, Role
from app.grants import services as grants
from app.grants.models import GrantStatus
from app.grants.services import ReportRow, TrancheRow
from app.platform.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from tests.factories import user_with
from tests.grants_support import USD, approved_application, award, fund, manager, signatory


@pytest.fixture
def awarded():
    fund(100_000 * USD)
    return award(approved_application(amount=10_000 * USD))


def _rows(grant, amounts=None, dates=None, dues=None):
    tranches = [
        TrancheRow(
            number=t.number,
            amount=(amounts or {}).get(t.number, t.amount),
            planned_date=(dates or {}).get(t.number, t.planned_date),
        )
        for t in grant.tranches
    ]
    reports = [
        ReportRow(report_id=r.id, due_date=(dues or {}).get(r.id, r.due_date))
        for r in grant.reports
    ]
    return tranches, reports


def test_the_fund_manager_moves_money_between_tranches(awarded):
    tranches, reports = _rows(awarded, amounts={1: 7_000 * USD, 2: 3_000 * USD})
    grants.update_schedule(
        actor=manager(),
        grant=awarded,
        start_date=awarded.start_date,
        end_date=awarded.end_date,
        tranches=tranches,
        reports=reports,
    )
    assert [t.amount for t in awarded.tranches] == [7_000 * USD, 3_000 * USD]


def test_tranches_must_add_up_to_the_grant_to_the_cent(awarded):
    tranches, reports = _rows(awarded, amounts={1: 7_000 * USD, 2: 3_000 * USD - 1})
    with pytest.raises(ValidationFailed, match="must add up to the grant"):
        grants.update_schedule(
            actor=manager(),
            grant=awarded,
            start_date=awarded.start_date,
            end_date=awarded.end_date,
            tranches=tranches,
            reports=reports,
        )


def test_a_progress_report_must_fall_due_before_its_tranche(awarded):
    progress = next(r for r in awarded.reports if r.gates_tranche is not None)
    late = progress.gates_tranche.planned_date + timedelta(days=1)
    tranches, reports = _rows(awarded, dues={progress.id: late})
    with pytest.raises(ValidationFailed, match="Progress report 1 must be due"):
        grants.update_schedule(
            actor=manager(),
            grant=awarded,
            start_date=awarded.start_date,
            end_date=awarded.end_date,
            tranches=tranches,
            reports=reports,
        )


def test_the_schedule_can_be_rebuilt_with_equal_tranches(awarded):
    grants.rebuild_schedule(actor=manager(), grant=awarded, tranche_count=3)
    assert [t.amount for t in awarded.tranches] == [333_333, 333_334, 333_333]
    assert len([r for r in awarded.reports if r.gates_tranche is not None]) == 2


def test_the_schedule_is_fixed_once_the_agreement_is_sent(awarded):
    fm = manager()
    grants.send_agreement(actor=fm, grant=awarded)
    assert awarded.status == GrantStatus.AGREEMENT_SENT
    assert awarded.agreement_sha256 == grants.agreement_digest(awarded)
    with pytest.raises(InvalidTransition, match="amendment"):
        grants.rebuild_schedule(actor=fm, grant=awarded, tranche_count=2)


def test_the_owner_accepts_the_agreement_and_the_grant_becomes_active(awarded):
    grants.send_agreement(actor=manager(), grant=awarded)
    grants.accept_agreement(
        actor=signatory(awarded),
        grant=awarded,
        signatory_name="Amina Director",
        signatory_title="Executive director",
        confirmed=True,
        ip="203.0.113.9",
        digest=awarded.agreement_sha256,
    )
    assert awarded.status == GrantStatus.ACTIVE
    assert awarded.signatory_name == "Amina Director"
    assert awarded.accepted_ip == "203.0.113.9"
    assert awarded.accepted_at is not None
    assert awarded.accepted_by_id == signatory(awarded).id


def test_a_colleague_who_is_not_an_owner_cannot_sign(awarded):
    grants.send_agreement(actor=manager(), grant=awarded)
    colleague = user_with(Role.APPLICANT)
    db.session.add(
        Membership(
            user=colleague, organisation_id=awarded.organisation_id, role=MembershipRole.MEMBER
        )
    )
    db.session.flush()
    with pytest.raises(PermissionDenied, match="authorised signatory"):
        grants.accept_agreement(
            actor=colleague,
            grant=awarded,
            signatory_name="X",
            signatory_title="",
            confirmed=True,
            ip=None,
        )
    assert awarded.status == GrantStatus.AGREEMENT_SENT


def test_acceptance_needs_a_name_and_the_confirmation(awarded):
    grants.send_agreement(actor=manager(), grant=awarded)
    with pytest.raises(ValidationFailed, match="full name"):
        grants.accept_agreement(
            actor=signatory(awarded),
            grant=awarded,
            signatory_name=" ",
            signatory_title="",
            confirmed=True,
            ip=None,
        )
    with pytest.raises(ValidationFailed, match="authorised"):
        grants.accept_agreement(
            actor=signatory(awarded),
            grant=awarded,
            signatory_name="A",
            signatory_title="",
            confirmed=False,
            ip=None,
        )


def test_acceptance_of_other_terms_than_those_sent_is_refused(awarded):
    grants.send_agreement(actor=manager(), grant=awarded)
    with pytest.raises(Conflict, match="changed"):
        grants.accept_agreement(
            actor=signatory(awarded),
            grant=awarded,
            signatory_name="A",
            signatory_title="",
            confirmed=True,
            ip=None,
            digest="0" * 64,
        )


def test_the_agreement_cannot_be_accepted_before_it_is_sent(awarded):
    with pytest.raises(InvalidTransition):
        grants.accept_agreement(
            actor=signatory(awarded),
            grant=awarded,
            signatory_name="A",
            signatory_title="",
            confirmed=True,
            ip=None,
        )
