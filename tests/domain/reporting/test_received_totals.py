"""What donors gave per donor and year (received_totals, kept by the database's triggers) gives
exactly the figures that summing every gift and bank receipt gave: after gifts are paid, failed,
refunded and disputed (lost and won), receipts recorded, applied, corrected and deleted, donors
renamed, moved to another kind or changing their mind about being named, after the beat
compacts the rows, and while gifts are paid on other connections (PostgreSQL).

The public page of donors, the transparency page and API and the annual report read them, so a
drift here would publish wrong figures.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from app.donations import payments, services
from app.donations.models import (
    GOVERNMENT_KINDS,
    BankReceipt,
    Donor,
    DonorKind,
    Gift,
    GiftDispute,
    GiftRefund,
    GiftStatus,
    ReceivedTotal,
)
from app.donations.reports.gift_totals import compact_received_totals
from app.donations.reports.totals import gift_reversals
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.sql import date_year, year_of
from app.reporting.contributions import (
    UNIDENTIFIED,
    DonorLine,
    DonorTable,
    DonorYear,
    by_donor,
    by_year_and_donor,
    by_year_and_kind,
)
from tests.donations_support import finance_user, start_and_confirm
from tests.real_commits import committed_rows_removed, work_while_compacting
from tests.reporting_support import build_scenario, succeed

THIS_YEAR = datetime.now(UTC).year

# --- The reference: the figures summed over every gift and receipt, as they were read before
# the running totals (app/reporting/contributions.py up to decision 0123).


def _reference_received() -> Any:
    refunded, lost = gift_reversals()
    net = (
        sa.func.coalesce(Gift.functional_amount, 0)
        - sa.func.coalesce(refunded.c.amount, 0)
        - sa.func.coalesce(lost.c.amount, 0)
    )
    gifts = (
        sa.select(
            Gift.donor_id.label("donor_id"),
            Gift.public_recognition.label("named"),
            year_of(Gift.succeeded_at).label("year"),
            net.label("amount"),
        )
        .select_from(Gift)
        .outerjoin(refunded, refunded.c.gift_id == Gift.id)
        .outerjoin(lost, lost.c.gift_id == Gift.id)
        .where(Gift.status == GiftStatus.SUCCEEDED)
    )
    receipts = (
        sa.select(
            BankReceipt.donor_id.label("donor_id"),
            sa.func.coalesce(Donor.public_recognition, sa.false()).label("named"),
            date_year(BankReceipt.value_date).label("year"),
            BankReceipt.functional_amount.label("amount"),
        )
        .select_from(BankReceipt)
        .outerjoin(Donor, Donor.id == BankReceipt.donor_id)
    )
    return sa.union_all(gifts, receipts).subquery("received")


def _reference_by_year_and_kind(since_year: int | None = None) -> dict[int, dict[str, int]]:
    received = _reference_received()
    kind = sa.func.coalesce(sa.type_coerce(Donor.kind, sa.String), UNIDENTIFIED)
    query = (
        sa.select(received.c.year, kind, sa.func.sum(received.c.amount))
        .select_from(received)
        .outerjoin(Donor, Donor.id == received.c.donor_id)
        .group_by(received.c.year, kind)
        .order_by(received.c.year)
    )
    if since_year is not None:
        query = query.where(received.c.year >= since_year)
    result: dict[int, dict[str, int]] = {}
    for year, donor_kind, amount in db.session.execute(query):
        result.setdefault(int(year), {})[str(donor_kind)] = int(amount or 0)
    return result


def _reference_by_donor(year: int | None = None, limit: int = 100) -> DonorTable:
    received = _reference_received()
    listed = sa.or_(Donor.kind.in_(list(GOVERNMENT_KINDS)), received.c.named == sa.true())
    key = sa.case((listed, Donor.id), else_=None)
    name = sa.case((listed, Donor.name), else_=None)
    kind = sa.case((listed, Donor.kind), else_=None)
    country = sa.case((listed, Donor.country), else_=None)
    total_amount = sa.func.sum(received.c.amount)
    query = (
        sa.select(
            key.label("key"),
            name.label("name"),
            kind.label("kind"),
            country.label("country"),
            total_amount,
        )
        .select_from(received)
        .outerjoin(Donor, Donor.id == received.c.donor_id)
        .group_by(key, name, kind, country)
        .having(total_amount != 0)
        .order_by(total_amount.desc(), name)
        .limit(limit + 1)
    )
    total_query = sa.select(sa.func.coalesce(sa.func.sum(received.c.amount), 0))
    if year is not None:
        query = query.where(received.c.year == year)
        total_query = total_query.where(received.c.year == year)
    total = int(db.session.execute(total_query).scalar_one())
    lines = [
        DonorLine(name=str(row.name), kind=str(row.kind), amount=int(row[4]), country=row.country)
        for row in db.session.execute(query)
        if row.key is not None
    ][:limit]
    return DonorTable(lines=lines, others=total - sum(line.amount for line in lines), total=total)


def _reference_by_year_and_donor() -> list[DonorYear]:
    received = _reference_received()
    amount = sa.func.sum(received.c.amount)
    query = (
        sa.select(received.c.year, Donor.kind, Donor.name, received.c.named, amount)
        .select_from(received)
        .join(Donor, Donor.id == received.c.donor_id)
        .group_by(received.c.year, Donor.id, Donor.kind, Donor.name, received.c.named)
        .order_by(received.c.year.desc(), Donor.id)
    )
    return [
        DonorYear(year=int(y), kind=str(k), name=str(n), named=bool(named), amount=int(total))
        for y, k, n, named, total in db.session.execute(query)
    ]


def _in_order(lines: list[DonorYear]) -> list[tuple[Any, ...]]:
    # Both order by year and donor; a donor's named and unnamed lines of a year in any order.
    return sorted((-line.year, line.name, line.kind, line.named, line.amount) for line in lines)


def _assert_same_as_summing_everything() -> None:
    db.session.flush()
    for since in (None, THIS_YEAR, THIS_YEAR - 1):
        assert by_year_and_kind(since_year=since) == _reference_by_year_and_kind(since), since
    for year in (None, THIS_YEAR, THIS_YEAR - 1, THIS_YEAR - 5):
        for limit in (100, 2, 1):
            assert by_donor(year=year, limit=limit) == _reference_by_donor(year, limit), (
                year,
                limit,
            )
    ours = by_year_and_donor()
    assert [line.year for line in ours] == sorted((line.year for line in ours), reverse=True)
    assert _in_order(ours) == _in_order(_reference_by_year_and_donor())


# --- The fund: the reporting scenario (Norway's bank receipt applied to its pledge, Ada's named
# gift, Sam's refunded gift) and more of each kind of change.


@pytest.fixture
def fund(app):
    scenario = build_scenario()
    gateway = scenario.gateway
    finance = finance_user()
    paid = [
        succeed(
            gateway,
            start_and_confirm(
                gateway,
                amount=(number + 1) * 10_00,
                email=f"giver{number}@example.org",
                name=f"Giver {number}",
                public=number % 2 == 0,
            ),
        )
        for number in range(4)
    ]
    # One pending, one declined: neither was received.
    start_and_confirm(gateway, amount=9_00, email="later@example.org", name="Later")
    declined = start_and_confirm(gateway, amount=7_00, email="no@example.org", name="Declined")
    payments.handle_stripe_event(
        gateway=gateway, event=gateway.fail_payment(str(declined.stripe_payment_intent_id))
    )
    # A dispute lost, one won: only the lost one takes money back.
    for disputed, outcome in ((paid[1], "lost"), (paid[2], "won")):
        created = gateway.open_dispute(str(disputed.stripe_charge_id))
        payments.handle_stripe_event(gateway=gateway, event=created)
        payments.handle_stripe_event(
            gateway=gateway,
            event=gateway.close_dispute(created["data"]["object"]["id"], outcome),
        )
    payments.handle_stripe_event(
        gateway=gateway, event=gateway.refund(str(paid[3].stripe_charge_id), 5_00)
    )
    # A foundation that gives by bank, not named; money nobody has matched yet.
    foundation = services.create_donor(
        actor=finance, kind=DonorKind.FOUNDATION, name="Fondation R", country="FR"
    )
    _receipt(finance, 3_000_00, "FR-1", donor=foundation)
    _receipt(finance, 1_500_00, "FR-OLD", donor=foundation, on=date(THIS_YEAR - 1, 6, 30))
    _receipt(finance, 700_00, "UNKNOWN-1")
    db.session.flush()
    return scenario, paid, foundation


def _receipt(
    finance: Any, amount: int, reference: str, *, donor: Donor | None = None, on: date | None = None
) -> BankReceipt:
    receipt, _numbered = services.record_bank_receipt(
        actor=finance,
        value_date=on or utcnow().date(),
        amount=amount,
        currency="USD",
        bank_reference=reference,
        donor=donor,
    )
    return receipt


def test_the_running_totals_give_the_figures_summing_everything_gave(fund):
    _scenario, paid, _foundation = fund
    _assert_same_as_summing_everything()
    year = by_year_and_kind()[THIS_YEAR]
    assert year[UNIDENTIFIED] == 700_00
    assert year["foundation"] == 3_000_00
    assert by_year_and_kind()[THIS_YEAR - 1] == {"foundation": 1_500_00}
    # Only the lost dispute and the refund are out of what the gifts gave.
    givers = [line for line in by_year_and_donor() if line.name.startswith("Giver")]
    lost = paid[1].disputes[0].functional_amount_lost
    assert lost
    assert sum(line.amount for line in givers) == 100_00 - lost - 5_00


def test_the_figures_follow_every_change_of_gifts_refunds_and_disputes(fund):
    _scenario, paid, _foundation = fund
    gift = paid[0]
    gift.public_recognition = not gift.public_recognition
    _assert_same_as_summing_everything()
    gift.succeeded_at = datetime(THIS_YEAR - 1, 12, 31, 23, 30, tzinfo=UTC)
    _assert_same_as_summing_everything()
    gift.functional_amount = (gift.functional_amount or 0) + 1
    _assert_same_as_summing_everything()
    gift.donor_id = paid[1].donor_id
    _assert_same_as_summing_everything()
    gift.status = GiftStatus.FAILED
    _assert_same_as_summing_everything()
    gift.status = GiftStatus.SUCCEEDED
    _assert_same_as_summing_everything()
    # A refund corrected, moved to another gift, deleted.
    refund = db.session.scalars(sa.select(GiftRefund)).first()
    assert refund is not None
    refund.functional_amount += 1_00
    _assert_same_as_summing_everything()
    refund.gift_id = paid[0].id
    _assert_same_as_summing_everything()
    db.session.delete(refund)
    _assert_same_as_summing_everything()
    # A won dispute lost after all, then deleted.
    won = db.session.scalars(
        sa.select(GiftDispute).where(GiftDispute.functional_amount_lost.is_(None))
    ).one()
    won.functional_amount_lost = 3_00
    _assert_same_as_summing_everything()
    db.session.delete(won)
    _assert_same_as_summing_everything()
    # A gift whose functional amount is unknown, refunded: what the refund took still counts.
    gift.functional_amount = None
    _assert_same_as_summing_everything()


def test_a_gift_written_and_deleted_in_sql_is_followed(fund):
    """The triggers follow every writer, not only the application's services."""
    _scenario, paid, _foundation = fund
    model = paid[0]
    values = _copied(model, Gift, "_sql")
    values.update(
        status=GiftStatus.SUCCEEDED,
        amount=12_34,
        functional_amount=12_34,
        public_recognition=True,
        succeeded_at=datetime(THIS_YEAR - 2, 3, 1, tzinfo=UTC),
    )
    inserted = db.session.execute(sa.insert(Gift).values(**values).returning(Gift.id)).scalar_one()
    _assert_same_as_summing_everything()
    assert by_year_and_kind()[THIS_YEAR - 2] == {"individual": 12_34}
    db.session.execute(sa.insert(GiftRefund).values(gift_id=inserted, **_refund_values(model)))
    _assert_same_as_summing_everything()
    db.session.execute(sa.delete(GiftRefund).where(GiftRefund.gift_id == inserted))
    db.session.execute(sa.delete(Gift).where(Gift.id == inserted))
    _assert_same_as_summing_everything()
    assert THIS_YEAR - 2 not in by_year_and_kind()


