"""Life cycles of a grant, its tranches, reports and amendments (DESIGN.md §3).

The guards here are the rules that hold however a move is asked for (UI, direct POST, CLI):
the services add what needs the database (locks, ledger postings, report gating).
"""

from __future__ import annotations

from typing import Any

from app.accounts.models import User
from app.accounts.permissions import Permission, is_member
from app.grants.models import (
    AmendmentStatus,
    Grant,
    GrantReport,
    GrantStatus,
    ReportStatus,
    Tranche,
    TrancheStatus,
)
from app.organisations.models import BankAccount
from app.organisations.services.bank_accounts import current_bank_account
from app.platform.errors import (
    N_,
    Conflict,
    InvalidTransition,
    PermissionDenied,
    SegregationOfDuties,
)
from app.workflow import Workflow, transitions


def _actor_id(actor: Any) -> int | None:
    return actor.id if isinstance(actor, User) else None


def _guard_not_grantee(obj: Grant | Tranche | GrantReport, actor: Any) -> None:
    """Nobody handles money or reports of an organisation they belong to."""
    organisation_id = obj.organisation_id if isinstance(obj, Grant) else obj.grant.organisation_id
    if is_member(actor, organisation_id):
        raise SegregationOfDuties(
            N_("You belong to the grantee organisation, so another colleague must do this.")
        )


def _guard_grantee(grant: Grant, actor: Any) -> None:
    if not is_member(actor, grant.organisation_id):
        raise PermissionDenied(N_("Only the grantee organisation's own staff can do this."))


def ensure_tranches_move(grant: Grant) -> None:
    """A tranche is requested, approved and sent only while its grant is active."""
    if grant.status != GrantStatus.ACTIVE:
        raise InvalidTransition(
            N_("No tranche of %(reference)s can move while the grant is %(status)s."),
            reference=grant.reference,
            status=str(grant.status),
        )


def ensure_tranches_open(grant: Grant) -> None:
    """Once closure starts, only closure itself changes the tranches."""
    if grant.status in (GrantStatus.CLOSING, GrantStatus.CLOSED):
        raise InvalidTransition(
            N_("%(reference)s is closing: its tranches can no longer change."),
            reference=grant.reference,
        )


def _ready_to_move(tranche: Tranche, actor: Any) -> None:
    ensure_tranches_move(tranche.grant)


def ensure_approved_for(tranche: Tranche, account: BankAccount | None) -> None:
    """The money goes only to the account the checker approved: once the grantee's account is
    another one, the tranche must be approved again (by a checker who is not the maker)."""
    if account is not None and tranche.approved_account_id == account.id:
        return
    if tranche.status == TrancheStatus.SENT:
        raise Conflict(
            N_(
                "%(tranche)s was sent to the bank account approved for it, but %(organisation)s's "
                "bank account has changed since, so it cannot be recorded as paid. If the bank "
                "returned the payment, record it as failed and request it again."
            ),
            tranche=tranche.reference,
            organisation=tranche.grant.organisation.name,
        )
    raise Conflict(
        N_(
            "%(tranche)s was approved for another bank account than the one %(organisation)s "
            "now has: a finance officer other than the one who requested it must approve it "
            "again before it is sent."
        ),
        tranche=tranche.reference,
        organisation=tranche.grant.organisation.name,
    )


def _approved_account_changed(tranche: Tranche) -> bool:
    current = current_bank_account(tranche.grant.organisation_id)
    return current is None or tranche.approved_account_id != current.id


def _ready_to_send(tranche: Tranche, actor: Any) -> None:
    ensure_tranches_move(tranche.grant)
    ensure_approved_for(tranche, current_bank_account(tranche.grant.organisation_id))


def _ready_to_approve_again(tranche: Tranche, actor: Any) -> None:
    """An approved tranche is approved again only when the grantee's account changed since."""
    ensure_tranches_move(tranche.grant)
    if not _approved_account_changed(tranche):
        raise InvalidTransition(
            N_("%(tranche)s is already approved for %(organisation)s's current bank account."),
            tranche=tranche.reference,
            organisation=tranche.grant.organisation.name,
        )


def _ready_to_cancel(tranche: Tranche, actor: Any) -> None:
    ensure_tranches_open(tranche.grant)


def _guard_checker(tranche: Tranche, actor: Any) -> None:
    """Maker-checker: the officer who requested a tranche can never approve it."""
    _guard_not_grantee(tranche, actor)
    if tranche.requested_by_id is not None and tranche.requested_by_id == _actor_id(actor):
        raise SegregationOfDuties(
            N_(
                "You requested this tranche, so you cannot approve it: "
                "another finance officer must approve it."
            )
        )


def _guard_report_author(report: GrantReport, actor: Any) -> None:
    _guard_grantee(report.grant, actor)


