"""The gifts' running totals (gift_totals, kept by the database's triggers) always add up to what
the gifts themselves add up to: after gifts are started, paid, failed, refunded and disputed,
after a donor's kind changes, and after the beat compacts them, also while gifts are being paid
on other connections (PostgreSQL).

Finance's list of contributions reads its totals and its count from them (unless a donor or
words are asked for), so a drift here would show finance wrong figures.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from app.donations import payments, services
from app.donations.models import Donor, DonorKind, Gift, GiftTotal
from app.donations.reports.contributions import (
    ContributionFilter,
    ContributionKind,
    iter_contributions,
)
from app.donations.reports.gift_totals import compact_gift_totals, holds
from app.donations.reports.totals import (
    _gift_sums,
    _running_sums,
    contribution_count,
    contribution_totals,
)
from app.donations.web.finance.contribution_listing import CONTRIBUTIONS
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.listing import count_of, parse_state
from tests.donations_support import add_rate, finance_user, listed_totals, start_and_confirm
from tests.real_commits import committed_rows_removed, work_while_compacting
from tests.reporting_support import build_scenario, succeed

FILTERS = [
    ContributionFilter(),
    ContributionFilter(kind=ContributionKind.ONE_OFF_GIFT),
    ContributionFilter(kind=ContributionKind.MONTHLY_GIFT),
    ContributionFilter(kind=ContributionKind.PLEDGE),
    ContributionFilter(status="succeeded"),
    ContributionFilter(status="pending"),
    ContributionFilter(status="failed"),
    ContributionFilter(currency="USD"),
    ContributionFilter(currency="EUR"),
    ContributionFilter(status="cancelled"),
    ContributionFilter(words="Giver"),
    ContributionFilter(words="Fondation", currency="EUR"),
    ContributionFilter(status="written_off"),
    ContributionFilter(donor_kind=DonorKind.FOUNDATION),
    ContributionFilter(donor_kind=DonorKind.INDIVIDUAL),
    ContributionFilter(donor_kind=DonorKind.COMPANY),
    ContributionFilter(year=datetime.now(UTC).year),
    ContributionFilter(year=datetime.now(UTC).year - 1),
    ContributionFilter(
        kind=ContributionKind.ONE_OFF_GIFT,
        status="succeeded",
        currency="USD",
        donor_kind=DonorKind.INDIVIDUAL,
        year=datetime.now(UTC).year,
    ),
]


def _rows(query):
    """The rows of a sum, but those of keys no gift is in any more (all gifts moved out)."""
    if query is None:
        return []
    return sorted(tuple(row) for row in db.session.execute(query) if any(row[1:]))


def _assert_running_equals_gifts() -> None:
    for filters in FILTERS:
        if holds(filters):
            assert _rows(_running_sums(filters)) == _rows(_gift_sums(filters)), filters
        listed = list(iter_contributions(filters))
        assert contribution_totals(filters) == listed_totals(listed), filters
        if holds(filters):
            assert contribution_count(filters) == len(listed), filters
        else:
            assert contribution_count(filters) is None, filters


@pytest.fixture
def fund(app):
    scenario = build_scenario()  # a pledge, a named gift, a partly refunded gift
    gateway = scenario.gateway
    add_rate("EUR", utcnow().date(), "1.1")
    paid = []
    for number in range(5):
        gift = start_and_confirm(
            gateway,
            amount=(number + 1) * 10_00,
            email=f"giver{number}@example.org",
            name=f"Giver {number}",
        )
        if number != 3:  # one stays pending: listed, not counted
            paid.append(succeed(gateway, gift))
    # Euros too: one gift paid, one declined (a currency whose only other gift does not count).
    paid.append(
        succeed(gateway, start_and_confirm(gateway, amount=40_00, currency="EUR", name="Euro"))
    )
    declined = start_and_confirm(
        gateway, amount=7_00, currency="EUR", email="no@example.org", name="Declined"
    )
    payments.handle_stripe_event(
        gateway=gateway, event=gateway.fail_payment(str(declined.stripe_payment_intent_id))
    )
    # Two disputes, lost: what the bank took back leaves what was received of each gift.
    for disputed in (paid[1], paid[3]):
        created = gateway.open_dispute(str(disputed.stripe_charge_id))
        payments.handle_stripe_event(gateway=gateway, event=created)
        dispute_id = created["data"]["object"]["id"]
        payments.handle_stripe_event(
            gateway=gateway, event=gateway.close_dispute(dispute_id, "lost")
        )
    # A second refund, of another gift: each is taken from its own gift.
    payments.handle_stripe_event(
        gateway=gateway, event=gateway.refund(str(paid[2].stripe_charge_id), 5_00)
    )
    _pledges_in_every_state()
    db.session.flush()
    return scenario, paid


def _pledges_in_every_state() -> None:
    """Pledges only promised, cancelled, paid in full and written off after a part payment:
    listed, and counted (or not) and owed (or not) each its way."""
    finance = finance_user()
    today = utcnow().date()
    donor = services.create_donor(
        actor=finance, kind=DonorKind.FOUNDATION, name="Fondation R", country="FR"
    )

    def pledge(amount: int, currency: str = "EUR") -> Any:
        made = services.make_pledge(
            actor=finance, donor=donor, amount=amount, currency=currency, year=today.year
        )
        return made

    def paid(made: Any, amount: int, reference: str) -> None:
        receipt, _numbered = services.record_bank_receipt(
            actor=finance,
            value_date=today,
            amount=amount,
            currency=made.currency,
            bank_reference=reference,
            donor=donor,
        )
        services.allocate_bank_receipt(
            actor=finance, bank_receipt=receipt, pledge=made, amount=amount
        )

    pledge(5_000_00)  # promised, not confirmed
    cancelled = pledge(7_000_00)
    services.confirm_pledge(actor=finance, pledge=cancelled, on=today)
    services.cancel_pledge(actor=finance, pledge=cancelled, reason="withdrawn")
    full = pledge(3_000_00)
    services.confirm_pledge(actor=finance, pledge=full, on=today)
    paid(full, 3_000_00, "FR-FULL")
    part = pledge(9_000_00)
    services.confirm_pledge(actor=finance, pledge=part, on=today)
    paid(part, 4_000_00, "FR-PART")
    services.write_off_pledge(actor=finance, pledge=part, reason="will not pay")
    pledge(1_000_00, "GBP")  # the only contribution in pounds, its value not yet known
    cent = pledge(2_000_01)  # paid but for one cent, still owed
    services.confirm_pledge(actor=finance, pledge=cent, on=today)
    paid(cent, 2_000_00, "FR-CENT")


def test_the_running_totals_add_up_to_the_gifts(fund):
    _scenario, paid = fund
    statuses = Counter(gift.status for gift in db.session.scalars(sa.select(Gift)))
    assert statuses == {"succeeded": 7, "pending": 1, "failed": 1}
    _assert_running_equals_gifts()
    everything = contribution_totals(ContributionFilter())
    # 9 gifts and 7 pledges; the lost dispute and the refunds are out of what was received.
    assert everything.rows == 16
    assert everything.received_functional < everything.functional
    assert dict(everything.by_currency)["GBP"] == 1_000_00
    assert set(everything.by_currency) == {"USD", "EUR", "GBP"}
    # Owed in euros: the promise and the cent; nothing on the paid, cancelled or written-off.
    euros = contribution_totals(ContributionFilter(currency="EUR"))
    assert dict(euros.outstanding_by_currency) == {"EUR": 5_000_00 + 1}
    # The euro gift and the pledges but the cancelled one.
    assert euros.by_currency["EUR"] == 40_00 + 5_000_00 + 3_000_00 + 9_000_00 + 2_000_01
    # Each donor's own totals are summed over their gifts.
    for gift in paid:
        mine = contribution_totals(ContributionFilter(donor_id=gift.donor_id))
        assert mine == listed_totals(iter_contributions(ContributionFilter(donor_id=gift.donor_id)))
        assert mine.rows >= 1


def test_the_totals_do_not_read_the_gifts_when_the_running_totals_hold_the_filters(fund, app):
    """What keeps the list's figures as fast with a million gifts as with ten."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        contribution_totals(ContributionFilter(status="succeeded", currency="USD"))
        contribution_count(ContributionFilter(year=utcnow().year))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert statements
    assert not [s for s in statements if re.search(r"\bFROM gifts\b", s)], statements


