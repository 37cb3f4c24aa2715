"""Donors, exchange rates, receipts, pledges and bank receipts: what finance and donors do.

Card gifts and Stripe's webhooks live in ``payments.py``. Every money movement is posted on the
ledger with a deterministic transfer id, so a retried request never moves money twice.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from app.db import lock_rows, utcnow
from app.domain.accounts.models import Organisation, OrganisationKind, User
from app.domain.accounts.permissions import (
    Permission,
    can_pledge_for,
    ensure_permission,
    has_permission,
)
from app.domain.applications.uploads import inspect_upload
from app.domain.audit.services import record_event
from app.domain.categories import Theme
from app.domain.donations.models import (
    PAYABLE_PLEDGE_STATUSES,
    BankReceipt,
    BankReceiptAllocation,
    DonationReceipt,
    Donor,
    DonorKind,
    ExchangeRate,
    Gift,
    Pledge,
    PledgeInstalment,
    PledgeStatus,
    ReceiptSequence,
)
from app.domain.donations.workflow import PLEDGE_WORKFLOW
from app.domain.errors import N_, Conflict, NotFound, PermissionDenied, ValidationFailed
from app.domain.ledger.chart import (
    CASH_BANK,
    FUND_AVAILABLE,
    FUND_PLEDGED,
    account_by_key,
    receivable_account,
)
from app.domain.ledger.models import TransferCode
from app.domain.ledger.services import (
    TransferSpec,
    post_transfers,
    require_accepted,
    transfer_id,
)
from app.domain.money import MACHINE_NUMBER, convert_at_rate, is_currency
from app.extensions import db
from app.storage import Storage

# Organisations that give (an NGO applies for grants; it does not pledge through this form).
DONOR_KIND_OF_ORGANISATION = {
    OrganisationKind.MEMBER_STATE: DonorKind.MEMBER_STATE,
    OrganisationKind.GOVERNMENT: DonorKind.GOVERNMENT,
    OrganisationKind.INTERGOVERNMENTAL: DonorKind.INTERGOVERNMENTAL,
    OrganisationKind.COMPANY: DonorKind.COMPANY,
    OrganisationKind.FOUNDATION: DonorKind.FOUNDATION,
    OrganisationKind.INDIVIDUAL: DonorKind.INDIVIDUAL,
}
# Ten significant digits and eight decimals at most: exact in the Numeric(18, 8) column, and
# on SQLite too (stored as a double).
RATE_MAX_DIGITS = 10
RATE_MAX_DECIMALS = 8
MAX_AMOUNT_MINOR = 10**13


def functional_currency() -> str:
    return str(current_app.config["FUNCTIONAL_CURRENCY"])


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _actor_id(actor: Any) -> int | None:
    return actor.id if isinstance(actor, User) else None


def _check_currency(currency: str) -> str:
    code = (currency or "").strip().upper()
    if not is_currency(code):
        raise ValidationFailed(N_("%(currency)s is not a currency code."), currency=currency)
    return code


def _check_amount(amount: int) -> None:
    if amount <= 0:
        raise ValidationFailed(N_("The amount must be more than zero."))
    if amount > MAX_AMOUNT_MINOR:
        raise ValidationFailed(N_("The amount is larger than this system accepts."))


# --- donors --------------------------------------------------------------------------------


def find_or_create_individual_donor(*, actor: Any, name: str, email: str) -> Donor:
    """The donor record of a person giving online: their own when signed in, else by e-mail."""
    email = normalise_email(email)
    name = name.strip()
    if not name or not email:
        raise ValidationFailed(N_("Please give your name and e-mail address."))
    query = sa.select(Donor).where(
        Donor.organisation_id.is_(None), Donor.kind == DonorKind.INDIVIDUAL
    )
    if isinstance(actor, User):
        query = query.where(Donor.user_id == actor.id)
    else:
        query = query.where(Donor.user_id.is_(None), Donor.email == email)
    donor = db.session.execute(query.order_by(Donor.id).limit(1)).scalar_one_or_none()
    if donor is not None:
        if donor.email != email:
            donor.email = email  # receipts go where the donor last asked
        return donor
    donor = Donor(
        kind=DonorKind.INDIVIDUAL,
        name=name[:300],
        email=email,
        user_id=_actor_id(actor),
    )
    db.session.add(donor)
    db.session.flush()
    record_event(actor=actor, action="donor.created", subject=donor, summary=f"donor {donor.name}")
    return donor


def donor_for_organisation(*, actor: User, organisation: Organisation) -> Donor:
    """The organisation's donor record, created the first time it gives."""
    kind = DONOR_KIND_OF_ORGANISATION.get(organisation.kind)
    if kind is None:
        raise ValidationFailed(
            N_("%(name)s is registered as a grant applicant, not as a donor."),
            name=organisation.name,
        )
    donor = db.session.execute(
        sa.select(Donor).where(Donor.organisation_id == organisation.id)
    ).scalar_one_or_none()
    if donor is not None:
        return donor
    donor = Donor(
        kind=kind,
        name=organisation.name,
        email=organisation.contact_email,
        country=organisation.country,
        organisation_id=organisation.id,
    )
    db.session.add(donor)
    db.session.flush()
    record_event(actor=actor, action="donor.created", subject=donor, summary=f"donor {donor.name}")
    return donor


