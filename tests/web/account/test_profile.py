"""A person's own account: name, language, time zone, and changing the password."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale, gettext

from app.platform.extensions import db
from tests.factories import PASSWORD, UserFactory
from tests.web.auth.helpers import audit_events, is_signed_in, submit_login

NEW_PASSWORD = "another-long-passphrase"


@pytest.fixture
def grace(client):
    user = UserFactory(email="grace@example.org", full_name="Grace Hopper")
    assert submit_login(client, "grace@example.org", PASSWORD).status_code == 302
    return user


def save_profile(client, **overrides):
    data = {"full_name": "Grace B. Hopper", "locale": "", "timezone": "UTC", **overrides}
    return client.post("/account/", data=data, follow_redirects=True)


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_the_profile_shows_the_current_settings(client, grace):
    page = client.get("/account/").get_data(as_text=True)

    assert "grace@example.org" in page
    assert 'value="Grace Hopper"' in page
    assert '<option selected value="UTC">UTC</option>' in page
    assert "Deadlines and dates are shown in this time zone." in page


def test_saving_the_profile_updates_name_language_and_time_zone(client, grace):
    response = save_profile(client, locale="fr", timezone="Africa/Nairobi")

    assert response.request.path == "/account/"
    db.session.refresh(grace)
    assert grace.full_name == "Grace B. Hopper"
    assert grace.locale == "fr"
    assert grace.timezone == "Africa/Nairobi"
    [event] = audit_events("user.profile_updated")
    assert event.changes["timezone"] == ["UTC", "Africa/Nairobi"]
    assert event.changes["locale"] == [None, "fr"]


def test_a_nul_character_is_refused_before_anything_is_written(client, grace):
    """No one types one, and PostgreSQL cannot store one: the whole form is refused."""
    response = save_profile(client, full_name="Grace\x00 Hopper")

    assert response.status_code == 400
    assert "a character that cannot be stored" in response.get_data(as_text=True)
    db.session.refresh(grace)
    assert grace.full_name == "Grace Hopper"
    assert audit_events("user.profile_updated") == []


def test_the_chosen_language_is_used_on_every_page_and_after_signing_in_again(client, grace):
    response = save_profile(client, locale="es")

    assert html_lang(response) == "es"
    with force_locale("es"):
        saved, title = gettext("Your profile is saved."), gettext("Profile")
    assert saved in response.get_data(as_text=True)
    assert f'<h1 class="h3 mb-3">{title}</h1>' in response.get_data(as_text=True)
    assert html_lang(client.get("/", headers={"Accept-Language": "fr"})) == "es"
    client.post("/logout")
    client.delete_cookie("session")
    submit_login(client, "grace@example.org", PASSWORD)
    assert html_lang(client.get("/", headers={"Accept-Language": "fr"})) == "es"


def test_as_my_browser_prefers_follows_accept_language(client, grace):
    save_profile(client, locale="fr")

    response = save_profile(client, locale="")

    db.session.refresh(grace)
    assert grace.locale is None
    assert html_lang(client.get("/", headers={"Accept-Language": "es, en;q=0.5"})) == "es"
    assert html_lang(response) == "en"


def test_dates_are_shown_in_the_chosen_time_zone(client, grace):
    grace.totp_secret = "JBSWY3DPEHPK3PXP"
    grace.totp_enabled_at = datetime(2030, 1, 1, 22, 30, tzinfo=UTC)
    db.session.flush()

    save_profile(client, timezone="Asia/Tokyo")
    page = client.get("/account/security").get_data(as_text=True)

    # 22:30 UTC on 1 January is 07:30 on 2 January in Tokyo.
    assert "Jan 2, 2030" in page and "7:30" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "Not a valid choice"),
        ({"locale": "xx"}, "Not a valid choice"),
        ({"full_name": ""}, "This field is required."),
    ],
)
def test_invalid_profile_values_are_refused_on_the_form(client, grace, overrides, message):
    response = save_profile(client, **overrides)

    assert message in response.get_data(as_text=True)
    db.session.refresh(grace)
    assert grace.full_name == "Grace Hopper" and grace.timezone == "UTC"
    assert audit_events("user.profile_updated") == []


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, client, grace):
    other_device = app.test_client()
    submit_login(other_device, "grace@example.org", PASSWORD)

    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        follow_redirects=True,
    )

    assert "Your password is changed. Other devices have been signed out." in response.get_data(
        as_text=True
    )
    assert is_signed_in(client)
    assert not is_signed_in(other_device)
    assert submit_login(other_device, "grace@example.org", PASSWORD).status_code == 200
    assert submit_login(other_device, "grace@example.org", NEW_PASSWORD).status_code == 302
    assert len(audit_events("user.password_set")) == 1


def test_a_wrong_current_password_is_refused(client, grace):
    response = client.post(
        "/account/password",
        data={
            "current_password": "not-my-password",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )

    assert "Your current password is not right." in response.get_data(as_text=True)
    client.post("/logout")
    assert submit_login(client, "grace@example.org", PASSWORD).status_code == 302
    assert audit_events("user.password_set") == []


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short", "short", "Use at least 12 characters."),
        ("grace@example.org", "grace@example.org", "Your password must not be your e-mail"),
        (NEW_PASSWORD, "something-different", "The passwords do not match."),
    ],
)
def test_the_new_password_must_follow_the_policy(client, grace, password, confirm, message):
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": password, "confirm": confirm},
    )

    assert message in response.get_data(as_text=True)
    assert is_signed_in(client)
    assert audit_events("user.password_set") == []


def test_account_pages_need_a_signed_in_person(client):
    for path in ("/account/", "/account/password", "/account/security"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