def test_compacting_keeps_the_figures_and_leaves_a_row_per_key(fund):
    before = {str(f): contribution_totals(f) for f in FILTERS}
    left = compact_gift_totals()
    keys = db.session.execute(
        sa.select(
            GiftTotal.donor_kind,
            GiftTotal.kind,
            GiftTotal.year,
            GiftTotal.status,
            GiftTotal.currency,
        )
    ).all()
    assert left == len(keys) == len(set(keys))
    assert {str(f): contribution_totals(f) for f in FILTERS} == before
    _assert_running_equals_gifts()
    # Compacting again changes nothing.
    assert compact_gift_totals() == left


def test_a_donors_kind_changed_moves_its_gifts(fund):
    _scenario, paid = fund
    donor = db.session.get(Donor, paid[0].donor_id)
    assert donor is not None and donor.kind == DonorKind.INDIVIDUAL
    companies = contribution_totals(ContributionFilter(donor_kind=DonorKind.COMPANY))
    # No screen changes a donor's kind today; a correction made in the database is followed.
    donor.kind = DonorKind.COMPANY
    db.session.flush()
    moved = contribution_totals(ContributionFilter(donor_kind=DonorKind.COMPANY))
    assert moved.rows == companies.rows + 1
    assert moved.functional == companies.functional + paid[0].functional_amount
    _assert_running_equals_gifts()


