"""Attacks on sign-in throttling (decision 0006): an attacker cannot keep the owner out, one
address is limited, many addresses only lock out browsers the account has never used, and the
counters are shared by every worker (Redis), which production insists on."""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from limits import parse

from app import create_app
from app.accounts.web.auth.throttling import DEVICE_COOKIE
from config.settings import ConfigurationError
from tests.conftest import IsolatedClient
from tests.factories import PASSWORD, UserFactory
from tests.web.auth.helpers import submit_login

OWNER = "finance@example.org"
WRONG = "not-the-password"
# A database number of its own, and a key prefix per test, removed afterwards.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def from_ip(address: str) -> dict:
    # No proxy is trusted in tests (TRUSTED_PROXIES=0): the socket's address is the client's.
    return {"environ_base": {"REMOTE_ADDR": address}}


@pytest.fixture
def per_account(app: Flask) -> int:
    return parse(app.config["LOGIN_LIMIT_PER_ACCOUNT"]).amount


@pytest.fixture
def new_devices_limit(app: Flask, monkeypatch: pytest.MonkeyPatch) -> int:
    """The account-wide limit for new browsers, made small enough to reach in a test."""
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT_NEW_DEVICES", "8 per hour")
    return 8


def test_an_attackers_failures_from_one_address_do_not_stop_the_owner_elsewhere(app, per_account):
    UserFactory(email=OWNER)
    attacker = app.test_client()
    for _ in range(per_account * 3):
        submit_login(attacker, OWNER, WRONG, **from_ip("203.0.113.66"))

    owner = submit_login(app.test_client(), OWNER, PASSWORD, **from_ip("198.51.100.7"))

    assert owner.status_code == 302


def test_failures_from_one_address_are_limited_even_with_the_right_password(app, per_account):
    UserFactory(email=OWNER)
    attacker = app.test_client()
    for _ in range(per_account):
        assert submit_login(attacker, OWNER, WRONG, **from_ip("203.0.113.66")).status_code == 200

    guessed = submit_login(attacker, OWNER, PASSWORD, **from_ip("203.0.113.66"))

    assert guessed.status_code == 429


def test_one_address_alone_can_never_reach_the_account_wide_limit(app):
    """With the shipped settings: the most one address can fail in the account-wide window
    (its own allowance in every one of its windows that overlaps it) stays below that limit."""
    per_address = parse(app.config["LOGIN_LIMIT_PER_ACCOUNT"])
    account_wide = parse(app.config["LOGIN_LIMIT_PER_ACCOUNT_NEW_DEVICES"])
    windows = math.ceil(account_wide.get_expiry() / per_address.get_expiry()) + 1

    assert per_address.amount * windows < account_wide.amount


def test_refused_attempts_do_not_use_up_the_account_wide_allowance(
    app, new_devices_limit, monkeypatch
):
    # A window as long as the per-address one's: the limiter then checks the account-wide
    # allowance before the per-address one, and would count what the latter refuses.
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT_NEW_DEVICES", "8 per 10 minutes")
    UserFactory(email=OWNER)
    attacker = app.test_client()
    # Refused again and again from one address: no password is checked, nothing may count.
    for _ in range(new_devices_limit * 2):
        submit_login(attacker, OWNER, WRONG, **from_ip("203.0.113.66"))

    owner = submit_login(app.test_client(), OWNER, PASSWORD, **from_ip("198.51.100.7"))

    assert owner.status_code == 302


def _attack_from_many_addresses(app: Flask, attempts: int) -> None:
    attacker = app.test_client()
    for attempt in range(attempts):
        submit_login(attacker, OWNER, WRONG, **from_ip(f"203.0.113.{attempt + 1}"))


def test_an_attack_from_many_addresses_locks_out_new_browsers_only(app, new_devices_limit):
    UserFactory(email=OWNER)
    owners_laptop = app.test_client()
    assert submit_login(owners_laptop, OWNER, PASSWORD).status_code == 302
    owners_laptop.post("/logout")

    _attack_from_many_addresses(app, new_devices_limit)

    stranger = submit_login(app.test_client(), OWNER, PASSWORD, **from_ip("198.51.100.7"))
    laptop = submit_login(owners_laptop, OWNER, PASSWORD, **from_ip("198.51.100.8"))
    assert stranger.status_code == 429  # a new browser must wait, even with the password
    assert laptop.status_code == 302  # the owner's own browser signs in