def create_donor(
    *,
    actor: User,
    kind: DonorKind,
    name: str,
    country: str | None = None,
    email: str | None = None,
    public_recognition: bool = False,
) -> Donor:
    """Finance records an institutional donor that does not use the portal (a Note Verbale)."""
    if not (
        has_permission(actor, Permission.CONFIRM_PLEDGE)
        or has_permission(actor, Permission.RECORD_BANK_RECEIPT)
    ):
        raise PermissionDenied(N_("You do not have permission to do this."))
    if not name.strip():
        raise ValidationFailed(N_("Please give the donor's name."))
    donor = Donor(
        kind=kind,
        name=name.strip()[:300],
        country=(country or None),
        email=normalise_email(email) if email else None,
        public_recognition=public_recognition,
    )
    db.session.add(donor)
    db.session.flush()
    record_event(actor=actor, action="donor.created", subject=donor, summary=f"donor {donor.name}")
    return donor


def donors_of(user: User) -> list[Donor]:
    """The donor records a signed-in person acts for: their own and their organisations'."""
    organisation_ids = [m.organisation_id for m in user.memberships]
    conditions: list[sa.ColumnElement[bool]] = [
        sa.and_(Donor.organisation_id.is_(None), Donor.user_id == user.id)
    ]
    if user.email_confirmed:
        conditions.append(
            sa.and_(
                Donor.organisation_id.is_(None),
                Donor.user_id.is_(None),
                Donor.email == user.email,
            )
        )
    if organisation_ids:
        conditions.append(Donor.organisation_id.in_(organisation_ids))
    return list(
        db.session.execute(sa.select(Donor).where(sa.or_(*conditions)).order_by(Donor.name))
        .scalars()
        .all()
    )


# --- exchange rates ------------------------------------------------------------------------


@dataclass(frozen=True)
class Conversion:
    """An amount converted to the functional currency, with the rate and month that applied."""

    amount: int
    rate: Decimal
    month: date | None


def month_start(day: date) -> date:
    return day.replace(day=1)


def parse_rate(text: str | Decimal) -> Decimal:
    """A rate in the machine format of the CSV import ("0.926": a point, no groups), or one a
    form already read; refuses zero, negatives and more precision than we keep."""
    if isinstance(text, str) and MACHINE_NUMBER.fullmatch(text.strip()) is None:
        raise ValidationFailed(N_("%(rate)s is not a number (write it like 0.926)."), rate=text)
    try:
        rate = Decimal(str(text).strip())
    except InvalidOperation:
        raise ValidationFailed(N_("%(rate)s is not a number."), rate=str(text))
    if not rate.is_finite() or rate <= 0:
        raise ValidationFailed(N_("An exchange rate must be a positive number."))
    _sign, digits, exponent = rate.normalize().as_tuple()
    decimals = -int(exponent) if int(exponent) < 0 else 0
    # 1E+20 has one digit and an exponent of 20: twenty-one digits before the point.
    integer_digits = max(len(digits) + int(exponent), 0)
    if decimals > RATE_MAX_DECIMALS or integer_digits + decimals > RATE_MAX_DIGITS:
        raise ValidationFailed(
            N_("%(rate)s is too precise: at most %(digits)s digits, %(decimals)s after the point."),
            rate=str(text),
            digits=RATE_MAX_DIGITS,
            decimals=RATE_MAX_DECIMALS,
        )
    return rate


