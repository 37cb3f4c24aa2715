"""Signing in and out: what the person sees, where they land, and what the audit log keeps."""

from __future__ import annotations

import re

import pytest

from app.platform.extensions import db
from tests.factories import PASSWORD, UserFactory
from tests.web.auth.helpers import audit_events, is_signed_in, submit_login

ERROR_TEXT = re.compile(r"(?:invalid-feedback d-block|alert alert-danger)[^>]*>([^<]+)<")


def errors_on(response) -> list[str]:
    return ERROR_TEXT.findall(response.get_data(as_text=True))


def test_signing_in_lands_on_the_home_page_and_is_audited(client):
    user = UserFactory(email="grace@example.org", full_name="Grace Hopper")

    response = submit_login(client, "Grace@Example.org ", PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_signed_in(client)
    assert "Grace Hopper" in client.get("/").get_data(as_text=True)
    db.session.refresh(user)
    assert user.last_login_at is not None
    [event] = audit_events("user.login")
    assert event.actor_id == user.id
    assert event.subject_id == str(user.id)
    assert event.ip == "127.0.0.1"


def test_wrong_password_and_unknown_address_get_the_same_answer(client):
    UserFactory(email="grace@example.org")

    wrong_password = submit_login(client, "grace@example.org", "not-her-password")
    unknown = submit_login(client, "nobody@example.org", "not-her-password")

    assert wrong_password.status_code == unknown.status_code == 200
    assert errors_on(wrong_password) == errors_on(unknown)
    assert "The e-mail or password is not right." in errors_on(unknown)
    assert not is_signed_in(client)


def test_every_failed_sign_in_is_audited_without_the_password(client):
    user = UserFactory(email="grace@example.org")

    submit_login(client, "grace@example.org", "not-her-password")
    submit_login(client, "nobody@example.org", "not-her-password")

    known, unknown = audit_events("user.login_failed")
    assert known.subject_id == str(user.id)
    assert "grace@example.org" in known.summary
    assert unknown.subject_id is None
    assert "nobody@example.org" in unknown.summary
    assert known.ip == unknown.ip == "127.0.0.1"
    assert all("not-her-password" not in e.summary for e in (known, unknown))
    assert audit_events("user.login") == []


def test_a_deactivated_account_is_refused_even_with_the_right_password(client):
    user = UserFactory(email="gone@example.org", is_active=False)

    response = submit_login(client, "gone@example.org", PASSWORD)

    assert response.status_code == 200
    assert "This account has been deactivated. Contact the fund&#39;s administrator." in (
        errors_on(response)
    )
    assert not is_signed_in(client)
    [event] = audit_events("user.login_failed")
    assert event.subject_id == str(user.id)
    assert "deactivated" in event.summary


def test_an_invited_user_without_a_password_cannot_sign_in(client):
    UserFactory(email="invited@example.org", password_hash=None, email_confirmed_at=None)

    response = submit_login(client, "invited@example.org", "anything-at-all-here")

    assert "The e-mail or password is not right." in errors_on(response)
    assert not is_signed_in(client)


def test_signing_out_ends_the_session_and_is_audited(client):
    user = UserFactory(email="grace@example.org")
    submit_login(client, "grace@example.org", PASSWORD)

    response = client.post("/logout", follow_redirects=True)

    assert "You are signed out." in response.get_data(as_text=True)
    assert not is_signed_in(client)
    assert client.get("/account/").status_code == 302
    [event] = audit_events("user.logout")
    assert event.actor_id == user.id


def test_sign_out_by_get_is_not_allowed(client):
    UserFactory(email="grace@example.org")
    submit_login(client, "grace@example.org", PASSWORD)

    response = client.get("/logout")

    assert response.status_code == 405
    assert is_signed_in(client)
    assert audit_events("user.logout") == []


def test_a_protected_page_sends_to_sign_in_and_back(client):
    UserFactory(email="grace@example.org")

    response = client.get("/account/security")
    assert response.status_code == 302
    login_page = response.headers["Location"]
    assert login_page.startswith("/login?next=")

    response = client.post(login_page, data={"email": "grace@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/security")
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example/phish",
        "\\\\evil.example/phish",
        "/\t/evil.example/phish",
        "http://localhost.evil.example/",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_sign_in_never_redirects_to_another_site(client, target):
    UserFactory(email="grace@example.org")

    response = submit_login(client, "grace@example.org", PASSWORD, next=target)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_signed_in(client)


def test_sign_in_honours_a_same_site_next_with_its_query(client):
    UserFactory(email="grace@example.org")

    response = submit_login(client, "grace@example.org", PASSWORD, next="/audit/?page=2")

    assert response.headers["Location"] == "/audit/?page=2"


def test_a_signed_in_person_visiting_sign_in_goes_home(client):
    UserFactory(email="grace@example.org")
    submit_login(client, "grace@example.org", PASSWORD)

    response = client.get("/login")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_keep_me_signed_in_sets_a_lasting_cookie(client):
    UserFactory(email="grace@example.org")

    client.post(
        "/login", data={"email": "grace@example.org", "password": PASSWORD, "remember": "y"}
    )

    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    assert cookie.http_only
