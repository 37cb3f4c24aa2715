"""Bank details: a change proposed by the organisation or the fund, confirmed by a second person
of the fund, held for BANK_CHANGE_HOLD_DAYS before money goes to it. Where payments go and the
check each payment step makes are in destinations.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy.orm import joinedload

from app.accounts.models import Organisation, User
from app.accounts.permissions import (
    Permission,
    can_manage_organisation,
    can_verify_organisation,
)
from app.audit.services import record_event
from app.notifications.models import NotificationKind
from app.notifications.services import (
    fund_staff_with,
    link_to,
    notify_all,
    organisation_staff,
)
from app.organisations.models import BankAccount
from app.platform.db import lock_rows, utcnow
from app.platform.errors import (
    N_,
    Conflict,
    PermissionDenied,
    SegregationOfDuties,
    ValidationFailed,
)
from app.platform.extensions import db
from app.platform.settings import settings

MASK = "••••"


@dataclass(frozen=True)
class BankDetails:
    """What a person types: the IBAN, or an account number where IBANs are not used."""

    holder_name: str
    iban: str
    account_number: str
    bic: str
    bank_name: str
    country: str


def _compact(value: str) -> str:
    return "".join(value.split()).upper()


def bank_details_problems(details: BankDetails) -> dict[str, ValidationFailed]:
    """Every field that is wrong and why, keyed by the field's name (the form shows each next to
    its field; the services refuse the first)."""
    problems: dict[str, ValidationFailed] = {}
    country = details.country.strip().upper()
    if not details.holder_name.strip():
        problems["holder_name"] = ValidationFailed(N_("Give the name of the account holder."))
    if not details.bank_name.strip():
        problems["bank_name"] = ValidationFailed(N_("Give the name of the bank."))
    if len(country) != 2:
        problems["country"] = ValidationFailed(N_("Choose the country of the bank."))
    iban_text, number = _compact(details.iban), _compact(details.account_number)
    if iban_text:
        try:
            iban = IBAN(iban_text)
        except SchwiftyException:
            problems["iban"] = ValidationFailed(
                N_("%(iban)s is not a valid IBAN: check it letter by letter."), iban=iban_text
            )
        else:
            if country and iban.country_code != country:
                problems["iban"] = ValidationFailed(
                    N_("This IBAN is of an account in %(iban_country)s, not %(country)s."),
                    iban_country=iban.country_code,
                    country=country,
                )
        if number:
            problems["account_number"] = ValidationFailed(
                N_("Give the IBAN or the account number, not both.")
            )
    elif not number:
        problems["iban"] = ValidationFailed(
            N_("Give the IBAN, or the account number where the country does not use IBANs.")
        )
    elif len(number) > 40 or not number.isalnum():
        problems["account_number"] = ValidationFailed(
            N_("An account number is letters and digits only, at most 40.")
        )
    bic_text = _compact(details.bic)
    try:
        bic = BIC(bic_text)
    except SchwiftyException:
        problems["bic"] = ValidationFailed(
            N_("%(bic)s is not a valid SWIFT/BIC code (8 or 11 letters and digits)."),
            bic=bic_text or "-",
        )
    else:
        if country and bic.country_code != country:
            problems["bic"] = ValidationFailed(
                N_("This SWIFT/BIC code is of a bank in %(bic_country)s, not %(country)s."),
                bic_country=bic.country_code,
                country=country,
            )
    return problems


def account_key(*, iban: str | None, account_number: str | None, bic: str) -> str:
    """The account however it was typed: two organisations with one key share an account."""
    if iban:
        return iban
    return f"{bic[:8]}:{account_number}"


def mask_account(account: BankAccount) -> str:
    """``FR76 •••• •••• 0189``: enough to compare two accounts, never the whole number. The one
    form every page shows."""
    if account.iban:
        return f"{account.iban[:4]} {MASK} {MASK} {account.iban[-4:]}"
    number = account.account_number or ""
    return f"{MASK} {number[-4:]}"


def _hold_days() -> int:
    return settings().bank_accounts.change_hold_days


def warning_days() -> int:
    return settings().bank_accounts.change_warning_days


def _tell(users: Iterable[User], kind: NotificationKind, account: BankAccount) -> None:
    """A notification with the organisation's number and a link to its bank section: never the
    account itself."""
    notify_all(
        users,
        kind=kind,
        link=link_to("organisations.show", organisation_id=account.organisation_id)
        + "#bank-account",
        params={"reference": str(account.organisation_id)},
    )


def _ensure_may_propose(actor: User, organisation: Organisation) -> None:
    if not (
        can_manage_organisation(actor, organisation) or can_verify_organisation(actor, organisation)
    ):
        raise PermissionDenied(
            N_("Only the organisation's own staff or the fund may propose its bank details.")
        )


def _ensure_may_decide(actor: User, account: BankAccount) -> None:
    if not can_verify_organisation(actor, account.organisation):
        raise PermissionDenied(
            N_("Only the fund's staff, outside the organisation, confirm bank details.")
        )


def propose_bank_account(
    *, actor: User, organisation: Organisation, details: BankDetails, now: datetime | None = None
) -> BankAccount:
    """Record new bank details, waiting for a second person's confirmation."""
    _ensure_may_propose(actor, organisation)
    problems = bank_details_problems(details)
    if problems:
        raise next(iter(problems.values()))
    lock_rows(organisation)
    if pending_bank_account(organisation.id) is not None:
        raise Conflict(
            N_(
                "A change of bank details is already waiting for confirmation: it must be "
                "confirmed or rejected first."
            )
        )
    iban = _compact(details.iban) or None
    number = None if iban else _compact(details.account_number)
    bic = BIC(_compact(details.bic)).compact
    account = BankAccount(
        organisation_id=organisation.id,
        holder_name=details.holder_name.strip(),
        iban=iban,
        account_number=number,
        bic=bic,
        bank_name=details.bank_name.strip(),
        country=details.country.strip().upper(),
        account_key=account_key(iban=iban, account_number=number, bic=bic),
        proposed_by_id=actor.id,
        proposed_at=now or utcnow(),
    )
    db.session.add(account)
    db.session.flush()
    record_event(
        actor=actor,
        action="bank_account.proposed",
        summary=f"Bank details {mask_account(account)} proposed for {organisation.name}",
        subject=account,
        changes={"organisation_id": [None, organisation.id]},
    )
    # The fund managers who may confirm it; the proposer may not.
    _tell(
        [
            user
            for user in fund_staff_with(
                Permission.VERIFY_ORGANISATION, organisation_id=organisation.id
            )
            if user.id != actor.id
        ],
        NotificationKind.BANK_CHANGE_PROPOSED,
        account,
    )
    return account


