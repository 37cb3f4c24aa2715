"""Exchange rates: the rate in force on a date, one rounding rule, and the CSV import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.accounts.models import Role
from app.donations import services
from app.platform.errors import PermissionDenied, ValidationFailed
from app.platform.money import convert_at_rate
from tests.donations_support import add_rate, finance_user
from tests.factories import user_with


def test_conversion_rounds_half_to_even_to_the_cent():
    # EUR 0.02 at 0.8 EUR per USD is USD 0.025 exactly: half to even gives 2 cents, not 3.
    assert convert_at_rate(2, currency="EUR", rate=Decimal("0.8"), to_currency="USD") == 2
    # EUR 0.06 is USD 0.075: 7.5 cents rounds to the even 8.
    assert convert_at_rate(6, currency="EUR", rate=Decimal("0.8"), to_currency="USD") == 8
    assert (
        convert_at_rate(100_00, currency="EUR", rate=Decimal("0.926"), to_currency="USD") == 10799
    )


def test_zero_decimal_currencies_use_whole_units():
    # JPY has no minor unit: 1,000,000 yen at 149.37 per dollar is USD 6,694.78.
    assert (
        convert_at_rate(1_000_000, currency="JPY", rate=Decimal("149.37"), to_currency="USD")
        == 669_478
    )
    # And the other way: USD 10.00 into yen at 149.37 is 1,494 yen (1,493.7 rounded).
    assert (
        convert_at_rate(
            10_00, currency="USD", rate=Decimal(1) / Decimal("149.37"), to_currency="JPY"
        )
        == 1494
    )


def test_the_rate_in_force_is_the_latest_month_started_on_or_before_the_date(app):
    add_rate("EUR", date(2025, 1, 1), "0.9")
    add_rate("EUR", date(2025, 3, 1), "0.8")
    assert services.rate_in_force(currency="EUR", on=date(2025, 2, 28)).rate == Decimal("0.9")
    assert services.rate_in_force(currency="EUR", on=date(2025, 3, 1)).rate == Decimal("0.8")
    conversion = services.convert_to_functional(amount=90_00, currency="EUR", on=date(2025, 2, 1))
    assert conversion.amount == 100_00
    assert conversion.month == date(2025, 1, 1)


def test_no_rate_in_force_is_a_clear_refusal(app):
    with pytest.raises(ValidationFailed, match="no exchange rate for CHF"):
        services.convert_to_functional(amount=100, currency="CHF", on=date(2020, 1, 1))


def test_the_functional_currency_needs_no_rate(app):
    conversion = services.convert_to_functional(amount=123, currency="USD", on=date(2020, 1, 1))
    assert conversion.amount == 123 and conversion.rate == 1


def test_finance_records_and_corrects_a_month_rate(app):
    finance = finance_user()
    first = services.set_exchange_rate(
        actor=finance, currency="gbp", month=date(2025, 5, 17), rate=Decimal("0.79")
    )
    assert (first.currency, first.month) == ("GBP", date(2025, 5, 1))
    again = services.set_exchange_rate(
        actor=finance, currency="GBP", month=date(2025, 5, 1), rate=Decimal("0.7912")
    )
    assert again.id == first.id and again.rate == Decimal("0.7912")


@pytest.mark.parametrize("rate", ["0", "-1", "abc", "0.123456789", "12345678901"])
def test_impossible_rates_are_refused(app, rate):
    with pytest.raises(ValidationFailed):
        services.parse_rate(rate)


def test_only_finance_maintains_rates(app):
    with pytest.raises(PermissionDenied):
        services.set_exchange_rate(
            actor=user_with(Role.FUND_MANAGER),
            currency="EUR",
            month=date(2025, 1, 1),
            rate=Decimal("0.9"),
        )


def test_csv_import_is_all_or_nothing(app):
    finance = finance_user()
    good = "currency,month,rate\nEUR,2025-06,0.91\nJPY,2025-06,151.2\n"
    imported = services.import_exchange_rates(actor=finance, text=good)
    assert [(r.currency, r.rate) for r in imported] == [
        ("EUR", Decimal("0.91")),
        ("JPY", Decimal("151.2")),
    ]
    bad = "currency,month,rate\nCHF,2025-07,0.88\nXXQ,2025-07,1.2\n"
    with pytest.raises(ValidationFailed, match="Line 3"):
        services.import_exchange_rates(actor=finance, text=bad)
    assert services.rate_in_force(currency="CHF", on=date(2025, 7, 2)) is None


def test_csv_import_needs_its_header(app):
    with pytest.raises(ValidationFailed, match="header"):
        services.import_exchange_rates(actor=finance_user(), text="EUR,2025-06,0.91\n")


def test_the_give_page_offers_the_currencies_with_a_rate_in_force_that_day(app):
    # The functional currency always; another only from the first month its rate is in force;
    # in the configured order (DONATION_CURRENCIES: USD, EUR, GBP, CHF, JPY).
    add_rate("GBP", date(2025, 1, 1), "0.79")
    add_rate("EUR", date(2025, 3, 1), "0.9")
    add_rate("JPY", date(2025, 4, 1), "149.37")
    assert services.offered_currencies(on=date(2024, 12, 31)) == ["USD"]
    assert services.offered_currencies(on=date(2025, 2, 28)) == ["USD", "GBP"]
    assert services.offered_currencies(on=date(2025, 3, 1)) == ["USD", "EUR", "GBP"]
    assert services.offered_currencies(on=date(2025, 4, 1)) == ["USD", "EUR", "GBP", "JPY"]
