"""Opening a donor or applicant account, confirming the address by the e-mailed link."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.outbox.sending import send_due
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.factories import UserFactory
from tests.mail import smtp_mailbox
from tests.web.auth.helpers import audit_actions, audit_events, is_signed_in, submit_login

NEW_PASSWORD = "a-long-enough-passphrase"


def register(client, *, email="amina@example.org", account_type="donor", **overrides):
    data = {
        "full_name": "Amina Diallo",
        "email": email,
        "account_type": account_type,
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
        **overrides,
    }
    return client.post("/register", data=data)


def user_count() -> int:
    return db.session.execute(select(func.count()).select_from(User)).scalar_one()


@pytest.mark.parametrize("account_type", [Role.DONOR, Role.APPLICANT])
def test_registration_creates_an_account_of_the_chosen_kind_and_mails_a_link(
    client, mailbox, account_type
):
    response = register(client, email="Amina@Example.org", account_type=account_type.value)

    assert response.status_code == 200
    assert "Check your e-mail" in response.get_data(as_text=True)
    user = db.session.execute(select(User)).scalar_one()
    assert user.email == "amina@example.org"
    assert user.roles == {account_type}
    assert not user.email_confirmed
    message = mailbox.last("amina@example.org")
    assert message["Subject"] == "Confirm your e-mail address"
    assert mailbox.link("amina@example.org").startswith("/confirm/")
    assert "user.registered" in audit_actions(subject_id=user.id)


def test_a_french_registrant_is_welcomed_to_the_fund_by_its_french_name(client, mailbox):
    data = {
        "full_name": "Awa Koné",
        "email": "awa@example.org",
        "account_type": Role.APPLICANT.value,
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    response = client.post("/register", data=data, headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    body = mailbox.body(mailbox.last("awa@example.org"))
    assert "Fonds de contributions volontaires des Nations Unies" in body
    assert "UN Voluntary Trust Fund" not in body


def test_the_form_offers_both_kinds_of_account(client):
    page = client.get("/register").get_data(as_text=True)
    assert 'value="donor"' in page and 'value="applicant"' in page


def test_staff_roles_cannot_be_chosen_by_registering(client, mailbox):
    response = register(client, account_type="admin")
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert user_count() == 0
    assert mailbox.messages == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password": "short-pw", "confirm": "short-pw"}, "Use at least 12 characters."),
        (
            {"password": "amina@example.org", "confirm": "amina@example.org"},
            "Your password must not be your e-mail address.",
        ),
        (
            {"password": "AMINA@example.org ", "confirm": "AMINA@example.org "},
            "Your password must not be your e-mail address.",
        ),
        ({"confirm": "something-else-entirely"}, "The passwords do not match."),
        ({"email": "not-an-address"}, "Invalid email address."),
        ({"full_name": ""}, "This field is required."),
    ],
    ids=["short", "equals-email", "email-in-capitals", "mismatch", "bad-email", "no-name"],
)
def test_bad_registration_shows_the_error_on_the_form_and_creates_nothing(
    client, mailbox, overrides, message
):
    response = register(client, **overrides)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert 'aria-invalid="true"' in page
    assert "There is a problem" in page and 'class="alert alert-danger error-summary"' in page
    assert user_count() == 0
    assert mailbox.messages == []


def test_an_address_already_registered_creates_nothing_and_only_its_owner_is_told(client, mailbox):
    UserFactory(email="amina@example.org")

    response = register(client, email=" AMINA@example.org")

    page = response.get_data(as_text=True)
    # The page is the one a new account gets (tests/security/test_account_enumeration.py).
    assert "Check your e-mail" in page and "already exists" not in page
    assert user_count() == 1
    [notice] = mailbox.messages
    assert notice["To"] == "amina@example.org"
    assert notice["Subject"] == "Someone tried to open an account with your e-mail address"
    assert "user.registration_attempted" in audit_actions()


def test_confirmation_link_confirms_and_then_the_person_can_sign_in(client, mailbox):
    register(client)
    assert "Please confirm your e-mail address first" in (
        submit_login(client, "amina@example.org", NEW_PASSWORD).get_data(as_text=True)
    )

    response = client.get(mailbox.link("amina@example.org"), follow_redirects=True)

    assert response.request.path == "/login"
    assert "Thank you, your e-mail address is confirmed. You can sign in now." in (
        response.get_data(as_text=True)
    )
    user = db.session.execute(select(User)).scalar_one()
    assert user.email_confirmed
    assert "user.email_confirmed" in audit_actions(subject_id=user.id)
    assert submit_login(client, "amina@example.org", NEW_PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_following_the_link_a_second_time_says_it_was_already_done(client, mailbox):
    register(client)
    link = mailbox.link("amina@example.org")
    client.get(link)

    response = client.get(link, follow_redirects=True)

    assert "Your e-mail address was already confirmed." in response.get_data(as_text=True)


def test_an_unconfirmed_person_is_offered_a_new_link_that_works(client, mailbox):
    register(client)

    page = submit_login(client, "amina@example.org", NEW_PASSWORD).get_data(as_text=True)
    assert not is_signed_in(client)
    assert "Please confirm your e-mail address first: follow the link we sent you." in page
    assert 'href="/confirm"' in page
    assert "Send the confirmation link again" in page

    response = client.post("/confirm", data={"email": "amina@example.org"})
    assert "We have sent a link to amina@example.org" in response.get_data(as_text=True)
    assert len(mailbox.to("amina@example.org")) == 2
    second_link = mailbox.link("amina@example.org")

    client.get(second_link)
    assert submit_login(client, "amina@example.org", NEW_PASSWORD).status_code == 302


def test_a_refused_sign_in_before_confirmation_is_audited(client, mailbox):
    register(client)
    submit_login(client, "amina@example.org", NEW_PASSWORD)

    [event] = audit_events("user.login_failed")
    assert "unconfirmed" in event.summary
    assert audit_events("user.login") == []


def test_a_registration_made_while_mail_is_down_is_confirmed_once_it_is_back(
    app, client, dead_mail_server, caplog
):
    response = register(client)

    assert response.status_code == 200
    assert "Check your e-mail" in response.get_data(as_text=True)
    assert user_count() == 1
    assert send_due().retrying == 1  # the worker tries: the relay is down, the e-mail waits
    assert "not sent (attempt 1)" in caplog.text
    assert "Send the confirmation link again" in (
        submit_login(client, "amina@example.org", NEW_PASSWORD).get_data(as_text=True)
    )

    with smtp_mailbox(app, port=app.config["MAIL_PORT"]) as back:
        assert send_due(now=utcnow() + timedelta(minutes=5)).sent == 1
        response = client.get(back.link("amina@example.org"), follow_redirects=True)
    assert "your e-mail address is confirmed" in response.get_data(as_text=True)


def test_asking_for_a_new_link_does_not_reveal_whether_an_account_exists(client, mailbox):
    UserFactory(email="confirmed@example.org")
    answers = {
        email: client.post("/confirm", data={"email": email}).get_data(as_text=True)
        for email in ("nobody@example.org", "confirmed@example.org")
    }

    assert answers["nobody@example.org"].replace("nobody", "X") == answers[
        "confirmed@example.org"
    ].replace("confirmed", "X")
    assert mailbox.messages == []


def test_an_expired_confirmation_link_says_so_and_offers_a_new_one(
    app, client, mailbox, monkeypatch
):
    register(client)
    link = mailbox.link("amina@example.org")
    later = int(time.time()) + app.config["EMAIL_TOKEN_MAX_AGE"] + 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)

    response = client.get(link, follow_redirects=True)

    assert response.request.path == "/confirm"
    assert "This confirmation link has expired. Ask for a new one below." in (
        response.get_data(as_text=True)
    )
    assert not db.session.execute(select(User)).scalar_one().email_confirmed


@pytest.mark.parametrize("damage", ["tamper", "garbage", "other-purpose"])
def test_an_invalid_or_tampered_confirmation_link_is_refused_clearly(client, mailbox, damage):
    register(client)
    link = mailbox.link("amina@example.org")
    if damage == "tamper":
        link = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    elif damage == "garbage":
        link = "/confirm/not-a-token"
    else:
        client.post("/reset", data={"email": "amina@example.org"})
        link = "/confirm/" + mailbox.link("amina@example.org").rsplit("/", 1)[1]

    response = client.get(link, follow_redirects=True)

    assert response.request.path == "/confirm"
    assert "This confirmation link is not valid. Ask for a new one below." in (
        response.get_data(as_text=True)
    )
    assert not db.session.execute(select(User)).scalar_one().email_confirmed


def test_a_signed_in_person_is_sent_home_from_the_registration_page(client, sign_in):
    sign_in(UserFactory())
    response = client.get("/register")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