def _pending_locked(account: BankAccount) -> BankAccount:
    """Lock the organisation (the row payments lock too) and re-read the proposal."""
    lock_rows(account.organisation)
    if not account.is_pending:
        raise Conflict(N_("These bank details were already confirmed or rejected."))
    return account


def confirm_bank_account(
    *, actor: User, account: BankAccount, now: datetime | None = None
) -> BankAccount:
    """A second person of the fund confirms: the account replaces the current one, and payments
    wait BANK_CHANGE_HOLD_DAYS."""
    _ensure_may_decide(actor, account)
    _pending_locked(account)
    if account.proposed_by_id == actor.id:
        raise SegregationOfDuties(
            N_("You proposed these bank details, so another colleague must confirm them.")
        )
    now = now or utcnow()
    previous = current_bank_account(account.organisation_id)
    if previous is not None:
        previous.superseded_at = now
        db.session.flush()
    account.confirmed_by_id = actor.id
    account.confirmed_at = now
    account.active_from = now + timedelta(days=_hold_days())
    db.session.flush()
    record_event(
        actor=actor,
        action="bank_account.confirmed",
        summary=(
            f"Bank details {mask_account(account)} confirmed for {account.organisation.name}; "
            f"payments from {account.active_from.isoformat()}"
        ),
        subject=account,
        changes={"superseded": [None, previous.id if previous else None]},
    )
    # Every member, the proposer too: a change someone else slipped in is noticed.
    _tell(
        organisation_staff(account.organisation_id), NotificationKind.BANK_CHANGE_CONFIRMED, account
    )
    return account


def reject_bank_account(
    *, actor: User, account: BankAccount, reason: str, now: datetime | None = None
) -> BankAccount:
    """The fund refuses a proposed change; the current account stays."""
    _ensure_may_decide(actor, account)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(N_("Say why the bank details are rejected."))
    _pending_locked(account)
    account.rejected_by_id = actor.id
    account.rejected_at = now or utcnow()
    account.rejection_reason = reason[:2000]
    db.session.flush()
    record_event(
        actor=actor,
        action="bank_account.rejected",
        summary=f"Bank details {mask_account(account)} rejected for {account.organisation.name}",
        subject=account,
        changes={"reason": [None, account.rejection_reason]},
    )
    _tell(
        organisation_staff(account.organisation_id), NotificationKind.BANK_CHANGE_REJECTED, account
    )
    return account


# --- reading -------------------------------------------------------------------------------


def current_clause() -> sa.ColumnElement[bool]:
    return sa.and_(BankAccount.confirmed_at.is_not(None), BankAccount.superseded_at.is_(None))


def pending_clause() -> sa.ColumnElement[bool]:
    return sa.and_(BankAccount.confirmed_at.is_(None), BankAccount.rejected_at.is_(None))


def current_bank_account(organisation_id: int) -> BankAccount | None:
    return db.session.scalars(
        sa.select(BankAccount).where(
            BankAccount.organisation_id == organisation_id, current_clause()
        )
    ).one_or_none()


def pending_bank_account(organisation_id: int) -> BankAccount | None:
    return db.session.scalars(
        sa.select(BankAccount).where(
            BankAccount.organisation_id == organisation_id, pending_clause()
        )
    ).one_or_none()


def pending_bank_changes() -> list[BankAccount]:
    """Every change waiting for confirmation, the oldest first, with its organisation and
    proposer (one query whatever their number)."""
    return list(
        db.session.scalars(
            sa.select(BankAccount)
            .where(pending_clause())
            .options(joinedload(BankAccount.organisation), joinedload(BankAccount.proposed_by))
            .order_by(BankAccount.proposed_at, BankAccount.id)
        )
    )


def bank_account_history(organisation_id: int) -> list[BankAccount]:
    """Every row, newest first: confirmed, superseded, rejected and pending."""
    return list(
        db.session.scalars(
            sa.select(BankAccount)
            .where(BankAccount.organisation_id == organisation_id)
            .order_by(BankAccount.proposed_at.desc(), BankAccount.id.desc())
        )
    )
