"""Applying a bank receipt to a confirmed pledge, with its exchange difference."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from app.accounts.models import User
from app.accounts.permissions import Permission, ensure_permission
from app.audit.services import record_event
from app.donations.models import (
    PAYABLE_PLEDGE_STATUSES,
    BankReceipt,
    BankReceiptAllocation,
    Pledge,
    PledgeStatus,
)
from app.donations.services.exchange_rates import functional_currency
from app.donations.workflow import PLEDGE_WORKFLOW
from app.funding.services import contribution_account_id
from app.ledger.chart import (
    CASH_BANK,
    FUND_PLEDGED,
    account_by_key,
    receivable_account,
)
from app.ledger.models import TransferCode
from app.ledger.rules import TransferSpec
from app.ledger.services.posting import post_transfers, require_accepted, transfer_id
from app.platform.db import lock_rows
from app.platform.errors import N_, ValidationFailed
from app.platform.extensions import db
from app.platform.money import convert_at_rate


def _cumulative_share(total_functional: int, part: int, whole: int) -> int:
    """``total_functional x part / whole``, rounded half to even (the FX rounding rule)."""
    value = Decimal(total_functional) * Decimal(part) / Decimal(whole)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def allocate_bank_receipt(
    *, actor: User, bank_receipt: BankReceipt, pledge: Pledge, amount: int
) -> BankReceiptAllocation:
    """Apply part of a bank receipt to a confirmed pledge.

    The cash is converted at the rate of the value date; the receivable was booked at the
    confirmation rate: the difference is posted as an exchange gain or loss, so the pledge's
    receivable is cleared exactly when it is paid in full. Amounts are computed cumulatively,
    so partial payments never drift by a cent from the whole.
    """
    ensure_permission(actor, Permission.RECORD_BANK_RECEIPT)
    # Two officers (or a double click) applying the same receipt, or paying the same pledge, at
    # once: the second waits here and then sees what the first applied. Always the receipt
    # first, then the pledge, so two such waits can never form a cycle.
    lock_rows(bank_receipt, pledge)
    _check_allocation(bank_receipt=bank_receipt, pledge=pledge, amount=amount)
    assert pledge.functional_amount is not None
    functional = functional_currency()
    if bank_receipt.donor_id is None:
        bank_receipt.donor = pledge.donor

    cash = _cash_share(bank_receipt, amount=amount, functional=functional)
    carrying = _carrying_share(pledge, amount=amount)

    allocation = BankReceiptAllocation(
        bank_receipt=bank_receipt,
        pledge=pledge,
        amount=amount,
        functional_amount=cash,
        carrying_amount=carrying,
        created_by_id=actor.id,
    )
    db.session.add(allocation)
    db.session.flush()

    specs = _allocation_transfers(allocation, cash=cash, carrying=carrying)
    require_accepted(post_transfers(specs, actor=actor))

    target = PledgeStatus.PAID if pledge.outstanding_amount == 0 else PledgeStatus.PARTIALLY_PAID
    if target != pledge.status:
        PLEDGE_WORKFLOW.transition(pledge, target, actor=actor)
    record_event(
        actor=actor,
        action="bank_receipt.allocated",
        subject=bank_receipt,
        summary=f"{amount} {pledge.currency} applied to pledge {pledge.id}",
        changes={"pledge_id": pledge.id, "amount": amount, "functional_amount": cash},
    )
    db.session.flush()
    return allocation


def _check_allocation(*, bank_receipt: BankReceipt, pledge: Pledge, amount: int) -> None:
    """The pledge can take this much of this receipt (read after both rows are locked)."""
    if pledge.status not in PAYABLE_PLEDGE_STATUSES:
        raise ValidationFailed(N_("Only a confirmed pledge can be paid: confirm the pledge first."))
    if bank_receipt.currency != pledge.currency:
        raise ValidationFailed(
            N_("The receipt is in %(receipt)s and the pledge in %(pledge)s: they must match."),
            receipt=bank_receipt.currency,
            pledge=pledge.currency,
        )
    if bank_receipt.donor_id is not None and bank_receipt.donor_id != pledge.donor_id:
        raise ValidationFailed(N_("This money came from another donor than the pledge's."))
    if amount <= 0:
        raise ValidationFailed(N_("The amount must be more than zero."))
    if amount > bank_receipt.unapplied_amount:
        raise ValidationFailed(N_("That is more than what remains unapplied on this receipt."))
    if amount > pledge.outstanding_amount:
        raise ValidationFailed(
            N_("That is more than the pledge's outstanding balance; the rest stays unapplied.")
        )


def _cash_share(bank_receipt: BankReceipt, *, amount: int, functional: str) -> int:
    """The cash this part brings, at the value date's rate: what the receipt's applied total is
    worth after it, less what was already booked (the last part takes the receipt's remainder)."""
    applied_before = bank_receipt.allocated_amount
    functional_before = sum(a.functional_amount for a in bank_receipt.allocations)
    applied_after = applied_before + amount
    if applied_after == bank_receipt.amount:
        functional_after = bank_receipt.functional_amount
    else:
        functional_after = convert_at_rate(
            applied_after,
            currency=bank_receipt.currency,
            rate=bank_receipt.fx_rate,
            to_currency=functional,
        )
    return functional_after - functional_before


def _carrying_share(pledge: Pledge, *, amount: int) -> int:
    """The part of the receivable (booked at the confirmation rate) this payment clears; the
    payment that completes the pledge clears all that remains."""
    assert pledge.functional_amount is not None
    paid_after = pledge.paid_amount + amount
    carried_before = sum(a.carrying_amount for a in pledge.allocations)
    if paid_after == pledge.amount:
        return pledge.carrying_amount
    return _cumulative_share(pledge.functional_amount, paid_after, pledge.amount) - carried_before


def _allocation_transfers(
    allocation: BankReceiptAllocation, *, cash: int, carrying: int
) -> list[TransferSpec]:
    """The exchange gain first, then the cash and its release to the fund, then the loss."""
    bank_receipt, pledge = allocation.bank_receipt, allocation.pledge
    receivable = receivable_account(donor_id=pledge.donor_id, name=pledge.donor.name)
    pledged = account_by_key(FUND_PLEDGED)
    document_type, document_id = "bank_receipt_allocation", str(allocation.id)
    difference = cash - carrying
    specs: list[TransferSpec] = []
    if difference > 0:
        specs.append(
            TransferSpec(
                id=transfer_id("allocation", allocation.id, "fx"),
                code=TransferCode.ADJUSTMENT,
                amount=difference,
                debit_account_id=receivable.id,
                credit_account_id=pledged.id,
                memo="Exchange gain on pledge payment",
                document_type=document_type,
                document_id=document_id,
            )
        )
    if cash > 0:
        specs += [
            TransferSpec(
                id=transfer_id("allocation", allocation.id, "cash"),
                code=TransferCode.PLEDGE_PAYMENT,
                amount=cash,
                debit_account_id=account_by_key(CASH_BANK).id,
                credit_account_id=receivable.id,
                memo=f"Bank receipt {bank_receipt.bank_reference}",
                document_type=document_type,
                document_id=document_id,
            ),
            TransferSpec(
                id=transfer_id("allocation", allocation.id, "release"),
                code=TransferCode.PLEDGE_PAYMENT,
                amount=cash,
                debit_account_id=pledged.id,
                # A restricted pledge's money goes to its own balance (app/funding).
                credit_account_id=contribution_account_id(pledge.id),
                memo=f"Pledge {pledge.id} paid",
                document_type=document_type,
                document_id=document_id,
            ),
        ]
    if difference < 0:
        specs.append(
            TransferSpec(
                id=transfer_id("allocation", allocation.id, "fx"),
                code=TransferCode.ADJUSTMENT,
                amount=-difference,
                debit_account_id=pledged.id,
                credit_account_id=receivable.id,
                memo="Exchange loss on pledge payment",
                document_type=document_type,
                document_id=document_id,
            )
        )
    return specs
