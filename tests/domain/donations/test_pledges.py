"""Pledges: confirmation, partial and over-payment, exchange differences, cancellation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.models import MembershipRole, OrganisationKind, Role
from app.donations import services
from app.donations.models import PledgeStatus
from app.donations.reports.banking import unapplied_receipts
from app.ledger.chart import CASH_BANK, FUND_AVAILABLE, FUND_PLEDGED, receivable_key
from app.platform.db import utcnow
from app.platform.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from tests.donations_support import (
    add_rate,
    assert_ledger_ok,
    finance_user,
    institutional_donor,
    posted,
)
from tests.factories import MembershipFactory, OrganisationFactory, user_with

TODAY = utcnow().date()
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)
YEAR = TODAY.year


@pytest.fixture
def finance():
    return finance_user()


@pytest.fixture
def donor():
    return institutional_donor()


def _pledge(finance, donor, amount=100_000_00, currency="EUR", **kwargs):
    return services.make_pledge(
        actor=finance, donor=donor, amount=amount, currency=currency, year=YEAR, **kwargs
    )


def _receipt(finance, amount, currency="EUR", reference=None, donor=None):
    receipt, _numbered = services.record_bank_receipt(
        actor=finance,
        value_date=TODAY,
        amount=amount,
        currency=currency,
        bank_reference=reference or f"REF-{amount}-{currency}",
        donor=donor,
    )
    return receipt


def test_confirming_books_the_receivable_at_the_rate_in_force(finance, donor):
    add_rate("EUR", LAST_MONTH, "0.8")
    pledged_before = posted(FUND_PLEDGED)
    pledge = _pledge(finance, donor)
    assert pledge.status == PledgeStatus.PLEDGED
    services.confirm_pledge(actor=finance, pledge=pledge, on=LAST_MONTH)
    assert pledge.status == PledgeStatus.CONFIRMED
    assert pledge.functional_amount == 125_000_00  # EUR 100,000 at 0.8 EUR per USD
    assert posted(receivable_key(donor.id)) == 125_000_00
    assert posted(FUND_PLEDGED) - pledged_before == 125_000_00
    assert_ledger_ok()


def test_partial_payments_at_another_rate_settle_the_receivable_exactly(finance, donor):
    add_rate("EUR", LAST_MONTH, "0.8")
    add_rate("EUR", THIS_MONTH, "1.0")
    bank_before, available_before = posted(CASH_BANK), posted(FUND_AVAILABLE)
    pledge = _pledge(finance, donor)
    services.confirm_pledge(actor=finance, pledge=pledge, on=LAST_MONTH)

    first = _receipt(finance, 40_000_00, reference="BANK-1")
    services.allocate_bank_receipt(
        actor=finance, bank_receipt=first, pledge=pledge, amount=40_000_00
    )
    assert pledge.status == PledgeStatus.PARTIALLY_PAID
    assert pledge.outstanding_amount == 60_000_00
    # Cash at this month's rate; 40 % of the receivable settled; the difference is an FX loss.
    assert posted(CASH_BANK) - bank_before == 40_000_00
    assert posted(receivable_key(donor.id)) == 75_000_00
    assert first.donor_id == donor.id  # the payer is now known

    second = _receipt(finance, 60_000_00, reference="BANK-2")
    services.allocate_bank_receipt(
        actor=finance, bank_receipt=second, pledge=pledge, amount=60_000_00
    )
    assert pledge.status == PledgeStatus.PAID
    assert posted(receivable_key(donor.id)) == 0
    assert posted(CASH_BANK) - bank_before == 100_000_00
    assert posted(FUND_AVAILABLE) - available_before == 100_000_00
    assert_ledger_ok()


def test_an_exchange_gain_is_booked_too(finance, donor):
    add_rate("EUR", LAST_MONTH, "1.0")
    add_rate("EUR", THIS_MONTH, "0.8")
    available_before, pledged_before = posted(FUND_AVAILABLE), posted(FUND_PLEDGED)
    pledge = _pledge(finance, donor)
    services.confirm_pledge(actor=finance, pledge=pledge, on=LAST_MONTH)
    receipt = _receipt(finance, 100_000_00)
    allocation = services.allocate_bank_receipt(
        actor=finance, bank_receipt=receipt, pledge=pledge, amount=100_000_00
    )
    assert (allocation.functional_amount, allocation.carrying_amount) == (125_000_00, 100_000_00)
    assert posted(FUND_AVAILABLE) - available_before == 125_000_00
    assert posted(FUND_PLEDGED) == pledged_before
    assert posted(receivable_key(donor.id)) == 0
    assert_ledger_ok()


def test_thirds_never_drift_by_a_cent(finance, donor):
    add_rate("EUR", LAST_MONTH, "0.9")
    add_rate("EUR", THIS_MONTH, "0.7")
    pledge = _pledge(finance, donor, amount=100_00)
    services.confirm_pledge(actor=finance, pledge=pledge, on=LAST_MONTH)
    receipt = _receipt(finance, 100_00)
    for part in (33_33, 33_33, 33_34):
        services.allocate_bank_receipt(
            actor=finance, bank_receipt=receipt, pledge=pledge, amount=part
        )
    assert pledge.status == PledgeStatus.PAID
    assert sum(a.carrying_amount for a in pledge.allocations) == pledge.functional_amount
    assert sum(a.functional_amount for a in receipt.allocations) == receipt.functional_amount
    assert posted(receivable_key(donor.id)) == 0
    assert_ledger_ok()


def test_an_over_payment_stays_visible_as_unapplied(finance, donor):
    add_rate("EUR", THIS_MONTH, "0.9")
    pledge = _pledge(finance, donor)
    services.confirm_pledge(actor=finance, pledge=pledge, on=TODAY)
    receipt = _receipt(finance, 120_000_00, donor=donor)
    with pytest.raises(ValidationFailed, match="outstanding"):
        services.allocate_bank_receipt(
            actor=finance, bank_receipt=receipt, pledge=pledge, amount=120_000_00
        )
    services.allocate_bank_receipt(
        actor=finance, bank_receipt=receipt, pledge=pledge, amount=100_000_00
    )
    assert pledge.status == PledgeStatus.PAID
    assert receipt.unapplied_amount == 20_000_00
    assert receipt in unapplied_receipts()
    assert_ledger_ok()


def test_payments_need_a_confirmed_pledge_in_the_same_currency_from_the_same_donor(finance, donor):
    add_rate("EUR", THIS_MONTH, "0.9")
    add_rate("GBP", THIS_MONTH, "0.8")
    pledge = _pledge(finance, donor)
    receipt = _receipt(finance, 1_000_00)
    with pytest.raises(ValidationFailed, match="confirm the pledge"):
        services.allocate_bank_receipt(actor=finance, bank_receipt=receipt, pledge=pledge, amount=1)
    services.confirm_pledge(actor=finance, pledge=pledge, on=TODAY)
    pounds = _receipt(finance, 1_000_00, currency="GBP")
    with pytest.raises(ValidationFailed, match="must match"):
        services.allocate_bank_receipt(actor=finance, bank_receipt=pounds, pledge=pledge, amount=1)
    someone_else = _receipt(finance, 5_00, donor=institutional_donor("Sweden"), reference="SE-1")
    with pytest.raises(ValidationFailed, match="another donor"):
        services.allocate_bank_receipt(
            actor=finance, bank_receipt=someone_else, pledge=pledge, amount=1
        )


def test_a_bank_reference_is_recorded_once(finance):
    _receipt(finance, 10_00, currency="USD", reference="UN 2026/001")
    with pytest.raises(Conflict):
        _receipt(finance, 10_00, currency="USD", reference=" un2026/001 ")


def test_every_bank_receipt_gets_the_next_number_of_the_year(finance):
    numbers = []
    for index in range(3):
        _receipt_row, numbered = services.record_bank_receipt(
            actor=finance,
            value_date=TODAY,
            amount=10_00,
            currency="USD",
            bank_reference=f"SEQ-{index}",
        )
        numbers.append((numbered.year, numbered.number))
    years = {year for year, _ in numbers}
    assert years == {utcnow().year}
    first = numbers[0][1]
    assert [n for _, n in numbers] == [first, first + 1, first + 2]


def test_a_donor_withdraws_an_unconfirmed_pledge(finance):
    organisation = OrganisationFactory(kind=OrganisationKind.GOVERNMENT, name="Ministry of X")
    member = user_with(Role.DONOR)
    MembershipFactory(organisation=organisation, user=member, role=MembershipRole.OWNER)
    donor = services.donor_for_organisation(actor=member, organisation=organisation)
    pledge = services.make_pledge(
        actor=member, donor=donor, amount=5_000_00, currency="USD", year=YEAR
    )
    services.cancel_pledge(actor=member, pledge=pledge, reason="sent twice")
    assert pledge.status == PledgeStatus.CANCELLED
    assert pledge.closed_functional_amount == 0


def test_cancelling_a_confirmed_pledge_reverses_its_receivable(finance, donor):
    add_rate("EUR", THIS_MONTH, "0.9")
    pledge = _pledge(finance, donor)
    services.confirm_pledge(actor=finance, pledge=pledge, on=TODAY)
    services.cancel_pledge(actor=finance, pledge=pledge, reason="letter withdrawn")
    assert pledge.status == PledgeStatus.CANCELLED
    assert posted(receivable_key(donor.id)) == 0
    assert_ledger_ok()


def test_after_a_payment_the_rest_is_written_off_not_cancelled(finance, donor):
    add_rate("EUR", THIS_MONTH, "0.9")
    pledge = _pledge(finance, donor)
    services.confirm_pledge(actor=finance, pledge=pledge, on=TODAY)
    receipt = _receipt(finance, 30_000_00)
    services.allocate_bank_receipt(
        actor=finance, bank_receipt=receipt, pledge=pledge, amount=30_000_00
    )
    with pytest.raises(InvalidTransition):
        services.cancel_pledge(actor=finance, pledge=pledge, reason="no")
    services.write_off_pledge(actor=finance, pledge=pledge, reason="budget cut")
    assert pledge.status == PledgeStatus.WRITTEN_OFF
    assert pledge.outstanding_amount == 0
    assert posted(receivable_key(donor.id)) == 0
    assert_ledger_ok()


def test_only_finance_confirms_and_records_money(donor):
    pledge = _pledge(finance_user(), donor, currency="USD")
    for outsider in (user_with(Role.DONOR), user_with(Role.FUND_MANAGER), user_with(Role.ADMIN)):
        with pytest.raises(PermissionDenied):
            services.confirm_pledge(actor=outsider, pledge=pledge, on=TODAY)
        with pytest.raises(PermissionDenied):
            services.record_bank_receipt(
                actor=outsider,
                value_date=TODAY,
                amount=1_00,
                currency="USD",
                bank_reference="X",
            )


def test_nobody_pledges_for_an_organisation_they_do_not_belong_to(donor):
    with pytest.raises(PermissionDenied):
        services.make_pledge(
            actor=user_with(Role.DONOR), donor=donor, amount=1_00, currency="USD", year=YEAR
        )


def test_instalments_must_add_up(finance, donor):
    with pytest.raises(ValidationFailed, match="add up"):
        _pledge(
            finance,
            donor,
            amount=100_00,
            currency="USD",
            instalments=[services.Instalment(due_on=TODAY, amount=40_00)],
        )
    pledge = _pledge(
        finance,
        donor,
        amount=100_00,
        currency="USD",
        earmark="children",
        instalments=[
            services.Instalment(due_on=TODAY, amount=40_00),
            services.Instalment(due_on=TODAY + timedelta(days=90), amount=60_00),
        ],
    )
    assert [i.amount for i in pledge.instalments] == [40_00, 60_00]
    with pytest.raises(ValidationFailed, match="themes"):
        _pledge(finance, donor, amount=1_00, currency="USD", earmark="weapons")