def test_a_known_browser_is_limited_on_its_own(app, new_devices_limit, per_account):
    """A stolen known-device cookie buys no more guesses than one address has."""
    UserFactory(email=OWNER)
    thief = app.test_client()
    assert submit_login(thief, OWNER, PASSWORD).status_code == 302
    thief.post("/logout")
    for attempt in range(per_account):
        submit_login(thief, OWNER, WRONG, **from_ip(f"203.0.113.{attempt + 1}"))

    assert submit_login(thief, OWNER, PASSWORD, **from_ip("198.51.100.9")).status_code == 429


def test_a_forged_or_borrowed_known_device_cookie_counts_for_nothing(app, new_devices_limit):
    UserFactory(email=OWNER)
    UserFactory(email="someone@example.org")
    borrowed = app.test_client()
    assert submit_login(borrowed, "someone@example.org", PASSWORD).status_code == 302
    borrowed.post("/logout")
    cookie = borrowed.get_cookie(DEVICE_COOKIE)
    assert cookie is not None
    _attack_from_many_addresses(app, new_devices_limit)

    for value in (cookie.value, cookie.value[:-2] + "xx", "made-up"):
        browser = app.test_client()
        browser.set_cookie(DEVICE_COOKIE, value)
        assert submit_login(browser, OWNER, PASSWORD).status_code == 429


def test_resetting_the_password_by_e_mail_makes_a_new_browser_known(
    app, new_devices_limit, mailbox
):
    UserFactory(email=OWNER)
    _attack_from_many_addresses(app, new_devices_limit)
    phone = app.test_client()
    assert submit_login(phone, OWNER, PASSWORD).status_code == 429

    phone.post("/reset", data={"email": OWNER})
    link = mailbox.link(OWNER)
    phone.post(link, data={"password": "a-new-long-password", "confirm": "a-new-long-password"})

    assert submit_login(phone, OWNER, "a-new-long-password").status_code == 302


# --- counters shared by every worker -------------------------------------------------------


@pytest.fixture
def shared_storage() -> Iterator[dict[str, str]]:
    """Settings for workers counting in one Redis database, under a prefix of this test's."""
    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis does not answer at {TEST_REDIS_URL} (set TEST_REDIS_URL)")
    prefix = f"test-{uuid.uuid4().hex}"
    try:
        yield {"RATELIMIT_STORAGE_URI": TEST_REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    finally:
        for key in client.scan_iter(match=f"*{prefix}*"):
            client.delete(key)
        client.close()


def _worker(app: Flask, storage: dict[str, str]) -> Flask:
    """Another process's app: the same database, its own connection to the limiter's storage."""
    worker = create_app(
        "testing",
        overrides={"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], **storage},
    )
    worker.test_client_class = IsolatedClient
    return worker


def test_two_workers_count_failures_together(app, shared_storage, per_account):
    UserFactory(email=OWNER)
    first = _worker(app, shared_storage)
    for _ in range(per_account - 1):
        assert submit_login(first.test_client(), OWNER, WRONG).status_code == 200

    second = _worker(app, shared_storage)  # binds the limiter to a storage connection of its own
    assert submit_login(second.test_client(), OWNER, WRONG).status_code == 200

    assert submit_login(second.test_client(), OWNER, PASSWORD).status_code == 429


def test_production_refuses_to_start_with_counters_in_memory(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret-of-48-characters")
    monkeypatch.setenv("DATABASE_URL", "postgresql://trustfund@db.internal/trustfund")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://trustfund.example")
    monkeypatch.setenv("MAIL_SERVER", "smtp.internal")
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)

    with pytest.raises(ConfigurationError, match="REDIS_URL") as refused:
        create_app("production")
    assert "RATELIMIT_STORAGE_URI" in str(refused.value)

    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    with pytest.raises(ConfigurationError, match="REDIS_URL"):
        create_app("production")


def test_production_counts_in_the_redis_it_is_given(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret-of-48-characters")
    monkeypatch.setenv("DATABASE_URL", "postgresql://trustfund@db.internal/trustfund")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://trustfund.example")
    monkeypatch.setenv("MAIL_SERVER", "smtp.internal")
    monkeypatch.setenv("REDIS_URL", "redis://redis.internal:6379/0")

    production = create_app("production", overrides={"SQLALCHEMY_DATABASE_URI": "sqlite://"})

    assert production.config["RATELIMIT_STORAGE_URI"] == "redis://redis.internal:6379/0"
