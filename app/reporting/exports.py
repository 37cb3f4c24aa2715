"""Rows for the data exports: contributions, applications, grants and disbursements.

Each table is a list of column names and a generator of rows for a period, read with a
server-side cursor (``yield_per``) so that an export of any size streams in constant memory.
Amounts are given in minor units and in major units (exact decimals), with their currency.
The ledger's transfers have their own export (app/ledger/web), reused as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.accounts.models import Organisation
from app.applications.models import Application
from app.calls.models import DEFAULT_LOCALE, Call
from app.donations.models import BankReceipt, Donor, Gift, Pledge
from app.grants.models import Grant, Tranche, TrancheStatus
from app.platform.extensions import db
from app.platform.money import to_major
from app.platform.sql import day_of
from app.questions.models import QuestionAnswer
from app.questions.services import ShownAnswer, questions_of

CHUNK = 1000
Row = tuple[Any, ...]


def _stream(query: Any) -> Iterator[Any]:
    yield from db.session.execute(query.execution_options(yield_per=CHUNK))


def _major(amount: int | None, currency: str | None) -> Decimal | None:
    if amount is None or not currency:
        return None
    return to_major(int(amount), currency)


def _day(moment: datetime) -> date:
    """The UTC day of a moment: the contributions list and this export show days."""
    return (moment.astimezone(UTC) if moment.tzinfo else moment).date()


def _enum(value: Any) -> Any:
    return getattr(value, "value", value)


def _when(column: Any, since: datetime, until: datetime) -> Any:
    return sa.and_(column >= since, column < until)


def _count(*queries: Any) -> int:
    """How many rows the queries give together (one COUNT each, their ordering dropped)."""
    return sum(
        int(
            db.session.execute(
                sa.select(sa.func.count()).select_from(q.order_by(None).subquery())
            ).scalar_one()
        )
        for q in queries
    )


def contribution_count(since: datetime, until: datetime) -> int:
    return _count(
        _gift_query(since, until), _pledge_query(since, until), _bank_receipt_query(since, until)
    )


def contribution_rows(since: datetime, until: datetime) -> Iterator[Row]:
    """Gifts (when they succeeded, else started), pledges (confirmed on, else recorded) and bank
    receipts (value date): the days the contributions list shows
    (app/donations/reports/contributions.py), the period filtering on the same days."""
    yield from _gift_rows(since, until)
    yield from _pledge_rows(since, until)
    yield from _bank_receipt_rows(since, until)


def _gift_query(since: datetime, until: datetime) -> Any:
    moment = sa.func.coalesce(Gift.succeeded_at, Gift.created_at)
    gifts = (
        sa.select(
            Gift.id,
            moment,
            Donor.name,
            Donor.kind,
            Gift.kind,
            Gift.status,
            Gift.amount,
            Gift.currency,
            Gift.functional_amount,
            Gift.fee_amount,
        )
        .join(Donor, Donor.id == Gift.donor_id)
        .where(_when(moment, since, until))
        .order_by(moment, Gift.id)
    )
    return gifts


def _gift_rows(since: datetime, until: datetime) -> Iterator[Row]:
    for row in _stream(_gift_query(since, until)):
        yield (
            "gift",
            row[0],
            _day(row[1]),
            row[2],
            _enum(row[3]),
            _enum(row[4]),
            _enum(row[5]),
            row[6],
            _major(row[6], row[7]),
            row[7],
            row[8],
            row[9],
            None,
        )


def pledge_day() -> Any:
    """A pledge's day as the contributions list shows it: confirmed on, else the day recorded."""
    return sa.func.coalesce(Pledge.confirmed_on, day_of(Pledge.created_at), type_=sa.Date)


def _pledge_query(since: datetime, until: datetime) -> Any:
    day = pledge_day()
    pledges = (
        sa.select(
            Pledge.id,
            day,
            Donor.name,
            Donor.kind,
            Pledge.year,
            Pledge.status,
            Pledge.amount,
            Pledge.currency,
            Pledge.functional_amount,
            Pledge.earmark,
        )
        .join(Donor, Donor.id == Pledge.donor_id)
        .where(day >= since.date(), day < until.date())
        .order_by(day, Pledge.id)
    )
    return pledges


