"""The ledger's daily movements, kept by the database as transfers are posted, are the transfers
added up by day; the statement read from them is the statement summed from every transfer."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.donations.models import Donor, DonorKind, Gift
from app.donations.services.restrictions import RestrictionTerms
from app.ledger import chart
from app.ledger.models import Account, DailyMovement, Transfer, TransferCode, TransferKind
from app.ledger.verify import verify_ledger
from app.platform.db import utcnow
from app.platform.extensions import db
from app.reporting import statement
from app.reporting.contributions import UNIDENTIFIED
from app.reporting.statement import POSTED_KINDS, Period
from tests.donations_support import start_and_confirm
from tests.funding_support import donor, paid_pledge
from tests.grants_support import USD, approved_application, award
from tests.reporting_support import build_scenario, succeed


@pytest.fixture
def fund(app):
    built = build_scenario()
    paid_pledge(donor("Japan"), 5_000 * USD, terms=RestrictionTerms(theme="women_and_girls"))
    paid_pledge(donor("Ford", kind=DonorKind.FOUNDATION), 3_000 * USD)
    award(approved_application(amount=2_000 * USD))
    succeed(built.gateway, start_and_confirm(built.gateway, amount=40_00, email="kim@example.org"))
    return built


# -- the reference: what the statement summed from every transfer before decision 0121 -------


def _transfers_movements(period: Period, ids: dict[str, int]) -> list[Any]:
    t = Transfer.__table__.c
    debit = aliased(Account, name="debit")
    credit = aliased(Account, name="credit")
    fund, pledged, psc = ids[statement.AVAILABLE], ids[statement.PLEDGES], ids[statement.PSC]
    debit_group = statement._group(debit, fund, pledged, psc)
    credit_group = statement._group(credit, fund, pledged, psc)
    in_period = sa.case((t.created_at < period.until, 1), else_=0)
    query = (
        sa.select(t.code, debit_group, credit_group, in_period, sa.func.sum(t.amount))
        .join(debit, debit.id == t.debit_account_id)
        .join(credit, credit.id == t.credit_account_id)
        .where(t.created_at >= period.since, t.kind.in_(POSTED_KINDS))
        .group_by(t.code, debit_group, credit_group, in_period)
    )
    return list(db.session.execute(query).all())


def _transfers_gifts_by_kind(period: Period, fund_id: int) -> dict[str, int]:
    t = Transfer.__table__.c
    kind = sa.func.coalesce(sa.type_coerce(Donor.kind, sa.String), UNIDENTIFIED)
    query = (
        sa.select(kind, sa.func.sum(t.amount))
        .select_from(Transfer.__table__)
        .outerjoin(
            Gift,
            sa.and_(t.document_type == "gift", t.document_id == sa.cast(Gift.id, sa.String(60))),
        )
        .outerjoin(Donor, Donor.id == Gift.donor_id)
        .where(
            t.created_at >= period.since,
            t.created_at < period.until,
            t.kind == TransferKind.SINGLE,
            t.code == TransferCode.GIFT,
            t.credit_account_id == fund_id,
        )
        .group_by(kind)
    )
    return {str(k): int(a) for k, a in db.session.execute(query) if a}


def _reference_statement(period: Period, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The statement with its movements and its gifts summed from the transfers themselves."""
    kept = statement._contributions

    def gifts_and_pledges(period: Period, *, fund_id: int | None, restricted: bool) -> Any:
        if restricted or fund_id is None:
            return kept(period, fund_id=fund_id, restricted=restricted)
        # The pledge payments' part is unchanged: the kept gifts taken out, the summed put in.
        both = kept(period, fund_id=fund_id, restricted=False)
        for kind, amount in _daily_gifts_by_kind(period, fund_id).items():
            both[kind] -= amount
        for kind, amount in _transfers_gifts_by_kind(period, fund_id).items():
            both[kind] = both.get(kind, 0) + amount
        return {kind: amount for kind, amount in both.items() if amount}

    with monkeypatch.context() as patched:
        patched.setattr(statement, "_movements", _transfers_movements)
        patched.setattr(statement, "_contributions", gifts_and_pledges)
        return statement.statement(period)


def _daily_gifts_by_kind(period: Period, fund_id: int) -> dict[str, int]:
    m = DailyMovement.__table__.c
    rows = db.session.execute(
        sa.select(m.donor_kind, sa.func.sum(m.amount))
        .where(
            m.day >= period.start,
            m.day <= period.end,
            m.kind == TransferKind.SINGLE,
            m.code == TransferCode.GIFT,
            m.credit_account_id == fund_id,
        )
        .group_by(m.donor_kind)
    ).all()
    return {(kind or UNIDENTIFIED): int(amount) for kind, amount in rows}


def _periods() -> list[Period]:
    today = utcnow().date()
    return [
        Period(today, today),
        Period.year(today.year),
        Period(today - timedelta(days=30), today - timedelta(days=1)),
        Period(today + timedelta(days=1), today + timedelta(days=9)),
        Period(date(2020, 1, 1), today),
    ]


# -- the tests -------------------------------------------------------------------------------


def _kept_rows() -> set[tuple[Any, ...]]:
    m = DailyMovement.__table__.c
    rows = db.session.execute(
        sa.select(
            m.day, m.code, m.kind, m.debit_account_id, m.credit_account_id, m.donor_kind,
            m.amount, m.transfers,
        )
    ).all()  # fmt: skip
    return {tuple(row) for row in rows}


