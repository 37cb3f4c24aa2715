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
from app.platform.errors import N_, InvalidTransition, PermissionDenied, SegregationOfDuties
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
        transitions(
            [TrancheStatus.APPROVED],
            TrancheStatus.SENT,
            Permission.CONFIRM_DISBURSEMENT,
            _guard_not_grantee,
            ready=_ready_to_move,
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
