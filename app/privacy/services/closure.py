"""Closing an account: the person is anonymised in one transaction, and what the ledger, the
receipts already issued and the audit trail must keep is kept."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Membership, Role, User
from app.accounts.permissions import can_manage_user
from app.accounts.services.addresses import closed_address, is_closed
from app.audit.services import record_event
from app.donations.models import (
    LIVE_SUBSCRIPTION_STATUSES,
    BankReceipt,
    DonationReceipt,
    Donor,
    Gift,
    GiftSubscription,
)
from app.grants.models import TRANCHES_IN_FLIGHT, Grant, GrantStatus, Tranche
from app.notifications.models import Notification
from app.platform.errors import N_, Conflict, DomainError, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.reviews.models import AssignmentStatus, Review, ReviewAssignment, ReviewStatus
from app.tokens.services import revoke_every_token_of

# A reserved top-level domain (RFC 2606): no mail is ever delivered there, and no one can
# register with such an address (the address check refuses special-use domains). Each closed
# account's address is unique by its id, so the address column stays unique.
# A grant still running needs someone at the organisation to report and receive the money.
_OPEN_GRANT_STATUSES = frozenset(set(GrantStatus) - {GrantStatus.CLOSED})


def closed_name(user: User) -> str:
    return f"Closed account #{user.id}"


def personal_donors(user: User) -> list[Donor]:
    """The donor records that are this person (not an organisation they give for): theirs by
    account, or by their confirmed address when they gave without signing in."""
    conditions: list[sa.ColumnElement[bool]] = [Donor.user_id == user.id]
    if user.email_confirmed:
        conditions.append(sa.and_(Donor.user_id.is_(None), Donor.email == user.email))
    return list(
        db.session.execute(
            sa.select(Donor)
            .where(Donor.organisation_id.is_(None), sa.or_(*conditions))
            .order_by(Donor.id)
        )
        .scalars()
        .all()
    )


def closure_obstacles(user: User) -> list[DomainError]:
    """What must be handed over before this account can close, each as a sentence to act on;
    empty when it can close now."""
    if is_closed(user):
        return [Conflict(N_("This account is already closed."))]
    obstacles: list[DomainError | None] = [
        _last_administrator(user),
        _tranches_in_flight(user),
        _reviews_not_submitted(user),
        *_organisations_left_without_members(user),
        _monthly_gift_running(user),
    ]
    return [obstacle for obstacle in obstacles if obstacle is not None]


def _last_administrator(user: User) -> DomainError | None:
    if not user.has_role(Role.ADMIN):
        return None
    other_admins = db.session.execute(
        sa.select(sa.func.count())
        .select_from(User)
        .where(
            User.id != user.id,
            User.is_active.is_(True),
            User.role_grants.any(role=Role.ADMIN),
        )
    ).scalar_one()
    if other_admins:
        return None
    return Conflict(
        N_("This is the last administrator's account. Make someone else an administrator first.")
    )


def _tranches_in_flight(user: User) -> DomainError | None:
    tranches = db.session.execute(
        sa.select(sa.func.count())
        .select_from(Tranche)
        .where(Tranche.requested_by_id == user.id, Tranche.status.in_(TRANCHES_IN_FLIGHT))
    ).scalar_one()
    if not tranches:
        return None
    return Conflict(
        N_(
            "Tranches requested from this account are still being paid (%(count)s). "
            "Hand them over to another finance officer, or wait until they are paid."
        ),
        count=tranches,
    )


def _reviews_not_submitted(user: User) -> DomainError | None:
    submitted = sa.select(Review.assignment_id).where(Review.status == ReviewStatus.SUBMITTED)
    reviews = db.session.execute(
        sa.select(sa.func.count())
        .select_from(ReviewAssignment)
        .where(
            ReviewAssignment.reviewer_id == user.id,
            ReviewAssignment.status.in_(
                (AssignmentStatus.AWAITING_DECLARATION, AssignmentStatus.ACTIVE)
            ),
            ReviewAssignment.id.not_in(submitted),
        )
    ).scalar_one()
    if not reviews:
        return None
    return Conflict(
        N_(
            "Reviews assigned to this account are not submitted (%(count)s). Submit "
            "them, or ask the fund manager to assign them to someone else."
        ),
        count=reviews,
    )


def _organisations_left_without_members(user: User) -> list[DomainError]:
    """Each organisation with a grant still open of which this person is the last member."""
    obstacles: list[DomainError] = []
    for membership in user.memberships:
        organisation = membership.organisation
        open_grant = db.session.execute(
            sa.select(Grant.reference)
            .where(
                Grant.organisation_id == organisation.id,
                Grant.status.in_(_OPEN_GRANT_STATUSES),
            )
            .limit(1)
        ).scalar_one_or_none()
        if open_grant is None:
            continue
        others = db.session.execute(
            sa.select(sa.func.count())
            .select_from(Membership)
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.organisation_id == organisation.id,
                Membership.user_id != user.id,
                User.is_active.is_(True),
            )
        ).scalar_one()
        if not others:
            obstacles.append(
                Conflict(
                    N_(
                        "This is the last member of %(organisation)s, whose grant %(grant)s is "
                        "still open. Invite a colleague to the organisation and hand over first."
                    ),
                    organisation=organisation.name,
                    grant=open_grant,
                )
            )
    return obstacles


def _monthly_gift_running(user: User) -> DomainError | None:
    donor_ids = [donor.id for donor in personal_donors(user)]
    if not donor_ids:
        return None
    live = db.session.execute(
        sa.select(sa.func.count())
        .select_from(GiftSubscription)
        .where(
            GiftSubscription.donor_id.in_(donor_ids),
            GiftSubscription.status.in_(LIVE_SUBSCRIPTION_STATUSES),
        )
    ).scalar_one()
    if not live:
        return None
    return Conflict(N_("A monthly gift is still running. Stop it first, then close."))


def close_own_account(*, user: User) -> None:
    """The person closes their own account (the page has checked their password and second
    factor). Refused while something needs them; see ``closure_obstacles``."""
    _refuse_if_needed(user)
    anonymise_account(user)
    # After anonymising: the event names the account by its placeholder, not its old address.
    record_event(
        actor=user,
        action="user.closed",
        subject=user,
        summary=f"account #{user.id} closed by its holder",
    )
    db.session.flush()


def close_account_for(*, actor: User, user: User, reason: str) -> None:
    """An administrator closes someone else's account, with a reason (never their own: that
    is done from their own account pages)."""
    if not can_manage_user(actor, user):
        raise PermissionDenied(
            N_("You cannot close your own account here, nor one you do not manage.")
        )
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(N_("Say why this account is closed."))
    _refuse_if_needed(user)
    anonymise_account(user)
    record_event(
        actor=actor,
        action="user.closed",
        subject=user,
        summary=f"account #{user.id} closed by an administrator",
        changes={"reason": [None, reason[:400]]},
    )
    db.session.flush()


def _refuse_if_needed(user: User) -> None:
    obstacles = closure_obstacles(user)
    if obstacles:
        raise obstacles[0]


def anonymise_account(user: User) -> None:
    """Remove the person from the account and their own donor records. Kept: the account's row
    and id (the ledger, grants and the audit trail point at it), amounts, dates and receipt
    numbers, and the name on every receipt already issued (a financial record, as issued)."""
    old_donors = personal_donors(user)
    name = closed_name(user)
    user.full_name = name
    user.email = closed_address(user)
    user.password_hash = None
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.recovery_codes.clear()
    user.locale = None
    user.timezone = "UTC"
    user.last_login_at = None
    user.is_active = False
    user.session_version += 1
    user.role_grants.clear()
    user.memberships.clear()
    revoke_every_token_of(user)  # a program must not keep acting for a closed account
    db.session.execute(sa.delete(Notification).where(Notification.user_id == user.id))
    for donor in old_donors:
        _anonymise_donor(donor, name=name)


def _anonymise_donor(donor: Donor, *, name: str) -> None:
    receipted_gifts = sa.select(DonationReceipt.gift_id).where(DonationReceipt.gift_id.is_not(None))
    db.session.execute(
        sa.update(Gift)
        .where(Gift.donor_id == donor.id, Gift.id.not_in(receipted_gifts))
        .values(donor_name=name)
        .execution_options(synchronize_session="fetch")
    )
    db.session.execute(
        sa.update(Gift)
        .where(Gift.donor_id == donor.id)
        .values(public_recognition=False)
        .execution_options(synchronize_session="fetch")
    )
    db.session.execute(
        sa.update(GiftSubscription)
        .where(GiftSubscription.donor_id == donor.id)
        .values(donor_name=name, public_recognition=False)
        .execution_options(synchronize_session="fetch")
    )
    # A receipt for a bank transfer is made out to the donor record's name: keep it as issued.
    bank_receipted = db.session.execute(
        sa.select(sa.func.count())
        .select_from(DonationReceipt)
        .join(BankReceipt, BankReceipt.id == DonationReceipt.bank_receipt_id)
        .where(BankReceipt.donor_id == donor.id)
    ).scalar_one()
    if not bank_receipted:
        donor.name = name
    donor.email = None
    donor.public_recognition = False
