"""The invitation and password-reset e-mails are texts staff edit (app/texts): per language,
with their placeholders checked when saved (a wrong one refused with the valid ones), and the
version used recorded on the message sent; without a version in force, the built-in wording."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.outbox.models import OutboxMessage
from app.platform.extensions import db
from app.texts import services as texts
from tests.applications_support import applicant_of, ngo_organisation
from tests.factories import user_with

FRENCH = {"Accept-Language": "fr"}


def _sent_to(address: str) -> OutboxMessage:
    return db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == address)
    ).scalar_one()


def _save(key: str, subject: str, body: str, locale: str = "fr"):
    version = texts.save_version(
        actor=user_with(Role.FUND_MANAGER), key=key, locale=locale, subject=subject, body=body
    )
    db.session.commit()
    return version


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("email.invitation", "{{ fund }}, {{ fund_short }}, {{ inviter }}, {{ link }}, {{ name }}"),
        (
            "email.colleague_invitation",
            "{{ fund }}, {{ inviter }}, {{ link }}, {{ name }}, {{ organisation }}",
        ),
        ("email.password_reset", "{{ fund }}, {{ link }}, {{ name }}"),
    ],
)
def test_each_is_edited_in_french_and_a_wrong_placeholder_is_refused(client, sign_in, key, valid):
    sign_in(user_with(Role.FUND_MANAGER))
    assert f"/texts/{key}/fr" in client.get("/texts/").get_data(as_text=True)
    page = client.get(f"/texts/{key}/fr").get_data(as_text=True)
    assert "{{ link }}" in page  # the built-in wording, with its placeholders
    refused = client.post(
        f"/texts/{key}/fr", data={"subject": "Bonjour", "body": "{{ link }} {{ montant }}"}
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "{{ montant }}" in html and valid in html
    without_link = client.post(f"/texts/{key}/fr", data={"subject": "Bonjour", "body": "Salut"})
    assert without_link.status_code == 200 and 'id="body-error"' in without_link.get_data(
        as_text=True
    )
    assert texts.in_force(key, "fr") is None


def test_the_password_reset_in_french_uses_the_staff_version_and_records_it(client):
    person = user_with(Role.DONOR, email="amina@example.org", full_name="Amina Diallo")
    version = _save(
        "email.password_reset",
        "Nouveau mot de passe, {{ name }}",
        "Bonjour {{ name }},\n\nChoisissez un mot de passe :\n{{ link }}\n\n{{ fund }}",
    )
    client.post("/reset", data={"email": person.email}, headers=FRENCH)
    message = _sent_to("amina@example.org")
    assert message.subject == "Nouveau mot de passe, Amina Diallo"
    assert message.body.startswith("Bonjour Amina Diallo,\n\nChoisissez un mot de passe :\nhttp")
    assert "/reset/" in message.body and message.text_version_id == version.id


def test_in_another_language_the_built_in_wording_is_sent(client):
    user_with(Role.DONOR, email="amina@example.org")
    _save("email.password_reset", "Nouveau mot de passe", "{{ link }}")
    client.post("/reset", data={"email": "amina@example.org"}, headers={"Accept-Language": "en"})
    message = _sent_to("amina@example.org")
    assert message.subject == "Reset your password" and message.text_version_id is None


def test_the_administrators_invitation_uses_the_staff_version(client, sign_in):
    version = _save(
        "email.invitation",
        "Invitation à {{ fund_short }}",
        "{{ inviter }} vous a ouvert un compte, {{ name }} :\n{{ link }}",
    )
    sign_in(user_with(Role.ADMIN, full_name="Ada Admin"))
    client.post(
        "/admin/users/invite",
        data={"full_name": "Rita Reviewer", "email": "rita@example.org", "roles": ["reviewer"]},
        headers=FRENCH,
    )
    message = _sent_to("rita@example.org")
    assert message.subject.startswith("Invitation à ")
    assert message.body.startswith("Ada Admin vous a ouvert un compte, Rita Reviewer :\nhttp")
    assert message.text_version_id == version.id


def test_the_colleagues_invitation_uses_the_staff_version(client, sign_in):
    organisation = ngo_organisation(name="Espoir")
    version = _save(
        "email.colleague_invitation",
        "{{ organisation }} vous ajoute",
        "Bonjour {{ name }}, {{ inviter }} vous ajoute à {{ organisation }} :\n{{ link }}",
    )
    owner = applicant_of(organisation)
    sign_in(owner)
    client.post(
        f"/organisations/{organisation.id}/colleagues",
        data={"full_name": "Amina Diallo", "email": "amina@example.org"},
        headers=FRENCH,
    )
    message = _sent_to("amina@example.org")
    assert message.subject == "Espoir vous ajoute"
    assert message.body.startswith(f"Bonjour Amina Diallo, {owner.full_name} vous ajoute à Espoir")
    assert "/reset/" in message.body and message.text_version_id == version.id
