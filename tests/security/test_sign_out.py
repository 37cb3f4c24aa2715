"""Signing out ends the session on the server: a copy of its cookies no longer opens anything."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from app.accounts.models import Role
from tests.factories import PASSWORD, UserFactory
from tests.web.auth.helpers import submit_login

PRIVATE_PAGE = "/my/giving"


def _copy(client: FlaskClient, app: Flask, *names: str) -> FlaskClient:
    """Another browser holding only the named cookies of ``client`` (as a thief would)."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie to copy"
        thief.set_cookie(name, cookie.value)
    return thief


def _opens_the_private_page(browser: FlaskClient) -> bool:
    return browser.get(PRIVATE_PAGE).status_code == 200


def test_a_copied_session_cookie_stops_working_when_its_owner_signs_out(app, client):
    UserFactory(email="donor@example.org", roles=[Role.DONOR])
    assert submit_login(client, "donor@example.org", PASSWORD).status_code == 302
    copy = _copy(client, app, "session")
    assert _opens_the_private_page(copy)  # the copy is as good as the original until...

    client.post("/logout")

    assert not _opens_the_private_page(copy)
    assert "/login" in copy.get(PRIVATE_PAGE).headers["Location"]


def test_a_copied_remember_me_cookie_alone_stops_working_when_its_owner_signs_out(app, client):
    UserFactory(email="donor@example.org", roles=[Role.DONOR])
    response = client.post(
        "/login", data={"email": "donor@example.org", "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    copy = _copy(client, app, "remember_token")
    assert _opens_the_private_page(copy)  # a year-long cookie signs its holder in...

    client.post("/logout")

    assert not _opens_the_private_page(_copy(copy, app, "remember_token"))


def test_signing_out_ends_the_sessions_of_other_devices_too(app, client):
    UserFactory(email="donor@example.org", roles=[Role.DONOR])
    phone = app.test_client()
    assert submit_login(client, "donor@example.org", PASSWORD).status_code == 302
    assert submit_login(phone, "donor@example.org", PASSWORD).status_code == 302

    client.post("/logout")

    assert not _opens_the_private_page(phone)


def test_after_signing_out_one_can_sign_in_again(client):
    UserFactory(email="donor@example.org", roles=[Role.DONOR])
    submit_login(client, "donor@example.org", PASSWORD)
    client.post("/logout")

    assert submit_login(client, "donor@example.org", PASSWORD).status_code == 302
    assert _opens_the_private_page(client)