def _pledge_rows(since: datetime, until: datetime) -> Iterator[Row]:
    for row in _stream(_pledge_query(since, until)):
        yield (
            "pledge",
            row[0],
            row[1],
            row[2],
            _enum(row[3]),
            f"pledge {row[4]}",
            _enum(row[5]),
            row[6],
            _major(row[6], row[7]),
            row[7],
            row[8],
            0,
            row[9],
        )


def _bank_receipt_query(since: datetime, until: datetime) -> Any:
    receipts = (
        sa.select(
            BankReceipt.id,
            BankReceipt.value_date,
            Donor.name,
            Donor.kind,
            BankReceipt.bank_reference,
            BankReceipt.amount,
            BankReceipt.currency,
            BankReceipt.functional_amount,
            BankReceipt.payer_name,
        )
        .outerjoin(Donor, Donor.id == BankReceipt.donor_id)
        .where(BankReceipt.value_date >= since.date(), BankReceipt.value_date < until.date())
        .order_by(BankReceipt.value_date, BankReceipt.id)
    )
    return receipts


def _bank_receipt_rows(since: datetime, until: datetime) -> Iterator[Row]:
    for row in _stream(_bank_receipt_query(since, until)):
        yield (
            "bank_receipt",
            row[0],
            row[1],
            row[2] or row[8],
            _enum(row[3]),
            row[4],
            "received",
            row[5],
            _major(row[5], row[6]),
            row[6],
            row[7],
            0,
            None,
        )


def _application_query(since: datetime, until: datetime) -> Any:
    query = (
        sa.select(
            Application.id,
            Call.reference,
            Organisation.name,
            Application.countries,
            Application.status,
            Application.title,
            Application.requested_amount,
            Application.psc_amount,
            Application.currency,
            Application.created_at,
            Application.submitted_at,
        )
        .join(Call, Call.id == Application.call_id)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(_when(Application.created_at, since, until))
        .order_by(Application.created_at, Application.id)
    )
    return query


def application_rows(since: datetime, until: datetime) -> Iterator[Row]:
    for row in _stream(_application_query(since, until)):
        yield (
            f"APP-{row[0]:05d}",
            row[1],
            row[2],
            " ".join(row[3] or []),
            _enum(row[4]),
            row[5],
            row[6],
            _major(row[6], row[8]),
            row[7],
            _major(row[7], row[8]),
            row[8],
            row[9],
            row[10],
        )


def _answer_query(since: datetime, until: datetime) -> Any:
    """The answers to the calls' own questions (app/questions) of the period's applications."""
    return (
        sa.select(QuestionAnswer, Call.reference)
        .join(Application, Application.id == QuestionAnswer.application_id)
        .join(Call, Call.id == Application.call_id)
        .where(_when(Application.created_at, since, until))
        .order_by(Application.created_at, Application.id, QuestionAnswer.question_id)
    )


def answer_rows(since: datetime, until: datetime) -> Iterator[Row]:
    """One row per answer: the question numbered as the applicant read it, in the fund's
    default language (a choice by its option's label)."""
    numbering: dict[int, dict[int, int]] = {}
    for answer, call_reference in _stream(_answer_query(since, until)):
        question = answer.question
        if question.call_id not in numbering:
            numbering[question.call_id] = {
                q.id: number for number, q in enumerate(questions_of(question.call), start=1)
            }
        shown = ShownAnswer(numbering[question.call_id][question.id], question, answer)
        yield (
            f"APP-{answer.application_id:05d}",
            call_reference,
            shown.number,
            question.wording_in(DEFAULT_LOCALE),
            question.kind.value,
            question.required,
            shown.text_in(DEFAULT_LOCALE),
            answer.number,
            answer.updated_at,
        )


def _grant_query(since: datetime, until: datetime) -> Any:
    paid = (
        sa.select(sa.func.coalesce(sa.func.sum(Tranche.amount), 0))
        .where(Tranche.grant_id == Grant.id, Tranche.status == TrancheStatus.PAID)
        .scalar_subquery()
    )
    query = (
        sa.select(
            Grant.reference,
            Organisation.name,
            Application.countries,
            Grant.status,
            Grant.title,
            Grant.amount,
            Grant.psc_amount,
            paid,
            Grant.released_amount,
            Grant.currency,
            Grant.awarded_at,
            Grant.start_date,
            Grant.end_date,
            Grant.closed_at,
        )
        .join(Organisation, Organisation.id == Grant.organisation_id)
        .join(Application, Application.id == Grant.application_id)
        .where(_when(Grant.awarded_at, since, until))
        .order_by(Grant.awarded_at, Grant.id)
    )
    return query


