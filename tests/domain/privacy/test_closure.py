"""Closing an account: the person is anonymised; the ledger, the receipts issued and the audit
trail are kept; some accounts must hand over first."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts import services as accounts
from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.donations.memory_gateway import MemoryGateway
from app.donations.models import DonationReceipt
from app.grants import services as grants
from app.platform.db import utcnow
from app.platform.errors import Conflict, DomainError, PermissionDenied
from app.platform.extensions import db
from app.platform.storage import LocalStorage
from app.privacy import services as privacy
from app.privacy.services.retention import purge_unconfirmed_accounts
from app.tokens import services as tokens
from app.tokens.models import TokenScope
from tests.donations_support import assert_ledger_ok, start_and_confirm
from tests.factories import PASSWORD, user_with
from tests.grants_support import USD, active_grant, fund, officers, signatory
from tests.reporting_support import succeed
from tests.reviews_support import cleared, in_review, reviewer


@pytest.fixture
def gateway():
    return MemoryGateway()


def test_a_donor_who_gave_is_anonymised_and_the_ledger_and_receipt_stay(app, gateway):
    donor_user = user_with(Role.DONOR, email="ada@example.org", full_name="Ada Giver")
    gift = succeed(gateway, start_and_confirm(gateway, actor=donor_user, name="Ada Giver"))
    receipt = db.session.execute(
        sa.select(DonationReceipt).where(DonationReceipt.gift_id == gift.id)
    ).scalar_one()
    reference, amount = receipt.reference, receipt.amount
    events_before = db.session.execute(sa.select(sa.func.count(AuditEvent.id))).scalar_one()

    privacy.close_own_account(user=donor_user)
    db.session.flush()

    assert donor_user.full_name == f"Closed account #{donor_user.id}"
    assert donor_user.email == f"closed-{donor_user.id}@closed.invalid"
    assert donor_user.password_hash is None and not donor_user.is_active
    assert donor_user.roles == frozenset()
    assert gift.donor.email is None
    assert gift.donor.name == f"Closed account #{donor_user.id}"
    # The receipt already issued is a financial record: as issued.
    assert (receipt.reference, receipt.amount, receipt.donor_name) == (
        reference,
        amount,
        "Ada Giver",
    )
    assert_ledger_ok()
    # The audit trail only grows: the closing is one more event.
    events_after = db.session.execute(sa.select(sa.func.count(AuditEvent.id))).scalar_one()
    assert events_after == events_before + 1
    assert not accounts.verify_password(donor_user, PASSWORD)
    assert accounts.find_user_by_email("ada@example.org") is None


def test_closing_signs_out_everywhere_and_clears_two_factor(app):
    user = user_with(
        Role.DONOR, totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", totp_enabled_at=utcnow()
    )
    version = user.session_version

    privacy.close_own_account(user=user)

    assert user.session_version == version + 1
    assert user.totp_secret is None and not user.totp_enabled
    assert privacy.is_closed(user)
    with pytest.raises(Conflict):
        privacy.close_own_account(user=user)


def test_closing_revokes_every_api_token_so_no_program_acts_for_the_account(app):
    user = user_with(Role.DONOR)
    token, secret = tokens.create_token(actor=user, name="My script", scopes=[TokenScope.READ])

    privacy.close_own_account(user=user)

    assert token.revoked_at is not None
    with pytest.raises(DomainError):
        tokens.check_token(tokens.find_token(secret), now=utcnow(), staff_requires_2fa=False)


def test_the_last_administrator_cannot_close_until_there_is_another(app):
    only_admin = user_with(Role.ADMIN)
    with pytest.raises(Conflict) as refused:
        privacy.close_own_account(user=only_admin)
    assert "last administrator" in refused.value.message

    user_with(Role.ADMIN)
    privacy.close_own_account(user=only_admin)
    assert privacy.is_closed(only_admin)


def test_a_finance_officer_with_a_tranche_being_paid_must_hand_over(app):
    fund(1_000_000 * USD)
    grant = active_grant()
    people = officers()
    grants.request_disbursement(actor=people.maker, tranche=grant.tranches[0])

    with pytest.raises(Conflict, match="Tranches requested"):
        privacy.close_own_account(user=people.maker)
    assert not privacy.is_closed(people.maker)


def test_the_last_member_of_an_organisation_with_an_open_grant_must_hand_over(app):
    fund(1_000_000 * USD)
    grant = active_grant()
    owner = signatory(grant)

    obstacles = privacy.closure_obstacles(owner)

    assert len(obstacles) == 1 and "hand over" in obstacles[0].message
    with pytest.raises(Conflict):
        privacy.close_own_account(user=owner)


def test_an_administrator_closes_another_account_with_a_reason_never_their_own(app):
    admin, other = user_with(Role.ADMIN), user_with(Role.APPLICANT)
    user_with(Role.ADMIN)

    privacy.close_account_for(actor=admin, user=other, reason="asked by letter")

    event = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "user.closed")
    ).scalar_one()
    assert event.actor_id == admin.id and event.changes == {"reason": [None, "asked by letter"]}
    with pytest.raises(PermissionDenied):
        privacy.close_account_for(actor=admin, user=admin, reason="leaving")
    with pytest.raises(PermissionDenied):
        privacy.close_account_for(actor=other, user=admin, reason="no")


def test_a_closed_account_is_never_reactivated(app):
    admin, other = user_with(Role.ADMIN), user_with(Role.APPLICANT)
    user_with(Role.ADMIN)
    privacy.close_account_for(actor=admin, user=other, reason="asked by letter")

    with pytest.raises(Conflict, match="closed for good"):
        accounts.set_user_active(actor=admin, user=other, active=True)
    assert not other.is_active
    # An account that was only deactivated comes back as before.
    paused = user_with(Role.APPLICANT)
    accounts.set_user_active(actor=admin, user=paused, active=False)
    accounts.set_user_active(actor=admin, user=paused, active=True)
    assert paused.is_active


def test_unconfirmed_accounts_are_removed_after_the_retention_period_once(app):
    old = user_with(Role.DONOR, email_confirmed_at=None, email="old@example.org")
    old.created_at = utcnow() - timedelta(days=31)
    recent = user_with(Role.DONOR, email_confirmed_at=None)
    confirmed = user_with(Role.DONOR)
    confirmed.created_at = utcnow() - timedelta(days=400)
    db.session.flush()

    assert purge_unconfirmed_accounts(older_than_days=30) == 1
    assert purge_unconfirmed_accounts(older_than_days=30) == 0

    assert accounts.find_user_by_email("old@example.org") is None
    assert recent.id and accounts.find_user_by_email(recent.email) is recent
    assert accounts.find_user_by_email(confirmed.email) is confirmed
    event = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "users.unconfirmed_purged")
    ).scalar_one()
    assert event.changes["deleted"] == [None, 1]


def test_an_unconfirmed_account_something_points_at_is_anonymised_not_deleted(app, gateway):
    user = user_with(Role.DONOR, email_confirmed_at=None)
    user.created_at = utcnow() - timedelta(days=31)
    start_and_confirm(gateway, actor=user, name="Ada Giver")

    assert purge_unconfirmed_accounts(older_than_days=30) == 1

    assert privacy.is_closed(user) and not user.is_active
    assert purge_unconfirmed_accounts(older_than_days=30) == 0


def test_a_reviewer_with_a_review_not_submitted_must_hand_over(app, tmp_path):
    storage = LocalStorage(tmp_path / "uploads")
    expert = reviewer()
    cleared(in_review(storage), expert)

    with pytest.raises(Conflict, match="Reviews assigned"):
        privacy.close_own_account(user=expert)
    assert not privacy.is_closed(expert)


def test_the_console_command_removes_old_unconfirmed_accounts(app, runner):
    stale = user_with(Role.APPLICANT, email_confirmed_at=None, email="stale@example.org")
    stale.created_at = utcnow() - timedelta(days=app.config["UNCONFIRMED_ACCOUNT_DAYS"] + 1)
    db.session.flush()

    first = runner.invoke(args=["users", "purge-unconfirmed"], catch_exceptions=False)
    second = runner.invoke(args=["users", "purge-unconfirmed"], catch_exceptions=False)

    assert first.output.startswith("1 account(s)")
    assert second.output.startswith("0 account(s)")
    assert accounts.find_user_by_email("stale@example.org") is None
