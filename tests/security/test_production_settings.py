"""Production refuses what an attacker could use: a published or short SECRET_KEY, no public
address, a foreign Host, the demo logins, and X-Forwarded-For from anyone but the proxy."""

from __future__ import annotations

import pytest
from flask import Flask, request
from sqlalchemy import func, select

from app import create_app
from app.accounts.models import User
from app.platform.extensions import db
from config.settings import ConfigurationError
from devtools.seed.people import DEMO_PASSWORD, demo_email
from tests.web.auth.helpers import is_signed_in, submit_login

PUBLIC = "https://grants.example.org"
STRONG_KEY = "k3y-" + "x" * 44


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    monkeypatch.setenv("DATABASE_URL", "postgresql://trustfund@db.internal/trustfund")
    monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC)
    monkeypatch.setenv("REDIS_URL", "redis://redis.internal:6379/0")
    monkeypatch.setenv("MAIL_SERVER", "smtp.internal")
    for name in ("EXTRA_TRUSTED_HOSTS", "TRUSTED_PROXIES", "TRUSTED_PROXY_ADDRESSES"):
        monkeypatch.delenv(name, raising=False)


def production_app() -> Flask:
    return create_app("production", overrides={"SQLALCHEMY_DATABASE_URI": "sqlite://"})


# --- SECRET_KEY and PUBLIC_BASE_URL ---------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "dev-only-not-secret",  # the development default, published in config/settings.py
        "testing-secret-key",  # the test suite's
        "a-long-random-production-secret",  # 31 bytes: under 32
    ],
)
def test_production_refuses_a_known_or_short_secret_key(monkeypatch, production_env, key):
    monkeypatch.setenv("SECRET_KEY", key)

    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        production_app()


def test_production_needs_the_public_base_url(monkeypatch, production_env):
    monkeypatch.delenv("PUBLIC_BASE_URL")

    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL"):
        production_app()


@pytest.mark.parametrize("url", ["http://grants.example.org", "grants.example.org", "https://"])
def test_production_needs_an_https_public_base_url(monkeypatch, production_env, url):
    monkeypatch.setenv("PUBLIC_BASE_URL", url)

    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL"):
        production_app()


def test_a_wrong_proxy_address_is_named_at_start(monkeypatch, production_env):
    monkeypatch.setenv("TRUSTED_PROXY_ADDRESSES", "10.0.0.0/8,the-proxy")

    with pytest.raises(ConfigurationError, match="TRUSTED_PROXY_ADDRESSES"):
        production_app()


# --- Host -----------------------------------------------------------------------------------


def test_production_refuses_a_foreign_host_with_a_400(production_env):
    client = production_app().test_client()

    for path in ("/", "/reset", "/healthz", "/no-such-page"):
        response = client.get(path, base_url="https://evil.example")
        assert response.status_code == 400, path
        assert "unknown host" in response.get_data(as_text=True)
    refused = client.post(
        "/reset", data={"email": "a@example.org"}, base_url="https://evil.example"
    )
    assert refused.status_code == 400

    assert client.get("/healthz", base_url=PUBLIC).status_code == 200
    assert client.get("/reset", base_url=PUBLIC + ":443").status_code == 200


def test_production_accepts_the_extra_trusted_hosts(monkeypatch, production_env):
    monkeypatch.setenv("EXTRA_TRUSTED_HOSTS", "www.grants.example.org, lb.internal")
    client = production_app().test_client()

    assert client.get("/healthz", base_url="http://lb.internal:8000").status_code == 200
    assert client.get("/healthz", base_url="https://www.grants.example.org").status_code == 200
    assert client.get("/healthz", base_url="https://evil.example").status_code == 400


# --- X-Forwarded-For ------------------------------------------------------------------------


def _seen_address(app: Flask, peer: str, forwarded_for: str) -> str:
    @app.get("/_address")
    def address() -> str:
        return str(request.remote_addr)

    response = app.test_client().get(
        "/_address",
        base_url=PUBLIC,
        environ_base={"REMOTE_ADDR": peer},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return response.get_data(as_text=True)


def test_a_client_reaching_the_server_directly_cannot_choose_its_address(production_env):
    # Were any client's X-Forwarded-For believed, a fresh address per attempt would escape the
    # per-IP sign-in limit and put a false address in the audit log.
    assert _seen_address(production_app(), "203.0.113.9", "198.51.100.7") == "203.0.113.9"


def test_the_proxy_still_tells_the_clients_address(production_env):
    assert _seen_address(production_app(), "10.0.0.2", "198.51.100.7") == "198.51.100.7"


def test_the_proxys_address_can_be_named(monkeypatch, production_env):
    monkeypatch.setenv("TRUSTED_PROXY_ADDRESSES", "192.0.2.10")

    assert _seen_address(production_app(), "192.0.2.10", "198.51.100.7") == "198.51.100.7"
    assert _seen_address(production_app(), "10.0.0.2", "198.51.100.7") == "10.0.0.2"


# --- the demo -------------------------------------------------------------------------------


def _demo_users() -> int:
    query = select(func.count()).select_from(User).where(User.email.like("%@demo.test"))
    return int(db.session.scalar(query) or 0)


def test_flask_demo_refuses_to_run_in_production(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "APP_ENV", "production")

    result = runner.invoke(args=["demo"])

    assert result.exit_code != 0
    assert "refused in production" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert _demo_users() == 0


def test_demo_logins_do_not_work_in_production_even_if_loaded(app, runner, client, monkeypatch):
    assert runner.invoke(args=["demo", "--quiet"]).exit_code == 0
    signed_in_before = client.application.test_client()
    assert submit_login(signed_in_before, demo_email("admin"), DEMO_PASSWORD).status_code == 302
    monkeypatch.setitem(app.config, "APP_ENV", "production")

    refused = submit_login(client, demo_email("admin"), DEMO_PASSWORD)

    assert refused.status_code == 200  # the form again, as for a wrong password
    assert not is_signed_in(client)
    # A session opened before is worth nothing either.
    assert not is_signed_in(signed_in_before)
