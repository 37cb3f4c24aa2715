"""Production refuses to start half-configured, and runs with secure cookies and HSTS; any
environment refuses a business setting of the wrong type or out of range."""

from __future__ import annotations

import os
import re
from decimal import Decimal

import pytest

from app import create_app
from app.platform.settings import Settings
from config.settings import ConfigurationError, Production, config_for


@pytest.fixture
def production_env(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret-of-48-characters")
    monkeypatch.setenv("DATABASE_URL", "postgresql://trustfund@db.internal/trustfund")
    monkeypatch.setenv("REDIS_URL", "redis://redis.internal:6379/0")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://trustfund.example")
    monkeypatch.setenv("MAIL_SERVER", "smtp.internal")


@pytest.mark.parametrize(
    ("unset", "named", "not_named"),
    [
        (["SECRET_KEY"], ["SECRET_KEY"], ["DATABASE_URL"]),
        (["DATABASE_URL"], ["DATABASE_URL"], ["SECRET_KEY"]),
        (["SECRET_KEY", "DATABASE_URL"], ["SECRET_KEY", "DATABASE_URL"], []),
        (["MAIL_SERVER"], ["MAIL_SERVER"], ["SECRET_KEY", "DATABASE_URL"]),
    ],
)
def test_production_refuses_to_start_and_names_what_is_missing(
    monkeypatch, production_env, unset, named, not_named
):
    for name in unset:
        monkeypatch.delenv(name)

    with pytest.raises(ConfigurationError) as refused:
        create_app("production")

    message = str(refused.value)
    assert all(name in message for name in named)
    assert not any(name in message for name in not_named)


def test_an_empty_variable_counts_as_missing(monkeypatch, production_env):
    monkeypatch.setenv("SECRET_KEY", "")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app("production")


def test_an_unknown_environment_name_is_refused():
    with pytest.raises(ConfigurationError, match="production"):
        config_for("staging")


def test_production_sets_secure_cookies_and_hsts(production_env):
    app = create_app("production", overrides={"SQLALCHEMY_DATABASE_URI": "sqlite://"})

    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    if "REQUIRE_2FA_FOR_STAFF" not in os.environ:
        assert app.config["REQUIRE_2FA_FOR_STAFF"] is True

    # The sign-in form puts a CSRF token in the session, so the cookie is set.
    response = app.test_client().get("/login", base_url="https://trustfund.example")

    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert 'name="csrf_token"' in response.get_data(as_text=True)


def test_outside_production_there_is_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert Production.HSTS is True


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("BOARD_QUORUM", "3", "BOARD_QUORUM must be a whole number of at least 1"),
        ("BOARD_QUORUM", 0, "BOARD_QUORUM must be a whole number of at least 1"),
        ("PSC_RATE", "13%", "PSC_RATE must be a number from 0 to 1"),
        ("PSC_RATE", Decimal("1.3"), "PSC_RATE must be a number from 0 to 1"),
        ("FUNCTIONAL_CURRENCY", "dollars", "FUNCTIONAL_CURRENCY must be a three-letter"),
        ("DONATION_CURRENCIES", "USD,EUR", "DONATION_CURRENCIES must be a list"),
        ("SANCTIONS_MATCH_THRESHOLD", 188.0, "SANCTIONS_MATCH_THRESHOLD must be a number"),
        ("UPLOAD_MAX_BYTES", -1, "UPLOAD_MAX_BYTES must be a whole number of at least 1"),
        (
            "GRANT_TRANCHE_SHARES",
            {"low": ["0.60", "0.60"]},
            "GRANT_TRANCHE_SHARES must be a mapping of risk ratings to positive shares adding up",
        ),
        (
            "GRANT_WINDOWS",
            {"emergency": {"max_amount": 20_000_00}},
            "GRANT_WINDOWS must be a mapping of windows to max_amount and max_duration_months",
        ),
    ],
)
def test_a_wrong_setting_stops_the_start_and_names_it(name, value, says):
    with pytest.raises(ConfigurationError, match=re.escape(says)):
        create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": "sqlite://", name: value})


def test_the_rules_settings_are_typed_once_at_start_up():
    app = create_app(
        "testing",
        overrides={"SQLALCHEMY_DATABASE_URI": "sqlite://", "PSC_RATE": "0.07", "BOARD_QUORUM": 2},
    )

    kept = app.extensions["settings"]
    assert kept == Settings.from_config(app.config)
    assert kept.fund.psc_rate == Decimal("0.07")
    assert kept.reviews.board_quorum == 2
    assert kept.grants.tranche_shares["low"] == (Decimal("0.60"), Decimal("0.40"))
