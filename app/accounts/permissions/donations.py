"""Donations: donors see only their own contributions; routes answer 404 when these say no."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.accounts.models import User
from app.accounts.permissions.roles import Actor, Permission, has_permission, is_member

if TYPE_CHECKING:
    from app.donations.models import DonationReceipt, Donor, Gift, GiftSubscription, Pledge


def owns_donor(actor: Actor | None, donor: Donor) -> bool:
    """The donor is the actor, or an organisation the actor belongs to."""
    if not isinstance(actor, User) or not actor.is_active:
        return False
    if donor.organisation_id is not None:
        return is_member(actor, donor.organisation_id)
    if donor.user_id is not None:
        return donor.user_id == actor.id
    # Someone who gave without an account sees those gifts once they prove the address.
    return bool(donor.email) and actor.email_confirmed and donor.email == actor.email


def can_view_contributions_of(actor: Actor | None, donor: Donor) -> bool:
    if has_permission(actor, Permission.VIEW_ALL_CONTRIBUTIONS):
        return True
    return has_permission(actor, Permission.VIEW_OWN_CONTRIBUTIONS) and owns_donor(actor, donor)


def can_view_gift(actor: Actor | None, gift: Gift) -> bool:
    return can_view_contributions_of(actor, gift.donor)


def can_view_pledge(actor: Actor | None, pledge: Pledge) -> bool:
    return can_view_contributions_of(actor, pledge.donor)


def can_view_receipt(actor: Actor | None, receipt: DonationReceipt) -> bool:
    donor = receipt.donor
    if donor is None:
        return has_permission(actor, Permission.VIEW_ALL_CONTRIBUTIONS)
    return can_view_contributions_of(actor, donor)


def can_pledge_for(actor: Actor | None, donor: Donor) -> bool:
    """A donor pledges for themselves or their organisation (finance records on behalf)."""
    return has_permission(actor, Permission.MAKE_PLEDGE) and owns_donor(actor, donor)


def can_stop_monthly_gift(actor: Actor | None, subscription: GiftSubscription) -> bool:
    return has_permission(actor, Permission.VIEW_OWN_CONTRIBUTIONS) and owns_donor(
        actor, subscription.donor
    )
