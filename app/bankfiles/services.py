"""Payment files and bank statements, through the existing services only: a file's tranches are
sent with ``send_disbursement``, recorded paid with ``confirm_disbursement`` (or failed, when a
file is cancelled, with ``record_disbursement_failure``); money in is recorded with
``record_bank_receipt`` and applied with ``allocate_bank_receipt``. Nothing here posts on the
ledger itself."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from rapidfuzz import fuzz, utils
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.accounts.permissions import Permission, ensure_permission
from app.audit.services import record_event
from app.bankfiles import camt053, pain001
from app.bankfiles.models import (
    BankStatement,
    BatchStatus,
    EntryOutcome,
    PaymentBatch,
    PaymentBatchItem,
    StatementEntry,
)
from app.donations.models import (
    PAYABLE_PLEDGE_STATUSES,
    BankReceipt,
    DonationReceipt,
    Pledge,
)
from app.donations.services.allocations import allocate_bank_receipt
from app.donations.services.bank_receipts import record_bank_receipt, reference_key
from app.grants.models import Grant, Tranche, TrancheStatus
from app.grants.services.disbursements import (
    confirm_disbursement,
    record_disbursement_failure,
    send_disbursement,
)
from app.organisations.models import BankAccount
from app.platform.db import utcnow
from app.platform.errors import N_, Conflict, DomainError, InvalidTransition, ValidationFailed
from app.platform.extensions import db
from app.platform.settings import settings

# ---------------------------------------------------------------------------------------------
# Payment files (pain.001)


def end_to_end_id(tranche: Tranche) -> str:
    """The id the bank returns on the statement line: one per tranche and attempt."""
    return f"TFG-T{tranche.id}-A{tranche.attempt}"


def batchable_tranches() -> dict[str, list[Tranche]]:
    """Approved tranches of active grants, by currency: what the next files would pay."""
    rows = db.session.execute(
        sa.select(Tranche)
        .join(Tranche.grant)
        .where(Tranche.status == TrancheStatus.APPROVED)
        .options(joinedload(Tranche.grant).joinedload(Grant.organisation))
        .order_by(Grant.currency, Tranche.approved_at, Tranche.id)
    ).scalars()
    found: dict[str, list[Tranche]] = {}
    for tranche in rows:
        found.setdefault(tranche.grant.currency, []).append(tranche)
    return found


def _creditor(tranche: Tranche) -> pain001.Party:
    account = (
        db.session.get(BankAccount, tranche.approved_account_id)
        if tranche.approved_account_id
        else None
    )
    if account is None:
        raise Conflict(
            N_("%(tranche)s has no approved bank account. Nothing was made."),
            tranche=tranche.reference,
        )
    number = account.iban or account.account_number or ""
    return pain001.Party(
        name=account.holder_name, account=number, bic=account.bic, country=account.country
    )


class PastExecutionDate(ValidationFailed):
    """The pay date asked of the bank is before today (the fund's today, in UTC)."""


def create_batch(
    *,
    actor: User,
    currency: str,
    tranche_ids: Iterable[int],
    execution_date: date | None = None,
    now: datetime | None = None,
) -> PaymentBatch:
    """Make the payment file of these approved tranches (one currency, paid from the fund's
    account for it) and send each one: the file is the order to the bank. All or nothing."""
    ensure_permission(actor, Permission.CONFIRM_DISBURSEMENT)
    now = now or utcnow()
    if execution_date is not None and execution_date < now.date():
        # A bank rejects (or silently moves) an execution date in the past.
        raise PastExecutionDate(
            N_(
                "The pay date %(day)s is in the past: choose today (%(today)s) or a later day. "
                "Nothing was made."
            ),
            day=execution_date.isoformat(),
            today=now.date().isoformat(),
        )
    currency = currency.strip().upper()
    debtor_account = settings().bank_files.debtor_accounts.get(currency)
    if debtor_account is None:
        raise ValidationFailed(
            N_(
                "No fund bank account is set for %(currency)s (setting FUND_BANK_ACCOUNTS), so "
                "no payment file can be made in it. Nothing was made."
            ),
            currency=currency,
        )
    ids = sorted(set(tranche_ids))
    if not ids:
        raise ValidationFailed(N_("Choose at least one approved tranche. Nothing was made."))
    tranches = list(
        db.session.execute(
            sa.select(Tranche).where(Tranche.id.in_(ids)).order_by(Tranche.id)
        ).scalars()
    )
    if len(tranches) != len(ids):
        raise ValidationFailed(N_("A chosen tranche no longer exists. Nothing was made."))
    for tranche in tranches:
        if tranche.grant.currency != currency:
            raise ValidationFailed(
                N_("%(tranche)s is not in %(currency)s: one file per currency. Nothing was made."),
                tranche=tranche.reference,
                currency=currency,
            )
        if tranche.status != TrancheStatus.APPROVED:
            raise InvalidTransition(
                N_(
                    "%(tranche)s is no longer approved and waiting (another file or officer "
                    "took it). Nothing was made."
                ),
                tranche=tranche.reference,
            )
    payments = []
    for tranche in tranches:
        # Every check of a payment (maker-checker, the approved account, holds, screening,
        # the grant's amount) is send_disbursement's; the pending transfer is posted there.
        send_disbursement(actor=actor, tranche=tranche, now=now)
        payments.append(
            pain001.Payment(
                end_to_end_id=end_to_end_id(tranche),
                amount=tranche.amount,
                creditor=_creditor(tranche),
                remittance=f"{tranche.reference} {tranche.grant.title}",
            )
        )
    fund = settings().fund
    message_id = f"TFG{now:%Y%m%d}-{uuid.uuid4().hex[:8].upper()}"
    execution = execution_date or now.date()
    content = pain001.build(
        message_id=message_id,
        created_at=now,
        execution_date=execution,
        currency=currency,
        debtor=pain001.Party(
            name=fund.name, account=debtor_account.account, bic=debtor_account.bic
        ),
        payments=payments,
    )
    batch = PaymentBatch(
        message_id=message_id,
        currency=currency,
        debtor_account=debtor_account.account,
        total=sum(p.amount for p in payments),
        count=len(payments),
        execution_date=execution,
        content=content,
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(batch)
    for tranche in tranches:
        db.session.add(
            PaymentBatchItem(
                batch=batch,
                tranche_id=tranche.id,
                attempt=tranche.attempt,
                end_to_end_id=end_to_end_id(tranche),
                amount=tranche.amount,
            )
        )
    db.session.flush()
    record_event(
        actor=actor,
        action="payment_batch.created",
        subject=batch,
        summary=f"{message_id}: {len(payments)} tranche(s), {batch.total} {currency} "
        f"({', '.join(t.reference for t in tranches)})",
    )
    return batch


def cancel_batch(*, actor: User, batch: PaymentBatch, reason: str) -> PaymentBatch:
    """The file was not (or could not be) executed: each of its tranches is recorded failed
    (the pending transfers voided), to be requested and approved again."""
    ensure_permission(actor, Permission.CONFIRM_DISBURSEMENT)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationFailed(N_("Say why the payment file is cancelled."))
    if batch.status != BatchStatus.OPEN:
        raise InvalidTransition(N_("Only a payment file still waiting for the bank is cancelled."))
    if any(
        item.tranche.status == TrancheStatus.PAID and item.tranche.attempt == item.attempt
        for item in batch.items
    ):
        raise Conflict(
            N_(
                "The bank has already paid part of this file: record the failed payments one "
                "by one on their tranches instead."
            )
        )
    for item in batch.items:
        if item.tranche.status == TrancheStatus.SENT and item.tranche.attempt == item.attempt:
            record_disbursement_failure(
                actor=actor,
                tranche=item.tranche,
                reason=f"Payment file {batch.message_id} cancelled: {reason}",
            )
    batch.status = BatchStatus.CANCELLED
    batch.cancelled_by_id = actor.id
    batch.cancelled_at = utcnow()
    batch.cancellation_reason = reason
    record_event(
        actor=actor,
        action="payment_batch.cancelled",
        subject=batch,
        summary=f"{batch.message_id} cancelled: {reason}",
    )
    db.session.flush()
    return batch


def _settle(batch: PaymentBatch) -> None:
    """A file whose every payment is paid or failed is done."""
    if batch.status == BatchStatus.OPEN and all(
        item.tranche.attempt != item.attempt
        or item.tranche.status in (TrancheStatus.PAID, TrancheStatus.FAILED)
        for item in batch.items
    ):
        batch.status = BatchStatus.DONE


# ---------------------------------------------------------------------------------------------
# Bank statements (camt.053)


@dataclass
class ImportResult:
    statements: list[BankStatement] = field(default_factory=list)
    already_imported: int = 0  # statements seen before, skipped whole
    paid: int = 0
    proposed: int = 0
    unmatched: int = 0
    skipped: int = 0  # transactions already seen in an earlier statement

    @property
    def changed(self) -> bool:
        return bool(self.statements)


def statement_imported(account: str, statement_id: str) -> bool:
    return (
        db.session.execute(
            sa.select(BankStatement.id).where(
                BankStatement.account == account, BankStatement.statement_id == statement_id
            )
        ).first()
        is not None
    )


def import_statement(
    *, actor: User, content: bytes, filename: str, now: datetime | None = None
) -> ImportResult:
    """Import a camt.053 file: each debit paying a tranche of a payment file is recorded paid
    with the bank's reference; each credit is proposed as a pledge's payment (or flagged).
    A malformed file is refused whole; a statement or transaction seen before changes nothing."""
    ensure_permission(actor, Permission.CONFIRM_DISBURSEMENT)
    parsed = camt053.parse(content)
    digest = hashlib.sha256(content).hexdigest()
    result = ImportResult()
    for statement in parsed:
        if statement_imported(statement.account, statement.statement_id):
            result.already_imported += 1
            continue
        row = BankStatement(
            message_id=statement.message_id,
            statement_id=statement.statement_id,
            account=statement.account,
            currency=statement.currency,
            filename=(filename or "statement.xml")[:200],
            sha256=digest,
            imported_by_id=actor.id,
            imported_at=now or utcnow(),
        )
        try:
            with db.session.begin_nested():
                db.session.add(row)
                db.session.flush()
        except IntegrityError:
            # Another officer imported the same statement a moment ago: theirs stands.
            result.already_imported += 1
            continue
        paid, proposed, unmatched = result.paid, result.proposed, result.unmatched
        for tx in statement.transactions:
            _import_transaction(actor=actor, statement=row, tx=tx, result=result, now=now)
        result.statements.append(row)
        record_event(
            actor=actor,
            action="bank_statement.imported",
            subject=row,
            summary=f"{statement.statement_id} of {statement.account}: "
            f"{len(statement.transactions)} transaction(s) ({result.paid - paid} tranche(s) "
            f"paid, {result.proposed - proposed} proposed, {result.unmatched - unmatched} "
            "unmatched)",
        )
    db.session.flush()
    return result


def _import_transaction(
    *,
    actor: User,
    statement: BankStatement,
    tx: camt053.Transaction,
    result: ImportResult,
    now: datetime | None,
) -> None:
    known = db.session.execute(
        sa.select(StatementEntry.id).where(
            StatementEntry.account == statement.account, StatementEntry.entry_key == tx.key
        )
    ).first()
    if known is not None:
        result.skipped += 1
        return
    entry = StatementEntry(
        statement_id=statement.id,
        account=statement.account,
        entry_key=tx.key,
        credit=tx.credit,
        amount=tx.amount,
        currency=tx.currency,
        booking_date=tx.booking_date,
        bank_reference=tx.bank_reference,
        end_to_end_id=tx.end_to_end_id,
        counterparty=tx.counterparty,
        remittance=tx.remittance,
        outcome=EntryOutcome.UNMATCHED,
    )
    db.session.add(entry)
    db.session.flush()
    if tx.credit:
        _propose_pledge(entry)
    else:
        _pay_tranche(actor=actor, entry=entry, now=now)
    db.session.flush()
    if entry.outcome == EntryOutcome.TRANCHE_PAID:
        result.paid += 1
    elif entry.outcome == EntryOutcome.PROPOSED:
        result.proposed += 1
    elif entry.outcome == EntryOutcome.UNMATCHED:
        result.unmatched += 1


def _pay_tranche(*, actor: User, entry: StatementEntry, now: datetime | None) -> None:
    if not entry.end_to_end_id:
        entry.note = N_("A payment out without an EndToEndId: not from a payment file.")
        return
    item = db.session.execute(
        sa.select(PaymentBatchItem).where(PaymentBatchItem.end_to_end_id == entry.end_to_end_id)
    ).scalar_one_or_none()
    if item is None:
        entry.note = N_("No payment file has this EndToEndId.")
        return
    tranche, batch = item.tranche, item.batch
    entry.tranche_id = tranche.id
    if batch.debtor_account != entry.account:
        entry.note = N_("Paid from another account than the payment file's.")
        return
    if entry.amount != item.amount or entry.currency != batch.currency:
        entry.note = N_("The amount or currency differs from the payment file's.")
        return
    if tranche.status == TrancheStatus.PAID and tranche.attempt == item.attempt:
        entry.outcome = EntryOutcome.ALREADY_PAID
        return
    if batch.status == BatchStatus.CANCELLED or tranche.attempt != item.attempt:
        entry.note = N_("The bank paid a tranche of a cancelled payment file: look into it.")
        return
    try:
        with db.session.begin_nested():
            confirm_disbursement(
                actor=actor, tranche=tranche, bank_reference=entry.bank_reference, now=now
            )
    except DomainError as error:
        entry.note = error.message[:500]
        return
    entry.outcome = EntryOutcome.TRANCHE_PAID
    _settle(item.batch)


_PLEDGE_NUMBER = re.compile(r"\bP(?:LEDGE)?\s*[-#:]?\s*0*([1-9][0-9]{0,9})\b", re.IGNORECASE)


def _propose_pledge(entry: StatementEntry) -> None:
    """The pledge this money most likely pays: named in the reference, or of the same amount
    from a donor of the same name; left for finance to confirm."""
    recorded = db.session.execute(
        sa.select(BankReceipt).where(
            BankReceipt.reference_key == reference_key(entry.bank_reference)[:100]
        )
    ).scalar_one_or_none()
    if recorded is not None:
        entry.outcome = EntryOutcome.CONFIRMED
        entry.bank_receipt_id = recorded.id
        entry.note = N_("Already recorded as a bank receipt.")
        return
    candidates = list(
        db.session.execute(
            sa.select(Pledge).where(
                Pledge.status.in_(PAYABLE_PLEDGE_STATUSES), Pledge.currency == entry.currency
            )
        ).scalars()
    )
    named = {int(m) for m in _PLEDGE_NUMBER.findall(entry.remittance or "")}
    best: tuple[int, Pledge] | None = None
    for pledge in candidates:
        score = 0
        if pledge.id in named:
            score += 3
        if entry.amount == pledge.outstanding_amount:
            score += 2
        if entry.counterparty and _same_name(entry.counterparty, pledge.donor.name):
            score += 2
        if score >= 3 and (best is None or score > best[0]):
            best = (score, pledge)
    if best is None:
        entry.note = N_("No pledge matches its reference, amount and payer.")
        return
    entry.outcome = EntryOutcome.PROPOSED
    entry.pledge_id = best[1].id


def _same_name(payer: str, donor: str) -> bool:
    score = fuzz.token_set_ratio(payer, donor, processor=utils.default_process)
    return bool(score >= 85)


def confirm_proposal(*, actor: User, entry: StatementEntry) -> tuple[BankReceipt, DonationReceipt]:
    """Finance agrees: the money is recorded as a bank receipt (and its donation receipt
    numbered) and applied to the pledge."""
    ensure_permission(actor, Permission.RECORD_BANK_RECEIPT)
    if entry.outcome != EntryOutcome.PROPOSED or entry.pledge is None:
        raise InvalidTransition(N_("This transaction has no proposed pledge to confirm."))
    pledge = entry.pledge
    receipt, numbered = record_bank_receipt(
        actor=actor,
        value_date=entry.booking_date,
        amount=entry.amount,
        currency=entry.currency,
        bank_reference=entry.bank_reference,
        donor=pledge.donor,
        payer_name=entry.counterparty,
        note=f"Bank statement {entry.statement.statement_id}",
    )
    applied = min(entry.amount, pledge.outstanding_amount)
    if applied > 0:
        allocate_bank_receipt(actor=actor, bank_receipt=receipt, pledge=pledge, amount=applied)
    entry.outcome = EntryOutcome.CONFIRMED
    entry.bank_receipt_id = receipt.id
    entry.decided_by_id = actor.id
    entry.decided_at = utcnow()
    record_event(
        actor=actor,
        action="bank_statement_entry.confirmed",
        subject=entry,
        summary=f"{entry.bank_reference} ({entry.amount} {entry.currency}) applied to pledge "
        f"{pledge.id}",
    )
    db.session.flush()
    return receipt, numbered


def dismiss_proposal(*, actor: User, entry: StatementEntry) -> StatementEntry:
    """Finance disagrees: the transaction is left unmatched, to be recorded by hand."""
    ensure_permission(actor, Permission.RECORD_BANK_RECEIPT)
    if entry.outcome != EntryOutcome.PROPOSED:
        raise InvalidTransition(N_("This transaction has no proposed pledge to dismiss."))
    entry.outcome = EntryOutcome.DISMISSED
    entry.decided_by_id = actor.id
    entry.decided_at = utcnow()
    record_event(
        actor=actor,
        action="bank_statement_entry.dismissed",
        subject=entry,
        summary=f"{entry.bank_reference}: proposed pledge {entry.pledge_id} dismissed",
    )
    db.session.flush()
    return entry