def _refund_values(model: Gift) -> dict[str, Any]:
    """A refund's columns, copied from one the scenario made."""
    refund = db.session.scalars(sa.select(GiftRefund)).first()
    assert refund is not None
    values = _copied(refund, GiftRefund, "_sql")
    del values["gift_id"]
    values["functional_amount"] = 2_00
    return values


def _copied(record: Any, model: Any, suffix: str) -> dict[str, Any]:
    """A record's columns but its id, its Stripe ids and token made unique with ``suffix``."""
    values = {
        column.key: getattr(record, column.key)
        for column in sa.inspect(model).column_attrs
        if column.key != "id"
    }
    for key, value in values.items():
        if (key.startswith("stripe_") or key == "public_token") and isinstance(value, str):
            values[key] = value + suffix
    return values


def test_the_figures_follow_bank_receipts_and_donors(fund):
    scenario, paid, foundation = fund
    finance = finance_user()
    unknown = db.session.scalars(sa.select(BankReceipt).where(BankReceipt.donor_id.is_(None))).one()
    # Matched to a donor by applying it to the donor's pledge.
    pledge = services.make_pledge(
        actor=finance, donor=foundation, amount=700_00, currency="USD", year=THIS_YEAR
    )
    services.confirm_pledge(actor=finance, pledge=pledge, on=utcnow().date())
    services.allocate_bank_receipt(
        actor=finance, bank_receipt=unknown, pledge=pledge, amount=700_00
    )
    _assert_same_as_summing_everything()
    assert UNIDENTIFIED not in by_year_and_kind()[THIS_YEAR]
    # Corrected: unmatched again, another value date, another amount.
    unknown.donor_id = None
    _assert_same_as_summing_everything()
    unknown.value_date = date(THIS_YEAR - 3, 1, 2)
    _assert_same_as_summing_everything()
    unknown.functional_amount += 1
    _assert_same_as_summing_everything()
    # A receipt written in SQL, then deleted (one recorded by mistake, never applied or
    # acknowledged).
    values = _copied(unknown, BankReceipt, "")
    values.update(donor_id=foundation.id, reference_key="MISTAKE1", functional_amount=42_00)
    mistake = db.session.execute(
        sa.insert(BankReceipt).values(**values).returning(BankReceipt.id)
    ).scalar_one()
    _assert_same_as_summing_everything()
    db.session.execute(sa.delete(BankReceipt).where(BankReceipt.id == mistake))
    _assert_same_as_summing_everything()
    # The foundation asks to be named: its receipts are, at once, and its name changes.
    foundation.public_recognition = True
    _assert_same_as_summing_everything()
    assert "Fondation R" in [line.name for line in by_donor().lines]
    foundation.name = "Fondation Renée"
    _assert_same_as_summing_everything()
    # A gift's own choice stands, whatever its donor's choice becomes.
    giver = db.session.get(Donor, paid[3].donor_id)
    assert giver is not None and not paid[3].public_recognition
    giver.public_recognition = True
    _assert_same_as_summing_everything()
    # A donor found to be a government: named, whatever they chose.
    giver.kind = DonorKind.MEMBER_STATE
    _assert_same_as_summing_everything()
    assert giver.name in [line.name for line in by_donor().lines]
    assert scenario.named_gift.donor_id != giver.id


