"""Choosing a new password from an e-mailed link: forgotten passwords and invitations."""

from __future__ import annotations

import re
import time

from itsdangerous import TimestampSigner

from app.accounts.models import Role, User
from app.platform.extensions import db
from tests.factories import PASSWORD, UserFactory, user_with
from tests.web.auth.helpers import audit_events, is_signed_in, submit_login

NEW_PASSWORD = "a-brand-new-passphrase"


def ask_for_reset(client, email):
    return client.post("/reset", data={"email": email})


def choose_password(client, link, password=NEW_PASSWORD, confirm=None, **kwargs):
    return client.post(link, data={"password": password, "confirm": confirm or password}, **kwargs)


def test_reset_by_e_mailed_link_replaces_the_password(client, mailbox):
    user = UserFactory(email="grace@example.org")

    response = ask_for_reset(client, "grace@example.org")

    assert "If an account exists for grace@example.org" in response.get_data(as_text=True)
    message = mailbox.last("grace@example.org")
    assert message["Subject"] == "Reset your password"
    link = mailbox.link("grace@example.org")
    assert link.startswith("/reset/")
    page = client.get(link).get_data(as_text=True)
    assert "For the account grace@example.org." in page

    response = choose_password(client, link, follow_redirects=True)

    assert response.request.path == "/login"
    assert "Your password is set. You can sign in now." in response.get_data(as_text=True)
    assert "user.password_set" in [e.action for e in audit_events("user.password_set")]
    assert submit_login(client, "grace@example.org", PASSWORD).status_code == 200
    assert not is_signed_in(client)
    assert submit_login(client, "grace@example.org", NEW_PASSWORD).status_code == 302
    assert is_signed_in(client)
    assert audit_events("user.password_set")[0].subject_id == str(user.id)


def _without_csrf_tokens(page):
    # A CSRF token is signed with the current second, so two pages rendered across a
    # second boundary differ there and nowhere else a person could see.
    return re.sub(r'name="csrf_token"[^>]*value="[^"]*"', 'name="csrf_token"', page)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, mailbox):
    UserFactory(email="grace@example.org")

    known = ask_for_reset(client, "grace@example.org").get_data(as_text=True)
    unknown = ask_for_reset(client, "nobody@example.org").get_data(as_text=True)

    assert _without_csrf_tokens(known.replace("grace@", "X@")) == _without_csrf_tokens(
        unknown.replace("nobody@", "X@")
    )
    assert mailbox.to("nobody@example.org") == []
    assert len(mailbox.messages) == 1


def test_a_deactivated_account_gets_no_reset_mail(client, mailbox):
    UserFactory(email="gone@example.org", is_active=False)

    response = ask_for_reset(client, "gone@example.org")

    assert "If an account exists for gone@example.org" in response.get_data(as_text=True)
    assert mailbox.messages == []


def test_the_reset_link_works_only_once(client, mailbox):
    UserFactory(email="grace@example.org")
    ask_for_reset(client, "grace@example.org")
    link = mailbox.link("grace@example.org")
    choose_password(client, link)

    for attempt in (
        client.get(link, follow_redirects=True),
        choose_password(client, link, "yet-another-passphrase", follow_redirects=True),
    ):
        assert attempt.request.path == "/reset"
        assert "This link is not valid or has already been used. Ask for a new one." in (
            attempt.get_data(as_text=True)
        )
    assert submit_login(client, "grace@example.org", "yet-another-passphrase").status_code == 200
    assert submit_login(client, "grace@example.org", NEW_PASSWORD).status_code == 302


def test_an_older_reset_link_dies_when_a_newer_one_is_used(client, mailbox):
    UserFactory(email="grace@example.org")
    ask_for_reset(client, "grace@example.org")
    first = mailbox.link("grace@example.org")
    ask_for_reset(client, "grace@example.org")
    second = mailbox.link("grace@example.org")

    choose_password(client, second)

    assert client.get(first).status_code == 302


def test_a_reset_link_expires_after_the_reset_window(app, client, mailbox, monkeypatch):
    UserFactory(email="grace@example.org")
    ask_for_reset(client, "grace@example.org")
    link = mailbox.link("grace@example.org")
    later = int(time.time()) + app.config["RESET_TOKEN_MAX_AGE"] + 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)

    response = choose_password(client, link, follow_redirects=True)

    assert "This link has expired. Ask for a new one." in response.get_data(as_text=True)
    assert submit_login(client, "grace@example.org", PASSWORD).status_code == 302


def test_a_tampered_reset_link_is_refused(client, mailbox):
    UserFactory(email="grace@example.org")
    ask_for_reset(client, "grace@example.org")
    link = mailbox.link("grace@example.org")

    response = client.get(link[:-4] + "abcd", follow_redirects=True)

    assert "This link is not valid or has already been used. Ask for a new one." in (
        response.get_data(as_text=True)
    )


def test_the_new_password_must_follow_the_policy(client, mailbox):
    UserFactory(email="grace@example.org")
    ask_for_reset(client, "grace@example.org")
    link = mailbox.link("grace@example.org")

    too_short = choose_password(client, link, "short").get_data(as_text=True)
    is_email = choose_password(client, link, "grace@example.org").get_data(as_text=True)
    mismatch = choose_password(client, link, NEW_PASSWORD, "other-passphrase-x").get_data(
        as_text=True
    )

    assert "Use at least 12 characters." in too_short
    assert "Your password must not be your e-mail address." in is_email
    assert "The passwords do not match." in mismatch
    # Nothing changed, so the link still works.
    assert choose_password(client, link).status_code == 302


def test_resetting_signs_out_every_other_session(app, client, mailbox):
    UserFactory(email="grace@example.org")
    other_device = app.test_client()
    submit_login(other_device, "grace@example.org", PASSWORD)
    assert is_signed_in(other_device)

    ask_for_reset(client, "grace@example.org")
    choose_password(client, mailbox.link("grace@example.org"))

    assert not is_signed_in(other_device)
    assert other_device.get("/account/").status_code == 302


def test_an_invited_user_chooses_a_first_password_from_the_invitation(client, sign_in, mailbox):
    admin = user_with(Role.ADMIN, full_name="Ada Admin")
    sign_in(admin)
    client.post(
        "/admin/users/invite",
        data={"full_name": "Rita Reviewer", "email": "rita@example.org", "roles": ["reviewer"]},
    )
    client.post("/logout")

    message = mailbox.last("rita@example.org")
    assert "Ada Admin has opened an account for you" in mailbox.body(message)
    link = mailbox.link("rita@example.org")
    assert "For the account rita@example.org." in client.get(link).get_data(as_text=True)
    choose_password(client, link)

    rita = db.session.execute(db.select(User).filter_by(email="rita@example.org")).scalar_one()
    assert rita.email_confirmed
    assert submit_login(client, "rita@example.org", NEW_PASSWORD).status_code == 302
    assert is_signed_in(client)
    # The invitation cannot be used a second time to take the account over.
    client.post("/logout")
    assert client.get(link).status_code == 302


def test_an_invitation_link_is_valid_for_days_not_just_the_reset_hour(
    app, client, mailbox, monkeypatch
):
    UserFactory(email="rita@example.org", password_hash=None, email_confirmed_at=None)
    ask_for_reset(client, "rita@example.org")
    link = mailbox.link("rita@example.org")
    later = int(time.time()) + app.config["RESET_TOKEN_MAX_AGE"] + 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)

    assert client.get(link).status_code == 200
