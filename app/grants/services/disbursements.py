"""Disbursements: a tranche requested by a maker, approved by a checker, sent, then paid or
failed; each money step posted on the ledger under the grant-then-tranche lock."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from app.accounts.models import User
from app.accounts.permissions import Permission
from app.grants.models import (
    REPORT_OUTSTANDING,
    ReportStatus,
    Tranche,
    TrancheStatus,
)
from app.grants.services.common import (
    clean_text,
    ensure_fund_staff,
    format_money,
    grant_ledger_account,
    lock_tranche,
    report_title,
    today,
    tranche_title,
)
from app.grants.workflow import (
    TRANCHE_WORKFLOW,
    ensure_approved_for,
    ensure_tranches_move,
    ensure_tranches_open,
)
from app.ledger import chart
from app.ledger.models import TransferCode, TransferKind
from app.ledger.rules import TransferSpec
from app.ledger.services.posting import post_transfers, require_accepted, transfer_id
from app.organisations.services.destinations import ensure_payable
from app.platform.db import utcnow
from app.platform.errors import N_, Conflict, SegregationOfDuties, ValidationFailed
from app.platform.extensions import db
from app.platform.money import apply_rate
from app.screening.services.decisions import ensure_no_sanctions_hold


def _send_id(tranche: Tranche) -> Any:
    return transfer_id("tranche", tranche.id, tranche.attempt, "send")


def tranche_blockers(tranche: Tranche, *, on: date | None = None) -> list[ValidationFailed]:
    """Why the tranche cannot be requested yet: reports not accepted, earlier tranches unpaid."""
    on = on or today()
    grant = tranche.grant
    problems: list[ValidationFailed] = []
    for earlier in grant.tranches:
        if earlier.number < tranche.number and earlier.status not in (
            TrancheStatus.PAID,
            TrancheStatus.CANCELLED,
        ):
            problems.append(
                ValidationFailed(
                    N_("Tranche %(earlier)s must be paid before tranche %(number)s is requested."),
                    earlier=earlier.number,
                    number=tranche.number,
                )
            )
    for report in grant.reports:
        if report.gates_tranche_id == tranche.id and report.status != ReportStatus.ACCEPTED:
            problems.append(
                ValidationFailed(
                    N_(
                        "%(report)s (due %(due)s) must be accepted before tranche %(number)s "
                        "can be requested; it is %(status)s."
                    ),
                    report=report_title(report),
                    due=report.due_date,
                    number=tranche.number,
                    status=report.status,
                )
            )
        elif report.status in REPORT_OUTSTANDING and report.due_date < on:
            problems.append(
                ValidationFailed(
                    N_("%(report)s is overdue (due %(due)s): no tranche until it is accepted."),
                    report=report_title(report),
                    due=report.due_date,
                )
            )
    return problems


def request_disbursement(*, actor: User, tranche: Tranche, now: datetime | None = None) -> Tranche:
    """The maker asks for a tranche to be paid (or paid again after a failed transfer)."""
    grant = lock_tranche(tranche)
    ensure_fund_staff(actor, grant, Permission.REQUEST_DISBURSEMENT)
    # The workflow's guard says it too; asked here first, it is the refusal given before the
    # report checks (as in approve and send).
    ensure_tranches_move(grant)
    # No step towards a payment while the destination is unconfirmed, held or changing.
    ensure_payable(grant.organisation, now=now)
    ensure_no_sanctions_hold(grant.organisation)
    if tranche.status in (TrancheStatus.SCHEDULED, TrancheStatus.FAILED):
        problems = tranche_blockers(tranche, on=(now or utcnow()).date())
        if problems:
            raise problems[0]
    retry = tranche.status == TrancheStatus.FAILED
    TRANCHE_WORKFLOW.transition(
        tranche,
        TrancheStatus.REQUESTED,
        actor=actor,
        reason=f"attempt {tranche.attempt + 1}" if retry else None,
    )
    if retry:
        tranche.attempt += 1
        tranche.approved_by_id = tranche.approved_at = tranche.approved_account_id = None
        tranche.sent_by_id = tranche.sent_at = None
        tranche.confirmed_by_id = tranche.confirmed_at = None
    tranche.requested_by_id = actor.id
    tranche.requested_at = now or utcnow()
    db.session.flush()
    return tranche


def approve_disbursement(*, actor: User, tranche: Tranche, now: datetime | None = None) -> Tranche:
    """The checker approves a requested tranche, for the grantee's current bank account; the
    maker may not (SegregationOfDuties). An approved tranche whose grantee has changed account
    since is approved again the same way, for the new account."""
    grant = lock_tranche(tranche)
    ensure_fund_staff(actor, grant, Permission.APPROVE_DISBURSEMENT)
    ensure_tranches_move(grant)
    account = ensure_payable(grant.organisation, now=now)
    ensure_no_sanctions_hold(grant.organisation)
    again = tranche.status == TrancheStatus.APPROVED
    # Dated before the status is written: the database's payment-hold trigger times the step by it.
    tranche.approved_at = now or utcnow()
    TRANCHE_WORKFLOW.transition(
        tranche,
        TrancheStatus.APPROVED,
        actor=actor,
        reason="approved again: the grantee's bank account changed" if again else None,
        changes={"approved_account_id": [tranche.approved_account_id, account.id]},
    )
    tranche.approved_by_id = actor.id
    tranche.approved_account_id = account.id
    db.session.flush()
    return tranche


def send_disbursement(*, actor: User, tranche: Tranche, now: datetime | None = None) -> Tranche:
    """The bank transfer is issued: a pending ledger transfer ``grant:<id>`` → ``cash:bank``."""
    grant = lock_tranche(tranche)
    ensure_fund_staff(actor, grant, Permission.CONFIRM_DISBURSEMENT)
    ensure_tranches_move(grant)
    ensure_approved_for(tranche, ensure_payable(grant.organisation, now=now))
    ensure_no_sanctions_hold(grant.organisation)
    if (
        tranche.status == TrancheStatus.APPROVED
        and tranche.approved_by_id == tranche.requested_by_id
    ):
        # Only reachable by bypassing the services; the database constraint also refuses it.
        raise SegregationOfDuties(N_("This tranche was not approved by a second person."))
    committed = sum(
        t.amount
        for t in grant.tranches
        if t.id != tranche.id and t.status in (TrancheStatus.SENT, TrancheStatus.PAID)
    )
    if committed + tranche.amount > grant.amount:
        raise Conflict(
            N_(
                "Sending %(tranche)s would take payments to %(total)s, more than the grant of "
                "%(amount)s. Nothing was sent."
            ),
            tranche=tranche_title(tranche),
            total=format_money(committed + tranche.amount, grant.currency),
            amount=format_money(grant.amount, grant.currency),
        )
    tranche.sent_at = now or utcnow()  # before the status, as in approve_disbursement
    TRANCHE_WORKFLOW.transition(tranche, TrancheStatus.SENT, actor=actor)
    tranche.sent_by_id = actor.id
    require_accepted(
        post_transfers(
            [
                TransferSpec(
                    id=_send_id(tranche),
                    code=TransferCode.DISBURSEMENT,
                    amount=tranche.amount,
                    debit_account_id=grant_ledger_account(grant).id,
                    credit_account_id=chart.account_by_key(chart.CASH_BANK).id,
                    kind=TransferKind.PENDING,
                    document_type="tranche",
                    document_id=str(tranche.id),
                    memo=f"{tranche.reference} sent (attempt {tranche.attempt})",
                )
            ],
            actor=actor,
        )
    )
    db.session.flush()
    return tranche


def confirm_disbursement(
    *, actor: User, tranche: Tranche, bank_reference: str, now: datetime | None = None
) -> Tranche:
    """The bank confirms: the pending transfer is posted and the PSC on it charged.

    The PSC of a payment is the support cost on everything paid so far less what was already
    charged, each rounded once by ``apply_rate``, so the charges add up to the grant's PSC.
    """
    grant = lock_tranche(tranche)
    ensure_fund_staff(actor, grant, Permission.CONFIRM_DISBURSEMENT)
    # No bank-account check here: the money left when the tranche was sent, to the account it
    # was approved for (send checked it). The books must be able to say so even if the
    # grantee's account has changed since; refusing would leave "Failed" as the only, false,
    # way out.
    reference = clean_text(bank_reference, limit=100)
    if not reference:
        raise ValidationFailed(N_("Give the bank's reference for the payment."))
    paid_before = sum(
        t.amount for t in grant.tranches if t.id != tranche.id and t.status == TrancheStatus.PAID
    )
    psc = apply_rate(paid_before + tranche.amount, grant.psc_rate) - apply_rate(
        paid_before, grant.psc_rate
    )
    TRANCHE_WORKFLOW.transition(
        tranche, TrancheStatus.PAID, actor=actor, changes={"bank_reference": [None, reference]}
    )
    specs = [
        TransferSpec(
            id=transfer_id("tranche", tranche.id, tranche.attempt, "paid"),
            code=TransferCode.DISBURSEMENT,
            kind=TransferKind.POST_PENDING,
            pending_id=_send_id(tranche),
            document_type="tranche",
            document_id=str(tranche.id),
            memo=f"{tranche.reference} paid, bank reference {reference}",
        )
    ]
    if psc > 0:
        specs.append(
            TransferSpec(
                id=transfer_id("tranche", tranche.id, tranche.attempt, "psc"),
                code=TransferCode.PSC,
                amount=psc,
                debit_account_id=grant_ledger_account(grant).id,
                credit_account_id=chart.account_by_key(chart.PSC_INCOME).id,
                document_type="tranche",
                document_id=str(tranche.id),
                memo=f"{tranche.reference}: programme support cost",
            )
        )
    require_accepted(post_transfers(specs, actor=actor))
    tranche.psc_amount = psc
    tranche.bank_reference = reference
    tranche.confirmed_by_id = actor.id
    tranche.confirmed_at = now or utcnow()
    db.session.flush()
    return tranche


def record_disbursement_failure(
    *, actor: User, tranche: Tranche, reason: str, now: datetime | None = None
) -> Tranche:
    """The bank returned the transfer: the pending transfer is voided, the money stays committed."""
    grant = lock_tranche(tranche)
    ensure_fund_staff(actor, grant, Permission.CONFIRM_DISBURSEMENT)
    reason = clean_text(reason)
    if not reason:
        raise ValidationFailed(N_("Say why the payment failed (the bank's reason)."))
    TRANCHE_WORKFLOW.transition(tranche, TrancheStatus.FAILED, actor=actor, reason=reason)
    require_accepted(
        post_transfers(
            [
                TransferSpec(
                    id=transfer_id("tranche", tranche.id, tranche.attempt, "failed"),
                    code=TransferCode.DISBURSEMENT,
                    kind=TransferKind.VOID_PENDING,
                    pending_id=_send_id(tranche),
                    document_type="tranche",
                    document_id=str(tranche.id),
                    memo=f"{tranche.reference} failed: {reason[:150]}",
                )
            ],
            actor=actor,
        )
    )
    tranche.failure_reason = reason
    tranche.confirmed_by_id = actor.id
    tranche.confirmed_at = now or utcnow()
    db.session.flush()
    return tranche


def cancel_tranche(*, actor: User, tranche: Tranche, reason: str) -> Tranche:
    """Withdraw a tranche before it is sent; its money stays committed until closure."""
    grant = lock_tranche(tranche)
    ensure_fund_staff(actor, grant, Permission.REQUEST_DISBURSEMENT)
    ensure_tranches_open(grant)
    reason = clean_text(reason)
    if not reason:
        raise ValidationFailed(N_("Say why the tranche is cancelled."))
    TRANCHE_WORKFLOW.transition(tranche, TrancheStatus.CANCELLED, actor=actor, reason=reason)
    tranche.cancellation_reason = reason
    db.session.flush()
    return tranche
