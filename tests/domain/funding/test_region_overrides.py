"""A restriction to a region follows REPORTING_REGION_OVERRIDES: a country the deployment
places in another region is matched in that region, by the one place regions are decided
(app/platform/regions.py; decision 0106)."""

from __future__ import annotations

import re
from types import MappingProxyType

import pytest

from app import create_app
from app.donations.services.restrictions import RestrictionTerms
from app.platform.regions import Region
from config.settings import ConfigurationError
from tests.funding_support import donor, paid_pledge, restricted_balance
from tests.grants_support import USD, approved_application, award, fund
from tests.settings_support import change_settings

ASIA = RestrictionTerms(region=Region.ASIA.value)


def _in_egypt():  # Africa (002) in the M49 standard
    application = approved_application(amount=1_000 * USD)
    application.countries = ["EG"]
    return application


def test_without_an_override_the_standard_region_decides():
    fund(5_000 * USD)
    _p, asia = paid_pledge(donor(), 5_000 * USD, terms=ASIA)
    assert asia is not None
    award(_in_egypt())
    assert restricted_balance(asia) == 5_000 * USD


def test_a_country_placed_in_another_region_is_funded_by_that_regions_money(app, monkeypatch):
    change_settings(monkeypatch, app, "regions", overrides=MappingProxyType({"EG": "142"}))
    _p, asia = paid_pledge(donor(), 5_000 * USD, terms=ASIA)
    assert asia is not None
    award(_in_egypt())  # 1,000 + 130 support cost, all from the restricted balance
    assert restricted_balance(asia) == 3_870 * USD


def test_the_overrides_are_read_once_at_start_up_and_checked():
    app = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "REPORTING_REGION_OVERRIDES": {"xk": "150"},
        },
    )
    assert dict(app.extensions["settings"].regions.overrides) == {"XK": "150"}
    with pytest.raises(ConfigurationError, match=re.escape("REPORTING_REGION_OVERRIDES must be")):
        create_app(
            "testing",
            overrides={
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "REPORTING_REGION_OVERRIDES": {"EG": "Asia"},
            },
        )
