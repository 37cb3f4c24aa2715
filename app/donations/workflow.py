"""Life cycles of gifts and pledges (DESIGN.md §3): every status change goes through here."""

from __future__ import annotations

from typing import Any

from app.accounts.permissions import Permission, can_pledge_for, has_permission
from app.donations.models import GiftStatus, Pledge, PledgeStatus
from app.platform.errors import N_, PermissionDenied, ValidationFailed
from app.workflow import Workflow, transitions


def _guard_cancel_unconfirmed(pledge: Pledge, actor: Any) -> None:
    """Finance, or the donor who made it, may withdraw a pledge that is not yet confirmed."""
    if has_permission(actor, Permission.CONFIRM_PLEDGE):
        return
    if not can_pledge_for(actor, pledge.donor):
        raise PermissionDenied(N_("Only the donor or the fund's finance officers can do this."))


def _guard_nothing_paid(pledge: Pledge, actor: Any) -> None:
    if pledge.allocations:
        raise ValidationFailed(
            N_("Payments were received against this pledge: write off the rest instead.")
        )


# Money is recorded only from Stripe's word (the webhook), which acts as the system (no
# permission). A failed attempt can still succeed later on the same PaymentIntent: Stripe's
# current state wins, since the money was taken.
GIFT_WORKFLOW = Workflow(
    name="gift",
    transitions=[
        transitions([GiftStatus.PENDING, GiftStatus.FAILED], GiftStatus.SUCCEEDED, None),
        transitions([GiftStatus.PENDING], GiftStatus.FAILED, None),
    ],
)

PLEDGE_WORKFLOW = Workflow(
    name="pledge",
    transitions=[
        transitions([PledgeStatus.PLEDGED], PledgeStatus.CONFIRMED, Permission.CONFIRM_PLEDGE),
        transitions(
            [PledgeStatus.CONFIRMED], PledgeStatus.PARTIALLY_PAID, Permission.RECORD_BANK_RECEIPT
        ),
        transitions(
            [PledgeStatus.CONFIRMED, PledgeStatus.PARTIALLY_PAID],
            PledgeStatus.PAID,
            Permission.RECORD_BANK_RECEIPT,
        ),
        transitions(
            [PledgeStatus.PLEDGED], PledgeStatus.CANCELLED, None, _guard_cancel_unconfirmed
        ),
        transitions(
            [PledgeStatus.CONFIRMED],
            PledgeStatus.CANCELLED,
            Permission.CONFIRM_PLEDGE,
            _guard_nothing_paid,
        ),
        transitions(
            [PledgeStatus.CONFIRMED, PledgeStatus.PARTIALLY_PAID],
            PledgeStatus.WRITTEN_OFF,
            Permission.CONFIRM_PLEDGE,
        ),
    ],
)