def test_a_change_the_totals_do_not_read_adds_no_row(fund):
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(GiftTotal))
    _scenario, paid = fund
    gift = paid[0]
    gift.donor_name = "Someone Else"
    gift.public_recognition = not gift.public_recognition
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GiftTotal)) == rows


def test_the_list_counts_from_the_running_totals_unless_asked_for_a_donor_or_words(fund):
    for raw, expected_running in (
        ({}, True),
        ({"status": "succeeded"}, True),
        ({"q": "Giver"}, False),
        ({"donor": "1"}, False),
    ):
        state = parse_state(CONTRIBUTIONS, raw)
        filters = ContributionFilter(
            donor_id=state.filters.get("donor"),
            status=state.filters.get("status"),
            words=state.filters.get("q"),
        )
        assert holds(filters) is expected_running
        assert count_of(CONTRIBUTIONS, state) == len(list(iter_contributions(filters)))


@pytest.mark.postgres
@pytest.mark.real_commits
def test_compacting_while_gifts_are_paid_loses_nothing(app):
    """Four connections pay gifts while a fifth compacts over and over: at the end the running
    totals are exactly the gifts' sums (PostgreSQL: real concurrent transactions)."""
    with app.app_context():
        saved = db.session.execute(sa.select(GiftTotal.__table__)).mappings().all()
    with committed_rows_removed(app):
        with app.app_context():
            scenario_gateway = _committed_gifts(app)

        def pay(batch: list[int], _worker: int) -> None:
            for gift_id in batch:
                gift = db.session.get(Gift, gift_id)
                succeed(scenario_gateway, gift)
                db.session.commit()

        with app.app_context():
            pending = list(db.session.scalars(sa.select(Gift.id).where(Gift.status == "pending")))
            db.session.remove()
        work_while_compacting(app, [pending[n::4] for n in range(4)], pay, compact_gift_totals)
        with app.app_context():
            assert len(pending) == 24
            assert _rows(_running_sums(ContributionFilter())) == _rows(
                _gift_sums(ContributionFilter())
            )
            compact_gift_totals()
            db.session.commit()
            assert _rows(_running_sums(ContributionFilter())) == _rows(
                _gift_sums(ContributionFilter())
            )
            db.session.remove()
    with app.app_context():
        # The compactions rewrote rows made before this test; put them back as they were.
        db.session.execute(sa.delete(GiftTotal.__table__))
        if saved:
            db.session.execute(sa.insert(GiftTotal.__table__), [dict(row) for row in saved])
        db.session.commit()


def _committed_gifts(app):
    """24 started gifts, committed, and the Stripe stand-in that knows them."""
    from app.donations.memory_gateway import MemoryGateway

    gateway = MemoryGateway(fee_percent=3, fee_fixed=30)
    for number in range(24):
        start_and_confirm(
            gateway, amount=(number + 1) * 1_00, email=f"p{number}@example.org", name="Payer"
        )
    db.session.commit()
    return gateway