def grant_rows(since: datetime, until: datetime) -> Iterator[Row]:
    for row in _stream(_grant_query(since, until)):
        currency = row[9]
        yield (
            row[0],
            row[1],
            " ".join(row[2] or []),
            _enum(row[3]),
            row[4],
            row[5],
            _major(row[5], currency),
            row[6],
            _major(row[6], currency),
            row[7],
            _major(row[7], currency),
            row[8] or 0,
            currency,
            row[10],
            row[11],
            row[12],
            row[13],
        )


def _disbursement_query(since: datetime, until: datetime) -> Any:
    grant = aliased(Grant)
    query = (
        sa.select(
            grant.reference,
            Tranche.number,
            Organisation.name,
            Tranche.status,
            Tranche.attempt,
            Tranche.amount,
            Tranche.psc_amount,
            grant.currency,
            Tranche.planned_date,
            Tranche.sent_at,
            Tranche.confirmed_at,
            Tranche.bank_reference,
        )
        .join(grant, grant.id == Tranche.grant_id)
        .join(Organisation, Organisation.id == grant.organisation_id)
        .where(_when(Tranche.sent_at, since, until))
        .order_by(Tranche.sent_at, Tranche.id)
    )
    return query


def disbursement_rows(since: datetime, until: datetime) -> Iterator[Row]:
    """Tranches sent to the bank in the period (paid, in transit or failed)."""
    for row in _stream(_disbursement_query(since, until)):
        currency = row[7]
        yield (
            f"{row[0]}/T{row[1]}",
            row[0],
            row[2],
            _enum(row[3]),
            row[4],
            row[5],
            _major(row[5], currency),
            row[6],
            _major(row[6], currency),
            currency,
            row[8],
            row[9],
            row[10],
            row[11],
        )


@dataclass(frozen=True)
class ExportTable:
    name: str
    columns: tuple[str, ...]
    rows: Callable[[datetime, datetime], Iterator[Row]]
    # How many rows ``rows`` gives for the period (a large export is made by a worker).
    count: Callable[[datetime, datetime], int]


TABLES: dict[str, ExportTable] = {
    table.name: table
    for table in (
        ExportTable(
            "contributions",
            (
                "type",
                "id",
                "date",
                "donor",
                "donor_kind",
                "kind",
                "status",
                "amount_minor",
                "amount",
                "currency",
                "functional_amount_minor",
                "fee_minor",
                "earmark",
            ),
            contribution_rows,
            contribution_count,
        ),
        ExportTable(
            "applications",
            (
                "reference",
                "call",
                "organisation",
                "countries",
                "status",
                "title",
                "requested_minor",
                "requested",
                "psc_minor",
                "psc",
                "currency",
                "created_at",
                "submitted_at",
            ),
            application_rows,
            lambda since, until: _count(_application_query(since, until)),
        ),
        ExportTable(
            "application_answers",
            (
                "application",
                "call",
                "question_number",
                "question",
                "kind",
                "required",
                "answer",
                "number",
                "answered_at",
            ),
            answer_rows,
            lambda since, until: _count(_answer_query(since, until)),
        ),
        ExportTable(
            "grants",
            (
                "reference",
                "organisation",
                "countries",
                "status",
                "title",
                "amount_minor",
                "amount",
                "psc_minor",
                "psc",
                "paid_minor",
                "paid",
                "released_minor",
                "currency",
                "awarded_at",
                "start_date",
                "end_date",
                "closed_at",
            ),
            grant_rows,
            lambda since, until: _count(_grant_query(since, until)),
        ),
        ExportTable(
            "disbursements",
            (
                "tranche",
                "grant",
                "organisation",
                "status",
                "attempt",
                "amount_minor",
                "amount",
                "psc_minor",
                "psc",
                "currency",
                "planned_date",
                "sent_at",
                "confirmed_at",
                "bank_reference",
            ),
            disbursement_rows,
            lambda since, until: _count(_disbursement_query(since, until)),
        ),
    )
}