def test_compacting_keeps_the_figures_and_leaves_a_row_per_key(fund):
    _scenario, paid, _foundation = fund
    # A gift moved away from a year, leaving a key that adds up to nothing.
    paid[0].succeeded_at = datetime(THIS_YEAR - 4, 5, 5, tzinfo=UTC)
    paid[0].succeeded_at = datetime(THIS_YEAR, 1, 1, 0, 0, 1, tzinfo=UTC)
    db.session.flush()
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(ReceivedTotal))
    left = compact_received_totals()
    keys = db.session.execute(
        sa.select(ReceivedTotal.donor_id, ReceivedTotal.year, ReceivedTotal.named)
    ).all()
    assert left == len(keys) == len(set(keys)) < rows
    assert all(year != THIS_YEAR - 4 for _donor, year, _named in keys)
    _assert_same_as_summing_everything()
    assert compact_received_totals() == left


def test_the_figures_do_not_read_the_gifts_or_the_receipts(fund, app):
    """What keeps the public pages as fast with a million gifts as with ten."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        by_year_and_kind()
        by_donor(year=THIS_YEAR)
        by_year_and_donor()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert len(statements) == 4
    read = [s for s in statements if re.search(r"\b(gifts|bank_receipts|gift_refunds)\b", s)]
    assert read == []


@pytest.mark.postgres
@pytest.mark.real_commits
def test_compacting_while_gifts_are_paid_and_receipts_recorded_loses_nothing(app):
    """Four connections pay gifts and record bank receipts while a fifth compacts over and
    over: at the end the figures are exactly those summed over everything (PostgreSQL: real
    concurrent transactions)."""
    table = ReceivedTotal.__table__
    with app.app_context():
        saved = db.session.execute(sa.select(table)).mappings().all()
    with committed_rows_removed(app):
        with app.app_context():
            gateway, donor_id = _committed_gifts()

        def pay(batch: list[int], worker: int) -> None:
            finance = finance_user()
            for gift_id in batch:
                gift = db.session.get(Gift, gift_id)
                succeed(gateway, gift)
                db.session.commit()
                donor = db.session.get(Donor, donor_id)
                _receipt(finance, 1_00 + gift_id, f"RACE-{worker}-{gift_id}", donor=donor)
                db.session.commit()

        with app.app_context():
            pending = list(db.session.scalars(sa.select(Gift.id).where(Gift.status == "pending")))
            db.session.remove()
        work_while_compacting(app, [pending[n::4] for n in range(4)], pay, compact_received_totals)
        with app.app_context():
            assert len(pending) == 24
            _assert_same_as_summing_everything()
            compact_received_totals()
            db.session.commit()
            _assert_same_as_summing_everything()
            db.session.remove()
    with app.app_context():
        # The compactions rewrote rows made before this test; put them back as they were.
        db.session.execute(sa.delete(table))
        if saved:
            db.session.execute(sa.insert(table), [dict(row) for row in saved])
        db.session.commit()


def _committed_gifts() -> tuple[Any, int]:
    """24 started gifts and a donor giving by bank, committed, and the Stripe stand-in."""
    from app.donations.memory_gateway import MemoryGateway

    gateway = MemoryGateway(fee_percent=3, fee_fixed=30)
    for number in range(24):
        start_and_confirm(
            gateway,
            amount=(number + 1) * 1_00,
            email=f"p{number}@example.org",
            name="Payer",
            public=number % 3 == 0,
        )
    donor = services.create_donor(
        actor=finance_user(), kind=DonorKind.FOUNDATION, name="Fondation Course", country="FR"
    )
    db.session.commit()
    return gateway, donor.id