def set_exchange_rate(*, actor: User, currency: str, month: date, rate: Decimal) -> ExchangeRate:
    """Record (or correct) the operational rate of a month. Conversions already made keep the
    rate they used: each stores its own copy."""
    ensure_permission(actor, Permission.MANAGE_EXCHANGE_RATES)
    currency = _check_currency(currency)
    if currency == functional_currency():
        raise ValidationFailed(
            N_("%(currency)s is the functional currency: its rate is always 1."),
            currency=currency,
        )
    rate = parse_rate(rate)
    month = month_start(month)
    existing = db.session.execute(
        sa.select(ExchangeRate).where(
            ExchangeRate.currency == currency, ExchangeRate.month == month
        )
    ).scalar_one_or_none()
    if existing is not None:
        if existing.rate == rate:
            return existing
        old = existing.rate
        existing.rate = rate
        existing.recorded_by_id = actor.id
        record_event(
            actor=actor,
            action="exchange_rate.corrected",
            subject=existing,
            summary=f"{currency} {month:%Y-%m}: {old} → {rate}",
            changes={"rate": [str(old), str(rate)]},
        )
        return existing
    record = ExchangeRate(currency=currency, month=month, rate=rate, recorded_by_id=actor.id)
    db.session.add(record)
    db.session.flush()
    record_event(
        actor=actor,
        action="exchange_rate.set",
        subject=record,
        summary=f"{currency} {month:%Y-%m}: {rate}",
    )
    return record


def parse_month(text: str) -> date:
    value = text.strip()
    for pattern in ("%Y-%m", "%Y-%m-%d", "%m/%Y"):
        try:
            return month_start(datetime.strptime(value, pattern).date())
        except ValueError:
            continue
    raise ValidationFailed(N_("%(month)s is not a month (use 2026-01)."), month=text)


def import_exchange_rates(*, actor: User, text: str) -> list[ExchangeRate]:
    """Import a CSV with the columns currency, month, rate (a header line first).

    All or nothing: the first bad line is named and nothing is recorded.
    """
    ensure_permission(actor, Permission.MANAGE_EXCHANGE_RATES)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = {(name or "").strip().lower() for name in (reader.fieldnames or [])}
    if not {"currency", "month", "rate"} <= fields:
        raise ValidationFailed(
            N_("The file needs a header line with the columns currency, month and rate.")
        )
    parsed: list[tuple[str, date, Decimal]] = []
    for line_number, row in enumerate(reader, start=2):
        values = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items()}
        if not any(values.values()):
            continue
        try:
            currency = _check_currency(values.get("currency", ""))
            if currency == functional_currency():
                raise ValidationFailed(
                    N_("%(currency)s is the functional currency: its rate is always 1."),
                    currency=currency,
                )
            parsed.append(
                (currency, parse_month(values.get("month", "")), parse_rate(values["rate"]))
            )
        except ValidationFailed as error:
            raise ValidationFailed(
                N_("Line %(line)s: %(problem)s"), line=line_number, problem=error.message
            )
    if not parsed:
        raise ValidationFailed(N_("The file holds no rates."))
    return [
        set_exchange_rate(actor=actor, currency=currency, month=month, rate=rate)
        for currency, month, rate in parsed
    ]


def rate_in_force(*, currency: str, on: date) -> ExchangeRate | None:
    """The rate of the latest month that started on or before ``on`` (rates are monthly)."""
    return db.session.execute(
        sa.select(ExchangeRate)
        .where(ExchangeRate.currency == currency.upper(), ExchangeRate.month <= on)
        .order_by(ExchangeRate.month.desc())
        .limit(1)
    ).scalar_one_or_none()


def convert_to_functional(*, amount: int, currency: str, on: date) -> Conversion:
    """``amount`` at the operational rate in force on ``on`` (both amounts are then stored)."""
    functional = functional_currency()
    if currency.upper() == functional:
        return Conversion(amount=amount, rate=Decimal(1), month=None)
    rate = rate_in_force(currency=currency, on=on)
    if rate is None:
        raise ValidationFailed(
            N_(
                "There is no exchange rate for %(currency)s in force on %(day)s: finance must "
                "record the month's UN operational rate first."
            ),
            currency=currency.upper(),
            day=on.isoformat(),
        )
    return Conversion(
        amount=convert_at_rate(amount, currency=currency, rate=rate.rate, to_currency=functional),
        rate=rate.rate,
        month=rate.month,
    )


