"""The monthly operational exchange rates, and conversion to the functional currency."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.permissions import Permission, ensure_permission
from app.audit.services import record_event
from app.donations.models import ExchangeRate
from app.donations.services.checks import check_currency
from app.platform.errors import N_, ValidationFailed
from app.platform.extensions import db
from app.platform.money import MACHINE_NUMBER, convert_at_rate
from app.platform.settings import settings

# Ten significant digits and eight decimals at most: exact in the Numeric(18, 8) column, and
# on SQLite too (stored as a double).
RATE_MAX_DIGITS = 10


RATE_MAX_DECIMALS = 8


def functional_currency() -> str:
    return settings().fund.currency


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
    currency = check_currency(currency)
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
            currency = check_currency(values.get("currency", ""))
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
    """The Give page's currencies that can be converted today (the functional one always).

    One query for all of them: the Give page is the page most visitors open, and each
    round trip to the database is a share of its time."""
    functional = functional_currency()
    wanted = settings().fund.donation_currencies
    others = [code.upper() for code in wanted if code.upper() != functional]
    with_rate: set[str] = set()
    if others:
        with_rate = set(
            db.session.scalars(
                sa.select(ExchangeRate.currency)
                .where(ExchangeRate.currency.in_(others), ExchangeRate.month <= on)
                .distinct()
            )
        )
    return [code for code in wanted if code == functional or code.upper() in with_rate]
