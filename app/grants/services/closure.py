"""Closure: the closing statement, refunds of unspent money, and the release of what was
committed but never paid back to the fund."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.accounts.models import User
from app.accounts.permissions import Permission
from app.audit.services import record_event
from app.funding.services import Return, post_returns
from app.grants.models import (
    END_OF_GRANT_REPORTS,
    TRANCHES_IN_FLIGHT,
    AmendmentStatus,
    Grant,
    GrantRefund,
    GrantReport,
    GrantStatus,
    ReportKind,
    ReportStatus,
    TrancheStatus,
)
from app.grants.services.common import (
    clean_text,
    ensure_fund_staff,
    format_money,
    grant_ledger_account,
    report_title,
    require_status,
)
from app.grants.workflow import CLOSURE_TRANCHE_WORKFLOW, GRANT_WORKFLOW
from app.ledger import chart
from app.ledger.models import TransferCode
from app.ledger.services.balances import account_balance
from app.platform.db import lock_rows, utcnow
from app.platform.errors import N_, Conflict, InvalidTransition, ValidationFailed
from app.platform.extensions import db
from app.platform.money import apply_rate


@dataclass(frozen=True)
class ClosureStatement:
    """The arithmetic of closing a grant, all in minor units of ``currency``."""

    currency: str
    commitment: int  # grant + PSC set aside at award
    paid: int  # tranches paid to the grantee
    psc_charged: int  # support cost charged on the payments
    expenditure: int | None  # what the accepted final financial report says was spent
    unspent: int  # paid but not spent: the grantee owes it back
    refunded: int  # refunds recorded so far
    psc_reversed: int  # support cost given back to the fund with the refunds
    undisbursed: int  # committed but never paid: released to the fund at closure

    @property
    def refund_outstanding(self) -> int:
        return max(self.unspent - self.refunded, 0)


def final_financial_report(grant: Grant) -> GrantReport | None:
    accepted = [
        r
        for r in grant.reports
        if r.kind == ReportKind.FINANCIAL and r.status == ReportStatus.ACCEPTED
    ]
    return accepted[-1] if accepted else None


def closure_statement(grant: Grant) -> ClosureStatement:
    paid = grant.paid_amount
    psc_charged = grant.psc_charged
    report = final_financial_report(grant)
    expenditure = report.expenditure_total if report is not None else None
    if grant.unspent_amount is not None:
        unspent = grant.unspent_amount
    elif expenditure is not None:
        unspent = max(paid - expenditure, 0)
    else:
        unspent = 0
    if grant.reported_expenditure is not None:
        expenditure = grant.reported_expenditure
    released = grant.released_amount or 0
    return ClosureStatement(
        currency=grant.currency,
        commitment=grant.commitment,
        paid=paid,
        psc_charged=psc_charged,
        expenditure=expenditure,
        unspent=unspent,
        refunded=grant.refunded_amount,
        psc_reversed=sum(r.psc_reversed for r in grant.refunds),
        undisbursed=grant.commitment - paid - psc_charged - released,
    )


DomainErrorLike = InvalidTransition | Conflict | ValidationFailed


def closure_blockers(grant: Grant) -> list[DomainErrorLike]:
    """Why closure cannot start now, first reason first (empty when it can)."""
    problems: list[DomainErrorLike] = []
    if grant.status not in (GrantStatus.ACTIVE, GrantStatus.SUSPENDED):
        problems.append(
            InvalidTransition(
                N_("%(reference)s cannot start closing while it is %(status)s."),
                reference=grant.reference,
                status=str(grant.status).replace("_", " "),
            )
        )
    for tranche in grant.tranches:
        if tranche.status in TRANCHES_IN_FLIGHT:
            problems.append(
                Conflict(
                    N_("Tranche %(number)s is %(status)s: wait until it is paid or cancelled."),
                    number=tranche.number,
                    status=str(tranche.status),
                )
            )
    for report in grant.reports:
        if report.status != ReportStatus.ACCEPTED:
            message = (
                N_("%(report)s is submitted and waiting for your review.")
                if report.status == ReportStatus.SUBMITTED
                else N_("%(report)s is not accepted yet (due %(due)s).")
            )
            problems.append(Conflict(message, report=report_title(report), due=report.due_date))
    if not any(r.kind in END_OF_GRANT_REPORTS for r in grant.reports):
        problems.append(Conflict(N_("The grant has no final reports to accept.")))
    for amendment in grant.amendments:
        if amendment.status == AmendmentStatus.REQUESTED:
            problems.append(
                Conflict(
                    N_("Amendment %(number)s is waiting for a decision."), number=amendment.number
                )
            )
    return problems


def start_closure(*, actor: User, grant: Grant, now: datetime | None = None) -> Grant:
    """Final reports accepted and nothing pending: work out what is unspent, cancel the tranches
    that will never be paid, and wait for any refund."""
    lock_rows(grant)
    ensure_fund_staff(actor, grant, Permission.CLOSE_GRANT)
    problems = closure_blockers(grant)
    if problems:
        raise problems[0]
    for tranche in grant.tranches:
        if tranche.status in (TrancheStatus.SCHEDULED, TrancheStatus.FAILED):
            CLOSURE_TRANCHE_WORKFLOW.transition(
                tranche, TrancheStatus.CANCELLED, actor=actor, reason="grant closing"
            )
            tranche.cancellation_reason = "The grant was closed before this tranche was paid."
    report = final_financial_report(grant)
    expenditure = report.expenditure_total if report is not None else 0
    GRANT_WORKFLOW.transition(
        grant,
        GrantStatus.CLOSING,
        actor=actor,
        changes={"paid": [None, grant.paid_amount], "reported_expenditure": [None, expenditure]},
    )
    grant.closing_started_at = now or utcnow()
    grant.reported_expenditure = expenditure
    grant.unspent_amount = max(grant.paid_amount - expenditure, 0)
    db.session.flush()
    return grant


def record_grantee_refund(
    *,
    actor: User,
    grant: Grant,
    amount: int,
    bank_reference: str,
    received_on: date,
) -> GrantRefund:
    """Unspent money the grantee paid back, as it reached the bank: ``cash:bank`` →
    ``fund:available``, and the support cost charged on it back to the fund too."""
    lock_rows(grant)
    ensure_fund_staff(actor, grant, Permission.RECORD_BANK_RECEIPT)
    require_status(
        grant,
        GrantStatus.CLOSING,
        message=N_("Refunds are recorded while %(reference)s is closing; it is %(status)s."),
    )
    reference = clean_text(bank_reference, limit=100)
    statement = _check_refund(grant, amount=amount, reference=reference)
    net_before = statement.paid - statement.refunded
    psc_back = apply_rate(net_before, grant.psc_rate) - apply_rate(
        net_before - amount, grant.psc_rate
    )
    refund = GrantRefund(
        amount=amount,
        psc_reversed=psc_back,
        bank_reference=reference,
        received_on=received_on,
        recorded_by_id=actor.id,
    )
    grant.refunds.append(refund)
    db.session.flush()
    post_returns(
        actor=actor,
        grant_id=grant.id,
        grant_account_id=grant_ledger_account(grant).id,
        returns=_refund_returns(grant, refund),
    )
    record_event(
        actor=actor,
        action="grant.refund_recorded",
        subject=grant,
        summary=f"{grant.reference}: refund of {format_money(amount, grant.currency)} "
        f"received ({reference})",
        changes={"refund": [None, amount], "psc_reversed": [None, psc_back]},
    )
    return refund


def _check_refund(grant: Grant, *, amount: int, reference: str) -> ClosureStatement:
    """A new bank reference and an amount the grantee owes; returns the statement before it."""
    if not reference:
        raise ValidationFailed(N_("Give the bank's reference for the refund."))
    if any(r.bank_reference == reference for r in grant.refunds):
        raise Conflict(
            N_("A refund with the bank reference %(reference)s is already recorded."),
            reference=reference,
        )
    statement = closure_statement(grant)
    if amount <= 0:
        raise ValidationFailed(N_("A refund must be more than zero."))
    if amount > statement.refund_outstanding:
        raise ValidationFailed(
            N_("The grantee owes %(owed)s; a refund of %(amount)s is more than that."),
            owed=format_money(statement.refund_outstanding, grant.currency),
            amount=format_money(amount, grant.currency),
        )
    return statement


def _refund_returns(grant: Grant, refund: GrantRefund) -> list[Return]:
    """``cash:bank`` → the fund for the refund, and the support cost charged on it back from
    ``psc:income``; each goes back to the balances that funded the grant (app/funding)."""
    returns = [
        Return(
            amount=refund.amount,
            code=TransferCode.REFUND,
            debit_account_id=chart.account_by_key(chart.CASH_BANK).id,
            id_parts=("grant", grant.id, "refund", refund.id),
            memo=f"{grant.reference}: unspent funds returned, "
            f"bank reference {refund.bank_reference}",
        )
    ]
    if refund.psc_reversed > 0:
        returns.append(
            Return(
                amount=refund.psc_reversed,
                code=TransferCode.REVERSAL,
                debit_account_id=chart.account_by_key(chart.PSC_INCOME).id,
                id_parts=("grant", grant.id, "refund", refund.id, "psc"),
                memo=f"{grant.reference}: support cost on the refunded funds",
            )
        )
    return returns


def close_grant(*, actor: User, grant: Grant, now: datetime | None = None) -> Grant:
    """Release what was committed but never paid back to the fund; the grant account ends at
    zero and the grant becomes read-only."""
    lock_rows(grant)
    ensure_fund_staff(actor, grant, Permission.CLOSE_GRANT)
    require_status(
        grant,
        GrantStatus.CLOSING,
        message=N_("Start the closure of %(reference)s first; it is %(status)s."),
    )
    account = grant_ledger_account(grant)
    statement = _check_closable(grant, account)
    released = statement.undisbursed
    if released > 0:
        # Back to the balances that funded the grant, in proportion (app/funding).
        post_returns(
            actor=actor,
            grant_id=grant.id,
            grant_account_id=account.id,
            returns=[
                Return(
                    amount=released,
                    code=TransferCode.RELEASE,
                    debit_account_id=account.id,
                    id_parts=("grant", grant.id, "release"),
                    memo=f"{grant.reference}: undisbursed commitment released at closure",
                )
            ],
        )
    GRANT_WORKFLOW.transition(
        grant, GrantStatus.CLOSED, actor=actor, changes={"released": [None, released]}
    )
    grant.released_amount = released
    grant.closed_at = now or utcnow()
    grant.closed_by_id = actor.id
    db.session.flush()
    return grant


def _check_closable(grant: Grant, account: Any) -> ClosureStatement:
    """Nothing owed, every tranche paid or cancelled, and the ledger agreeing with the grant."""
    statement = closure_statement(grant)
    if statement.refund_outstanding > 0:
        raise Conflict(
            N_(
                "The grantee still owes %(owed)s of unspent funds: record the refund before "
                "closing."
            ),
            owed=format_money(statement.refund_outstanding, grant.currency),
        )
    for tranche in grant.tranches:
        if tranche.status not in (TrancheStatus.PAID, TrancheStatus.CANCELLED):
            raise Conflict(
                N_("Tranche %(number)s is %(status)s: it must be paid or cancelled."),
                number=tranche.number,
                status=str(tranche.status),
            )
    balance = account_balance(account=account)
    if balance.pending != 0 or balance.posted != statement.undisbursed:
        raise Conflict(
            N_(
                "The ledger shows %(ledger)s on the grant's account but the grant expects "
                "%(expected)s: nothing was released. Ask finance to check the ledger."
            ),
            ledger=format_money(balance.posted, grant.currency),
            expected=format_money(statement.undisbursed, grant.currency),
        )
    return statement
