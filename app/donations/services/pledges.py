"""Pledges: made by a donor (or finance for them), confirmed, cancelled or written off."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.accounts.models import User
from app.accounts.permissions import Permission, can_pledge_for, has_permission
from app.applications.services.documents import check_uploaded_file
from app.audit.services import record_event
from app.donations.models import Donor, Pledge, PledgeInstalment, PledgeStatus
from app.donations.services.checks import check_amount, check_currency
from app.donations.services.exchange_rates import convert_to_functional
from app.donations.workflow import PLEDGE_WORKFLOW
from app.ledger.chart import FUND_PLEDGED, account_by_key, receivable_account
from app.ledger.models import TransferCode
from app.ledger.rules import TransferSpec
from app.ledger.services.posting import post_transfers, require_accepted, transfer_id
from app.platform.categories import Theme
from app.platform.db import lock_rows, utcnow
from app.platform.errors import N_, NotFound, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.platform.money import amount_param
from app.platform.storage import Storage


@dataclass(frozen=True)
class Instalment:
    due_on: date
    amount: int


@dataclass(frozen=True)
class LetterUpload:
    """An uploaded pledge letter, not yet checked."""

    filename: str
    data: bytes


def _check_pledge(
    *, amount: int, currency: str, year: int, earmark: str | None, instalments: Sequence[Instalment]
) -> tuple[str, str | None]:
    currency = check_currency(currency)
    check_amount(amount)
    this_year = utcnow().year
    if not this_year - 5 <= year <= this_year + 10:
        raise ValidationFailed(N_("%(year)s is not a year this pledge can be for."), year=year)
    if earmark and earmark not in {theme.value for theme in Theme}:
        raise ValidationFailed(N_("%(earmark)s is not one of the fund's themes."), earmark=earmark)
    if instalments:
        total = sum(i.amount for i in instalments)
        if total != amount:
            raise ValidationFailed(
                N_("The instalments add up to %(total)s; they must add up to %(amount)s."),
                total=amount_param(total, currency),
                amount=amount_param(amount, currency),
            )
        if any(i.amount <= 0 for i in instalments):
            raise ValidationFailed(N_("Every instalment must be more than zero."))
    return currency, (earmark or None)


def make_pledge(
    *,
    actor: User,
    donor: Donor,
    amount: int,
    currency: str,
    year: int,
    earmark: str | None = None,
    instalments: Sequence[Instalment] = (),
    letter: LetterUpload | None = None,
    storage: Storage | None = None,
    note: str | None = None,
) -> Pledge:
    """A donor pledges for themselves or their organisation; finance may record it for them."""
    if not (can_pledge_for(actor, donor) or has_permission(actor, Permission.CONFIRM_PLEDGE)):
        raise PermissionDenied(N_("You cannot pledge for %(donor)s."), donor=donor.name)
    currency, earmark = _check_pledge(
        amount=amount, currency=currency, year=year, earmark=earmark, instalments=instalments
    )
    pledge = Pledge(
        donor=donor,
        amount=amount,
        currency=currency,
        year=year,
        earmark=earmark,
        note=(note or "").strip() or None,
        created_by_id=actor.id,
        instalments=[PledgeInstalment(due_on=i.due_on, amount=i.amount) for i in instalments],
    )
    if letter is not None and storage is not None:
        _store_letter(pledge, letter, storage)
    db.session.add(pledge)
    db.session.flush()
    record_event(
        actor=actor,
        action="pledge.made",
        subject=pledge,
        summary=f"{donor.name} pledged {amount} {currency} for {year}",
    )
    return pledge


def _store_letter(pledge: Pledge, letter: LetterUpload, storage: Storage) -> None:
    """Check the file by its content (PDF, Word, images), then keep it in private storage."""
    inspected = check_uploaded_file(filename=letter.filename, data=letter.data)
    pledge.letter_key = storage.save(letter.data)
    pledge.letter_filename = inspected.filename
    pledge.letter_content_type = inspected.content_type
    pledge.letter_size = inspected.size_bytes


def attach_pledge_letter(
    *, actor: User, pledge: Pledge, letter: LetterUpload, storage: Storage
) -> str | None:
    """Upload (or replace) the pledge letter; returns the storage key of a replaced file."""
    if not (
        can_pledge_for(actor, pledge.donor) or has_permission(actor, Permission.CONFIRM_PLEDGE)
    ):
        raise PermissionDenied(N_("You do not have permission to do this."))
    if pledge.status in (PledgeStatus.CANCELLED, PledgeStatus.WRITTEN_OFF):
        raise ValidationFailed(N_("This pledge is closed."))
    previous = pledge.letter_key
    _store_letter(pledge, letter, storage)
    record_event(
        actor=actor,
        action="pledge.letter_attached",
        subject=pledge,
        summary=f"letter {pledge.letter_filename}",
    )
    return previous


def confirm_pledge(*, actor: User, pledge: Pledge, on: date) -> Pledge:
    """Finance confirms (letter or agreement received): the receivable is booked at the rate in
    force on ``on``."""
    lock_rows(pledge)  # a second confirmation at the same moment then finds it confirmed
    if on > utcnow().date():
        raise ValidationFailed(N_("The confirmation date cannot be in the future."))
    conversion = convert_to_functional(amount=pledge.amount, currency=pledge.currency, on=on)
    if conversion.amount <= 0:
        raise ValidationFailed(N_("This amount is worth nothing in the functional currency."))
    PLEDGE_WORKFLOW.transition(
        pledge,
        PledgeStatus.CONFIRMED,
        actor=actor,
        changes={"functional_amount": conversion.amount, "fx_rate": str(conversion.rate)},
    )
    pledge.functional_amount = conversion.amount
    pledge.fx_rate = conversion.rate
    pledge.confirmed_on = on
    pledge.confirmed_by_id = actor.id
    receivable = receivable_account(donor_id=pledge.donor_id, name=pledge.donor.name)
    require_accepted(
        post_transfers(
            [
                TransferSpec(
                    id=transfer_id("pledge", pledge.id, "confirmed"),
                    code=TransferCode.PLEDGE,
                    amount=conversion.amount,
                    debit_account_id=receivable.id,
                    credit_account_id=account_by_key(FUND_PLEDGED).id,
                    document_type="pledge",
                    document_id=str(pledge.id),
                    memo=f"Pledge {pledge.amount} {pledge.currency} at {conversion.rate}",
                )
            ],
            actor=actor,
        )
    )
    db.session.flush()
    return pledge


def _close_pledge(
    *, actor: User, pledge: Pledge, target: PledgeStatus, reason: str, code: TransferCode
) -> Pledge:
    if not reason.strip():
        raise ValidationFailed(N_("Please say why."))
    # A payment being applied at this moment (allocations.py locks the same row) counts first.
    lock_rows(pledge)
    remaining = pledge.carrying_amount if pledge.functional_amount is not None else 0
    PLEDGE_WORKFLOW.transition(
        pledge, target, actor=actor, reason=reason.strip()[:300], changes={"remaining": remaining}
    )
    if remaining > 0:
        receivable = receivable_account(donor_id=pledge.donor_id, name=pledge.donor.name)
        require_accepted(
            post_transfers(
                [
                    TransferSpec(
                        id=transfer_id("pledge", pledge.id, target.value),
                        code=code,
                        amount=remaining,
                        debit_account_id=account_by_key(FUND_PLEDGED).id,
                        credit_account_id=receivable.id,
                        document_type="pledge",
                        document_id=str(pledge.id),
                        memo=f"Pledge {target.value}: {reason.strip()[:200]}",
                    )
                ],
                actor=actor,
            )
        )
    pledge.closed_functional_amount = remaining
    db.session.flush()
    return pledge


def cancel_pledge(*, actor: User, pledge: Pledge, reason: str) -> Pledge:
    """Withdraw a pledge on which nothing was paid; a confirmed one's receivable is reversed."""
    return _close_pledge(
        actor=actor,
        pledge=pledge,
        target=PledgeStatus.CANCELLED,
        reason=reason,
        code=TransferCode.REVERSAL,
    )


def write_off_pledge(*, actor: User, pledge: Pledge, reason: str) -> Pledge:
    """Give up on what remains of a confirmed pledge (the donor will not pay it)."""
    return _close_pledge(
        actor=actor,
        pledge=pledge,
        target=PledgeStatus.WRITTEN_OFF,
        reason=reason,
        code=TransferCode.PLEDGE_WRITE_OFF,
    )


def get_pledge(pledge_id: int) -> Pledge:
    pledge = db.session.get(Pledge, pledge_id)
    if pledge is None:
        raise NotFound(N_("There is no such pledge."))
    return pledge