GRANT_WORKFLOW = Workflow(
    name="grant",
    transitions=[
        transitions(
            [GrantStatus.AWARDED],
            GrantStatus.AGREEMENT_SENT,
            Permission.AWARD_GRANT,
            _guard_not_grantee,
        ),
        transitions(
            [GrantStatus.AGREEMENT_SENT],
            GrantStatus.ACTIVE,
            Permission.SUBMIT_GRANT_REPORT,
            _guard_grantee,
        ),
        transitions(
            [GrantStatus.ACTIVE], GrantStatus.SUSPENDED, Permission.CLOSE_GRANT, _guard_not_grantee
        ),
        transitions(
            [GrantStatus.SUSPENDED], GrantStatus.ACTIVE, Permission.CLOSE_GRANT, _guard_not_grantee
        ),
        transitions(
            [GrantStatus.ACTIVE, GrantStatus.SUSPENDED],
            GrantStatus.CLOSING,
            Permission.CLOSE_GRANT,
            _guard_not_grantee,
        ),
        transitions(
            [GrantStatus.CLOSING], GrantStatus.CLOSED, Permission.CLOSE_GRANT, _guard_not_grantee
        ),
    ],
)

TRANCHE_WORKFLOW = Workflow(
    name="tranche",
    transitions=[
        # A failed bank transfer can be asked for again: a new maker-checker round.
        transitions(
            [TrancheStatus.SCHEDULED, TrancheStatus.FAILED],
            TrancheStatus.REQUESTED,
            Permission.REQUEST_DISBURSEMENT,
            _guard_not_grantee,
            ready=_ready_to_move,
        ),
        transitions(
            [TrancheStatus.REQUESTED],
            TrancheStatus.APPROVED,
            Permission.APPROVE_DISBURSEMENT,
            _guard_checker,
            ready=_ready_to_move,
        ),
        # The grantee's bank account changed after the approval: a checker approves the new
        # destination (the money never goes where nobody approved it to go).
        transitions(
            [TrancheStatus.APPROVED],
            TrancheStatus.APPROVED,
            Permission.APPROVE_DISBURSEMENT,
            _guard_checker,
            ready=_ready_to_approve_again,
        ),
        transitions(
            [TrancheStatus.APPROVED],
            TrancheStatus.SENT,
            Permission.CONFIRM_DISBURSEMENT,
            _guard_not_grantee,
            ready=_ready_to_send,
        ),
        transitions(
            [TrancheStatus.SENT],
            TrancheStatus.PAID,
            Permission.CONFIRM_DISBURSEMENT,
            _guard_not_grantee,
        ),
        transitions(
            [TrancheStatus.SENT],
            TrancheStatus.FAILED,
            Permission.CONFIRM_DISBURSEMENT,
            _guard_not_grantee,
        ),
        transitions(
            [TrancheStatus.SCHEDULED, TrancheStatus.REQUESTED, TrancheStatus.APPROVED],
            TrancheStatus.CANCELLED,
            Permission.REQUEST_DISBURSEMENT,
            _guard_not_grantee,
            ready=_ready_to_cancel,
        ),
    ],
)

# Closing a grant cancels the tranches it will never pay; that is the fund manager's move.
CLOSURE_CANCELS_TRANCHE = transitions(
    [TrancheStatus.SCHEDULED, TrancheStatus.FAILED],
    TrancheStatus.CANCELLED,
    Permission.CLOSE_GRANT,
    _guard_not_grantee,
)
CLOSURE_TRANCHE_WORKFLOW = Workflow(name="tranche", transitions=[CLOSURE_CANCELS_TRANCHE])

REPORT_WORKFLOW = Workflow(
    name="grant_report",
    transitions=[
        transitions(
            [ReportStatus.DUE, ReportStatus.CHANGES_REQUESTED],
            ReportStatus.SUBMITTED,
            Permission.SUBMIT_GRANT_REPORT,
            _guard_report_author,
        ),
        transitions(
            [ReportStatus.SUBMITTED],
            ReportStatus.ACCEPTED,
            Permission.ACCEPT_GRANT_REPORT,
            _guard_not_grantee,
        ),
        transitions(
            [ReportStatus.SUBMITTED],
            ReportStatus.CHANGES_REQUESTED,
            Permission.ACCEPT_GRANT_REPORT,
            _guard_not_grantee,
        ),
    ],
)


def _guard_amendment_decider(amendment: Any, actor: Any) -> None:
    _guard_not_grantee(amendment.grant, actor)


AMENDMENT_WORKFLOW = Workflow(
    name="grant_amendment",
    transitions=[
        transitions(
            [AmendmentStatus.REQUESTED],
            AmendmentStatus.APPROVED,
            Permission.ACCEPT_GRANT_REPORT,
            _guard_amendment_decider,
        ),
        transitions(
            [AmendmentStatus.REQUESTED],
            AmendmentStatus.REJECTED,
            Permission.ACCEPT_GRANT_REPORT,
            _guard_amendment_decider,
        ),
    ],
)