def _summed_rows() -> set[tuple[Any, ...]]:
    """The daily movements as a GROUP BY over the transfers, days counted in Python."""
    t = Transfer.__table__.c
    g = sa.select(Gift.id, Donor.kind).join(Donor, Donor.id == Gift.donor_id)
    kinds = {str(gift_id): str(kind) for gift_id, kind in db.session.execute(g)}
    sums: dict[tuple[Any, ...], list[int]] = {}
    query = sa.select(
        t.created_at, t.code, t.kind, t.debit_account_id, t.credit_account_id, t.amount,
        t.document_type, t.document_id,
    ).where(t.kind.in_(POSTED_KINDS))  # fmt: skip
    for at, code, kind, debit, credit, amount, document_type, document_id in db.session.execute(
        query
    ):
        gift = code == TransferCode.GIFT and document_type == "gift"
        donor_kind = kinds.get(str(document_id), "") if gift else ""
        key = (at.astimezone(UTC).date(), code, kind, debit, credit, donor_kind)
        total = sums.setdefault(key, [0, 0])
        total[0] += amount
        total[1] += 1
    return {(*key, amount, count) for key, (amount, count) in sums.items()}


def test_the_daily_movements_are_the_posted_transfers_added_up_by_day(fund):
    kept = _kept_rows()
    assert kept == _summed_rows()
    codes = {row[1] for row in kept}
    assert {
        TransferCode.GIFT,
        TransferCode.FEE,
        TransferCode.REFUND,
        TransferCode.PLEDGE,
        TransferCode.PLEDGE_PAYMENT,
        TransferCode.COMMITMENT,
        TransferCode.DISBURSEMENT,
        TransferCode.PSC,
    } <= codes
    # A disbursement is posted from a pending transfer: counted once, when posted.
    assert TransferKind.POST_PENDING in {row[2] for row in kept}
    assert TransferKind.PENDING not in {row[2] for row in kept}
    assert {"individual"} == {row[5] for row in kept if row[1] == TransferCode.GIFT}
    assert verify_ledger().ok


def test_the_statement_from_the_daily_movements_is_the_one_summed_from_the_transfers(
    fund, monkeypatch
):
    for period in _periods():
        kept = statement.statement(period)
        assert kept == _reference_statement(period, monkeypatch), period
        assert kept.reconciled, period
    today = statement.statement(Period(utcnow().date(), utcnow().date()))
    assert today.contributions_by_kind == {
        "member_state": 60_000 * USD,
        "foundation": 3_000 * USD,
        "individual": 250_00 + 80_00 + 40_00,
    }
    assert today.restricted_by_kind == {"member_state": 5_000 * USD}


def _insert_transfer(at: datetime, amount: int, **fields: Any) -> None:
    """A transfer written without the posting services (as the scale generator does)."""
    t = Transfer.__table__
    last = db.session.execute(sa.select(sa.func.max(t.c.sequence))).scalar() or 0
    db.session.execute(
        sa.insert(t).values(
            id=uuid.uuid4(),
            sequence=last + 1,
            amount=amount,
            kind=fields.pop("kind", TransferKind.SINGLE),
            created_at=at,
            **fields,
        )
    )


def test_a_transfer_counts_on_its_utc_day_whatever_the_sessions_time_zone(fund, dialect):
    if dialect == "postgresql":
        # Midnight UTC is the previous evening in New York: the day must still be UTC's.
        db.session.execute(sa.text("SET LOCAL TIME ZONE 'America/New_York'"))
    stripe = chart.account_by_key(chart.CASH_STRIPE).id
    fund_id = chart.account_by_key(chart.FUND_AVAILABLE).id
    gift = fund.named_gift
    day = date(2031, 3, 14)
    midnight = datetime.combine(day, time.min, UTC)
    for at, amount in ((midnight - timedelta(microseconds=1), 7), (midnight, 11)):
        _insert_transfer(
            at, amount, debit_account_id=stripe, credit_account_id=fund_id,
            code=TransferCode.GIFT, document_type="gift", document_id=str(gift.id),
        )  # fmt: skip
    # A pending transfer moves nothing yet; it is not a movement.
    _insert_transfer(
        midnight, 5, debit_account_id=stripe, credit_account_id=fund_id,
        code=TransferCode.ADJUSTMENT, kind=TransferKind.PENDING,
    )  # fmt: skip
    m = DailyMovement.__table__.c
    rows = db.session.execute(
        sa.select(m.day, m.donor_kind, m.amount, m.transfers).where(m.day >= day - timedelta(1))
    ).all()
    assert sorted(tuple(row) for row in rows) == [
        (day - timedelta(days=1), "individual", 7, 1),
        (day, "individual", 11, 1),
    ]
    assert _kept_rows() == _summed_rows()
    reference = {"individual": 11}
    assert statement.contributions_by_kind(Period(day, day), fund_id=fund_id) == reference


def test_verify_names_a_daily_movement_that_disagrees_with_its_transfers(fund):
    m = DailyMovement.__table__.c
    db.session.execute(
        sa.update(DailyMovement.__table__)
        .where(m.code == TransferCode.FEE)
        .values(amount=m.amount + 1)
    )
    report = verify_ledger()
    assert not report.ok
    assert any(
        problem.startswith("daily movements of ") and "FEE" in problem
        for problem in report.problems
    ), report.problems
