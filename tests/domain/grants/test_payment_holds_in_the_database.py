"""The database refuses a tranche approved or sent behind the services' back while its
organisation has an open or confirmed sanctions match, a bank change waiting, or an account in
its hold (migration 5d1f0e7a9c21); recording a sent tranche as paid is not refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from app.grants import services as grants
from app.grants.models import Tranche, TrancheStatus
from app.organisations.services import bank_accounts as bank
from app.organisations.services.bank_accounts import current_bank_account
from app.platform.db import utcnow
from app.platform.extensions import db
from app.screening.models import HitStatus, SanctionEntry, ScreenedName, ScreeningHit
from tests.bank_support import german_details, proposer_of
from tests.grants_support import USD, active_grant, finance, fund, manager, officers
from tests.screening_support import import_test_list


@pytest.fixture
def tranche(app: Any) -> Tranche:
    fund(50_000 * USD)
    grant = active_grant()
    people = officers()
    first = grant.tranches[0]
    grants.request_disbursement(actor=people.maker, tranche=first)
    first.approved_by_id = people.checker.id  # the step the raw UPDATEs below take
    db.session.flush()
    return first


def _raw_step(tranche: Tranche, status: TrancheStatus, **values: Any) -> None:
    """What a bug or a hand-edit would do: the status written without the services' checks."""
    with db.session.begin_nested():
        db.session.execute(
            sa.update(Tranche).where(Tranche.id == tranche.id).values(status=status, **values)
        )


def _open_hit(organisation_id: int, status: HitStatus = HitStatus.OPEN) -> ScreeningHit:
    import_test_list()
    entry = db.session.scalars(sa.select(SanctionEntry).limit(1)).one()
    hit = ScreeningHit(
        organisation_id=organisation_id,
        entry=entry,
        screened=ScreenedName.ORGANISATION,
        screened_name="x",
        matched_name=entry.name,
        score=95.0,
        entry_hash=entry.content_hash,
        status=status,
    )
    db.session.add(hit)
    db.session.flush()
    return hit


def test_the_database_lets_a_payable_tranche_through(tranche):
    _raw_step(tranche, TrancheStatus.APPROVED)
    _raw_step(tranche, TrancheStatus.SENT)
    db.session.expire_all()
    assert db.session.get(Tranche, tranche.id).status == TrancheStatus.SENT


@pytest.mark.parametrize("status", [HitStatus.OPEN, HitStatus.CONFIRMED])
def test_the_database_refuses_approving_while_a_match_holds_the_organisation(tranche, status):
    hit = _open_hit(tranche.grant.organisation_id, status)
    with pytest.raises(sa.exc.IntegrityError, match="sanctions match"):
        _raw_step(tranche, TrancheStatus.APPROVED)

    hit.status = HitStatus.CLEARED
    db.session.flush()
    _raw_step(tranche, TrancheStatus.APPROVED)


def test_the_database_refuses_sending_while_a_match_is_open(tranche):
    _raw_step(tranche, TrancheStatus.APPROVED)
    _open_hit(tranche.grant.organisation_id)
    with pytest.raises(sa.exc.IntegrityError, match="sanctions match"):
        _raw_step(tranche, TrancheStatus.SENT)


def test_the_database_refuses_a_payment_step_while_the_account_is_in_its_hold(tranche):
    organisation = tranche.grant.organisation
    account = bank.propose_bank_account(
        actor=proposer_of(organisation), organisation=organisation, details=german_details()
    )
    # A change waiting for its second person.
    with pytest.raises(sa.exc.IntegrityError, match="bank account"):
        _raw_step(tranche, TrancheStatus.APPROVED)

    bank.confirm_bank_account(actor=manager(), account=account)
    # Confirmed just now: in its hold.
    with pytest.raises(sa.exc.IntegrityError, match="bank account"):
        _raw_step(tranche, TrancheStatus.APPROVED)
    # The step dated past the hold (the services' clock) goes through.
    _raw_step(tranche, TrancheStatus.APPROVED, approved_at=utcnow() + timedelta(days=11))


def test_the_database_refuses_approving_for_an_organisation_without_an_account(tranche):
    current = current_bank_account(tranche.grant.organisation_id)
    assert current is not None
    current.superseded_at = utcnow()
    db.session.flush()
    with pytest.raises(sa.exc.IntegrityError, match="bank account"):
        _raw_step(tranche, TrancheStatus.APPROVED)


def test_recording_a_sent_tranche_as_paid_is_not_refused(tranche):
    # The money left when the tranche was sent; the books must be able to say it arrived.
    grants.approve_disbursement(actor=finance(), tranche=tranche)
    grants.send_disbursement(actor=finance(), tranche=tranche)
    _open_hit(tranche.grant.organisation_id)
    grants.confirm_disbursement(actor=finance(), tranche=tranche, bank_reference="B-1")
    assert tranche.status == TrancheStatus.PAID