def offered_currencies(*, on: date) -> list[str]:
    """The Give page's currencies that can be converted today (the functional one always)."""
    functional = functional_currency()
    offered = []
    for code in current_app.config["DONATION_CURRENCIES"]:
        code = code.strip().upper()
        if code and (code == functional or rate_in_force(currency=code, on=on) is not None):
            offered.append(code)
    return offered


# --- receipts ------------------------------------------------------------------------------


def _next_receipt_number(year: int) -> int:
    """One more number in the year's sequence.

    The UPDATE takes the row lock, so concurrent receipts wait for each other and never share
    a number; the unique (year, number) constraint is the last line of defence.
    """
    table = cast(sa.Table, ReceiptSequence.__table__)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(table)
        .values(year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    number = db.session.execute(
        sa.update(table)
        .where(table.c.year == year)
        .values(last_number=table.c.last_number + 1)
        .returning(table.c.last_number)
    ).scalar_one()
    return int(number)


def issue_receipt(
    *, gift: Gift | None = None, bank_receipt: BankReceipt | None = None, at: datetime | None = None
) -> DonationReceipt:
    """The numbered receipt for a succeeded gift or a bank receipt (at most one each)."""
    if (gift is None) == (bank_receipt is None):
        raise ValueError("a receipt is for exactly one gift or bank receipt")
    at = at or utcnow()
    receipt = DonationReceipt(
        year=at.year,
        number=_next_receipt_number(at.year),
        gift=gift,
        bank_receipt=bank_receipt,
        issued_at=at,
    )
    db.session.add(receipt)
    db.session.flush()
    return receipt


def receipt_for(
    *, gift: Gift | None = None, bank_receipt: BankReceipt | None = None
) -> DonationReceipt | None:
    query = sa.select(DonationReceipt)
    if gift is not None:
        query = query.where(DonationReceipt.gift_id == gift.id)
    elif bank_receipt is not None:
        query = query.where(DonationReceipt.bank_receipt_id == bank_receipt.id)
    else:
        return None
    return db.session.execute(query).scalar_one_or_none()


def mark_receipt_emailed(*, receipt: DonationReceipt) -> None:
    receipt.emailed_at = utcnow()


# --- pledges -------------------------------------------------------------------------------


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
    currency = _check_currency(currency)
    _check_amount(amount)
    this_year = utcnow().year
    if not this_year - 5 <= year <= this_year + 10:
        raise ValidationFailed(N_("%(year)s is not a year this pledge can be for."), year=year)
    if earmark and earmark not in {theme.value for theme in Theme}:
        raise ValidationFailed(N_("%(earmark)s is not one of the fund's themes."), earmark=earmark)
    if instalments:
        if sum(i.amount for i in instalments) != amount:
            raise ValidationFailed(N_("The instalments must add up to the amount pledged."))
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
    inspected = inspect_upload(
        letter.data, letter.filename, max_bytes=int(current_app.config["UPLOAD_MAX_BYTES"])
    )
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
    lock_rows(pledge)  # a payment being applied at this moment is counted first (see below)
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


# --- bank receipts -------------------------------------------------------------------------


# Two receipts of the same amount from the same donor this many days apart or less may be one
# transfer recorded twice: the finance officer is asked before the second is recorded.
SIMILAR_RECEIPT_DAYS = 3


class PossibleDuplicate(Conflict):
    """A receipt much like this one is recorded; recorded anyway once the officer confirms."""


def reference_key(reference: str) -> str:
    """What tells two transfers apart in a bank reference: its letters and digits, in upper case
    ("PROBE-RCPT-1", "probe rcpt 1" and "PROBE.RCPT/1" are one transfer). The migration
    c2e7b00014 holds a copy of this rule: change it only with a new migration."""
    text = unicodedata.normalize("NFKC", reference).upper()
    return "".join(char for char in text if char.isalnum())


def _similar_receipt(
    *,
    donor: Donor | None,
    payer_name: str | None,
    amount: int,
    currency: str,
    value_date: date,
) -> BankReceipt | None:
    """A recorded receipt of the same amount, from the same donor (or payer, when the donor is
    not known), with a value date a few days from this one."""
    query = sa.select(BankReceipt).where(
        BankReceipt.amount == amount,
        BankReceipt.currency == currency,
        BankReceipt.value_date.between(
            value_date - timedelta(days=SIMILAR_RECEIPT_DAYS),
            value_date + timedelta(days=SIMILAR_RECEIPT_DAYS),
        ),
    )
    if donor is not None:
        query = query.where(BankReceipt.donor_id == donor.id)
    elif payer_name and payer_name.strip():
        query = query.where(sa.func.lower(BankReceipt.payer_name) == payer_name.strip().lower())
    else:
        return None
    return db.session.execute(
        query.order_by(BankReceipt.value_date, BankReceipt.id).limit(1)
    ).scalar_one_or_none()


def record_bank_receipt(
    *,
    actor: User,
    value_date: date,
    amount: int,
    currency: str,
    bank_reference: str,
    donor: Donor | None = None,
    payer_name: str | None = None,
    note: str | None = None,
    confirmed_different: bool = False,
) -> tuple[BankReceipt, DonationReceipt]:
    """Record money seen on the bank statement; it stays unapplied until matched to pledges.

    The same reference written another way is refused; the same amount from the same donor a
    few days apart is questioned (``PossibleDuplicate``) unless ``confirmed_different``."""
    ensure_permission(actor, Permission.RECORD_BANK_RECEIPT)
    currency = _check_currency(currency)
    _check_amount(amount)
    key = reference_key(bank_reference)
    if not key:
        raise ValidationFailed(N_("Please give the bank reference."))
    if value_date > utcnow().date():
        raise ValidationFailed(N_("The value date cannot be in the future."))
    duplicate = db.session.execute(
        sa.select(BankReceipt).where(BankReceipt.reference_key == key)
    ).scalar_one_or_none()
    if duplicate is not None:
        raise Conflict(
            N_("The bank reference %(reference)s is already recorded (as %(earlier)s)."),
            reference=bank_reference,
            earlier=duplicate.bank_reference,
        )
    similar = _similar_receipt(
        donor=donor, payer_name=payer_name, amount=amount, currency=currency, value_date=value_date
    )
    if similar is not None and not confirmed_different:
        raise PossibleDuplicate(
            N_(
                "A receipt of the same amount from the same donor is already recorded, with "
                "value date %(date)s and bank reference %(earlier)s. If this is a different "
                "transfer, tick the box to say so and record it again."
            ),
            date=similar.value_date.isoformat(),
            earlier=similar.bank_reference,
        )
    conversion = convert_to_functional(amount=amount, currency=currency, on=value_date)
    receipt = BankReceipt(
        donor=donor,
        value_date=value_date,
        amount=amount,
        currency=currency,
        bank_reference=bank_reference.strip()[:100],
        reference_key=key[:100],
        payer_name=(payer_name or "").strip()[:300] or None,
        note=(note or "").strip() or None,
        functional_amount=conversion.amount,
        fx_rate=conversion.rate,
        fx_month=conversion.month,
        recorded_by_id=actor.id,
    )
    db.session.add(receipt)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # Someone recorded the same reference a moment ago.
        raise Conflict(
            N_("The bank reference %(reference)s is already recorded."), reference=bank_reference
        )
    record_event(
        actor=actor,
        action="bank_receipt.recorded",
        subject=receipt,
        summary=f"{amount} {currency} on {value_date.isoformat()} ({receipt.bank_reference})"
        + (f"; confirmed not the same as receipt {similar.id}" if similar is not None else ""),
    )
    return receipt, issue_receipt(bank_receipt=receipt)


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
    assert pledge.functional_amount is not None
    functional = functional_currency()
    if bank_receipt.donor_id is None:
        bank_receipt.donor = pledge.donor

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
    cash = functional_after - functional_before

    paid_after = pledge.paid_amount + amount
    carried_before = sum(a.carrying_amount for a in pledge.allocations)
    if paid_after == pledge.amount:
        carrying = pledge.carrying_amount
    else:
        carrying = (
            _cumulative_share(pledge.functional_amount, paid_after, pledge.amount) - carried_before
        )

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
                credit_account_id=account_by_key(FUND_AVAILABLE).id,
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


def get_pledge(pledge_id: int) -> Pledge:
    pledge = db.session.get(Pledge, pledge_id)
    if pledge is None:
        raise NotFound(N_("There is no such pledge."))
    return pledge
