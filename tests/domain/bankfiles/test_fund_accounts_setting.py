"""FUND_BANK_ACCOUNTS: the fund's account per currency, checked when the app starts."""

from __future__ import annotations

import pytest
from flask import Flask

from app.platform.settings import Settings
from config.settings import ConfigurationError


def _accounts(app: Flask, value: object):
    return Settings.from_config({**app.config, "FUND_BANK_ACCOUNTS": value}).bank_files


def test_an_iban_and_an_account_number_are_read_by_currency(app):
    accounts = _accounts(
        app, " usd = CH93 0076 2011 6238 5295 7 : ubswchzh80a , JPY=1234567:BOTKJPJT, "
    ).debtor_accounts
    assert accounts["USD"].account == "CH9300762011623852957"
    assert accounts["USD"].bic == "UBSWCHZH80A" and accounts["USD"].is_iban
    assert accounts["JPY"].account == "1234567" and not accounts["JPY"].is_iban


def test_empty_means_no_payment_files(app):
    assert dict(_accounts(app, "").debtor_accounts) == {}


@pytest.mark.parametrize(
    "value",
    [
        "USD=CH9300762011623852958:UBSWCHZH80A",  # wrong IBAN checksum
        "USD=CH9300762011623852957:NOTABIC",
        "DOLLARS=CH9300762011623852957:UBSWCHZH80A",
        "USD=:UBSWCHZH80A",
        "USD CH9300762011623852957",
        42,
    ],
)
def test_a_wrong_account_stops_the_start_naming_the_setting(app, value):
    with pytest.raises(ConfigurationError, match="FUND_BANK_ACCOUNTS"):
        _accounts(app, value)
