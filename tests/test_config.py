"""Production refuses to start half-configured, and runs with secure cookies and HSTS."""

from __future__ import annotations

import os

import pytest

from app import create_app
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
