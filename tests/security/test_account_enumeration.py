"""Registration and password reset answer the same whether or not an address has an account;
the owner of an existing account is told by e-mail instead."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.accounts.models import User
from app.platform.extensions import db
from tests.factories import UserFactory
from tests.mail import Mailbox

KNOWN, UNKNOWN = "amina@example.org", "nobody@example.org"
NEW_PASSWORD = "a-brand-new-password"
NOTICE_SUBJECT = "Someone tried to open an account with your e-mail address"


def register(client, email: str, password: str = NEW_PASSWORD):
    return client.post(
        "/register",
        data={
            "email": email,
            "full_name": "Someone Else",
            "account_type": "donor",
            "password": password,
            "confirm": password,
        },
    )


def answer(response, email: str) -> tuple[int, str]:
    """What the visitor sees, with the address they typed taken out."""
    page = response.get_data(as_text=True)
    page = page.replace(email, "ADDRESS").replace(email.strip().lower(), "ADDRESS")
    # Each page carries its own CSRF token (a random per-session value), not an answer.
    return response.status_code, re.sub(r'name="csrf_token"[^>]*>', "", page)


def user_count() -> int:
    return db.session.execute(select(func.count()).select_from(User)).scalar_one()


def test_registering_a_known_address_looks_exactly_like_registering_a_new_one(app, mailbox):
    UserFactory(email=KNOWN)

    known = register(app.test_client(), KNOWN.upper())
    unknown = register(app.test_client(), UNKNOWN)

    assert answer(known, KNOWN.upper()) == answer(unknown, UNKNOWN)
    assert known.status_code == 200
    assert "already exists" not in known.get_data(as_text=True)


def test_the_owner_of_the_address_is_told_and_the_account_is_untouched(client, mailbox):
    owner = UserFactory(email=KNOWN, full_name="Amina Diallo")
    password_hash = owner.password_hash

    register(client, KNOWN)

    assert user_count() == 1
    db.session.refresh(owner)
    assert owner.full_name == "Amina Diallo"
    assert owner.password_hash == password_hash
    [notice] = mailbox.to(KNOWN)
    assert notice["Subject"] == NOTICE_SUBJECT
    body = Mailbox.body(notice)
    assert "If it was you, sign in or reset your password" in body
    assert "/login" in body and "/reset" in body
    assert NEW_PASSWORD not in body


def test_a_password_the_policy_refuses_is_refused_alike_for_known_and_unknown_addresses(
    app, mailbox
):
    UserFactory(email=KNOWN)

    # The password policy refuses a password equal to the address: the check must come before
    # anything depends on whether the address is taken.
    known = register(app.test_client(), KNOWN, password=KNOWN)
    unknown = register(app.test_client(), UNKNOWN, password=UNKNOWN)

    assert answer(known, KNOWN) == answer(unknown, UNKNOWN)
    assert "Your password must not be your e-mail address." in known.get_data(as_text=True)
    assert mailbox.messages == []


def test_asking_for_a_reset_answers_the_same_for_known_and_unknown_addresses(app, mailbox):
    UserFactory(email=KNOWN)

    known = app.test_client().post("/reset", data={"email": KNOWN})
    unknown = app.test_client().post("/reset", data={"email": UNKNOWN})

    assert answer(known, KNOWN) == answer(unknown, UNKNOWN)
    assert known.status_code == 200
    assert len(mailbox.to(KNOWN)) == 1
    assert mailbox.to(UNKNOWN) == []


def test_the_owner_is_told_in_their_own_language(client, mailbox):
    UserFactory(email=KNOWN, locale="fr")

    register(client, KNOWN)

    notice = mailbox.last(KNOWN)
    assert notice["Subject"] == (
        "Quelqu'un a essayé d'ouvrir un compte avec votre adresse électronique"
    )
    assert "Si c'était vous, connectez-vous ou réinitialisez" in Mailbox.body(notice)
