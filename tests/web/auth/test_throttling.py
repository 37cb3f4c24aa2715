"""Sign-in throttling per account and per address, with a message that says what to do (the
attacks on it are in tests/security/test_sign_in_throttling.py)."""

from __future__ import annotations

import pytest
from limits import parse

from tests.factories import PASSWORD, UserFactory
from tests.web.auth.helpers import audit_events, is_signed_in, submit_login

THROTTLED = "Too many sign-in attempts. For your security, please wait a few minutes and try again."


@pytest.fixture
def per_account(app) -> int:
    return parse(app.config["LOGIN_LIMIT_PER_ACCOUNT"]).amount


@pytest.fixture
def per_ip(app) -> int:
    return parse(app.config["LOGIN_LIMIT_PER_IP"]).amount


def from_ip(address: str) -> dict:
    # No proxy is trusted in tests (TRUSTED_PROXIES=0): the socket's address is the client's.
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_repeated_failures_for_one_account_are_refused_with_a_clear_message(client, per_account):
    UserFactory(email="grace@example.org")
    for _ in range(per_account):
        assert submit_login(client, "grace@example.org", "guess-guess-guess").status_code == 200

    response = submit_login(client, "grace@example.org", PASSWORD)

    assert response.status_code == 429
    assert THROTTLED in response.get_data(as_text=True)
    assert "Retry-After" in response.headers
    assert not is_signed_in(client)


def test_the_account_limit_for_new_browsers_holds_across_addresses_and_spellings(
    app, client, monkeypatch
):
    # Small enough to reach here; every attempt comes from an address of its own.
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT_NEW_DEVICES", "6 per hour")
    UserFactory(email="grace@example.org")
    for attempt in range(6):
        submit_login(
            client,
            "Grace@example.org" if attempt % 2 else "grace@example.org",
            "guess-guess",
            **from_ip(f"203.0.113.{attempt + 1}"),
        )

    response = submit_login(client, "GRACE@example.org", PASSWORD, **from_ip("198.51.100.7"))

    assert response.status_code == 429


def test_other_accounts_are_not_locked_by_one_being_attacked(client, per_account):
    UserFactory(email="grace@example.org")
    UserFactory(email="alan@example.org")
    for _ in range(per_account + 1):
        submit_login(client, "grace@example.org", "guess-guess-guess")

    assert submit_login(client, "alan@example.org", PASSWORD).status_code == 302


def test_one_address_trying_many_accounts_is_throttled(client, per_ip, per_account):
    UserFactory(email="victim@example.org")
    attacker = from_ip("203.0.113.66")
    # Spread over accounts so that no single account reaches its own limit.
    for attempt in range(per_ip):
        response = submit_login(client, f"user{attempt}@example.org", "guess-guess", **attacker)
        assert response.status_code == 200

    blocked = submit_login(client, "victim@example.org", PASSWORD, **attacker)
    elsewhere = submit_login(client, "victim@example.org", PASSWORD, **from_ip("198.51.100.7"))

    assert blocked.status_code == 429
    assert THROTTLED in blocked.get_data(as_text=True)
    assert elsewhere.status_code == 302


def test_successful_sign_ins_do_not_count(client, per_account, per_ip):
    UserFactory(email="grace@example.org")
    for _ in range(max(per_account, per_ip) + 1):
        assert submit_login(client, "grace@example.org", PASSWORD).status_code == 302
        client.post("/logout")

    for _ in range(per_account - 1):
        submit_login(client, "grace@example.org", "guess-guess-guess")
    assert submit_login(client, "grace@example.org", PASSWORD).status_code == 302


def test_throttled_attempts_are_not_checked_or_counted_as_sign_ins(client, per_account):
    UserFactory(email="grace@example.org")
    for _ in range(per_account):
        submit_login(client, "grace@example.org", "guess-guess-guess")

    submit_login(client, "grace@example.org", PASSWORD)

    assert len(audit_events("user.login_failed")) == per_account
    assert audit_events("user.login") == []


def test_the_sign_in_page_itself_is_never_throttled(client, per_account):
    UserFactory(email="grace@example.org")
    for _ in range(per_account + 1):
        submit_login(client, "grace@example.org", "guess-guess-guess")

    assert client.get("/login").status_code == 200
